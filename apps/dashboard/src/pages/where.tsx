import { useEffect, useMemo } from 'preact/hooks';
import { get } from '../api';
import { Bars } from '../components/charts';
import { PageHeader } from '../components/layout';
import { ErrorBox, Loading, Section } from '../components/ui';
import { ENDPOINTS } from '../endpoints';
import { formatNumber } from '../format';
import { href, replaceQuery, useLive, useLoad, useRoute } from '../hooks';
import { termOf, useI18n } from '../i18n';
import { Matrix, PartnershipPage, SECTORS } from '../types';

/** Five steps of blue, light to dark; text turns white on the dark ones to stay readable. */
const HEAT = ['#eef4fb', '#c9dcf2', '#8fb5e3', '#3f7fc9', '#1d3b6f'];
const heatOf = (value: number, max: number) =>
  value === 0
    ? 0
    : Math.min(HEAT.length - 1, 1 + Math.floor(((value - 1) / Math.max(1, max)) * (HEAT.length - 1)));

function HeatMap({ matrix, sector }: { matrix: Matrix; sector?: string }) {
  const { t, language } = useI18n();
  const cells = new Map(matrix.cells.map((cell) => [`${cell.californiaId}|${cell.franceId}`, cell]));
  const max = Math.max(1, ...matrix.cells.map((cell) => cell.partnerships));
  if (matrix.california.length === 0 || matrix.france.length === 0)
    return <p class="empty">{t('where.empty')}</p>;
  return (
    <>
      <div class="table-scroll heatmap-scroll" tabIndex={0} role="region" aria-labelledby="matrix-caption">
        <table class="heatmap">
          <caption id="matrix-caption">{t('where.caption')}</caption>
          <thead>
            <tr>
              <td class="corner" />
              {matrix.france.map((org) => (
                <th key={org.id} scope="col" class="col-head">
                  <a href={href('/', { organizationId: org.id, sector })}>{org.name}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.california.map((row) => (
              <tr key={row.id}>
                <th scope="row" class="row-head">
                  <a href={href('/', { organizationId: row.id, sector })}>{row.name}</a>
                </th>
                {matrix.france.map((column) => {
                  const cell = cells.get(`${row.id}|${column.id}`);
                  const count = cell?.partnerships ?? 0;
                  const level = heatOf(count, max);
                  return (
                    <td
                      key={column.id}
                      class={`heat heat-${level}`}
                      title={
                        cell ? t('where.cell', { count: cell.partnerships, active: cell.active }) : undefined
                      }
                    >
                      {count > 0 ? (
                        <span>
                          {formatNumber(language, count)}
                          <span class="visually-hidden">
                            {' '}
                            — {row.name} × {column.name}:{' '}
                            {t('where.cell', { count: cell!.partnerships, active: cell!.active })}
                          </span>
                        </span>
                      ) : (
                        <span aria-hidden="true">·</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="legend" aria-hidden="true">
        {HEAT.map((color, index) => (
          <span key={color} class={`legend-swatch heat-${index}`} />
        ))}
      </div>
    </>
  );
}

export function WherePage() {
  const { t } = useI18n();
  const route = useRoute();
  const sector = route.query.get('sector') ?? undefined;
  useEffect(() => {
    document.title = `${t('where.title')} · Passerelle`;
  }, [t]);
  const matrix = useLoad((signal) => get<Matrix>(ENDPOINTS.matrix, { sector }, signal), [sector]);
  // How many partnerships cover each sector: the list's total for each one.
  const sectors = useLoad(
    (signal) =>
      Promise.all(
        SECTORS.map((s) =>
          get<PartnershipPage>(ENDPOINTS.partnerships, { sector: s, limit: 1 }, signal).then(
            (page) => [s, page.total] as const,
          ),
        ),
      ),
    [],
  );
  useLive(() => {
    matrix.reload();
    sectors.reload();
  });

  const bySector = useMemo(
    () =>
      (sectors.data ?? [])
        .map(([key, value]) => ({ key, label: termOf(t, 'sector', key), value }))
        .filter((row) => row.value > 0)
        .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)),
    [sectors.data, t],
  );

  return (
    <>
      <PageHeader title={t('where.title')} intro={t('where.intro')} />
      <div class="grid wide-narrow">
        <Section
          id="matrix"
          title={t('where.matrix')}
          actions={
            <div class="field inline">
              <label for="matrix-sector">{t('filters.sector')}</label>
              <select
                id="matrix-sector"
                value={sector ?? ''}
                onChange={(e) => replaceQuery('/where', { sector: e.currentTarget.value || undefined })}
              >
                <option value="">{t('common.all')}</option>
                {SECTORS.map((s) => (
                  <option key={s} value={s}>
                    {termOf(t, 'sector', s)}
                  </option>
                ))}
              </select>
            </div>
          }
        >
          {matrix.error && <ErrorBox error={matrix.error} onRetry={matrix.reload} />}
          {!matrix.data && !matrix.error && <Loading />}
          {matrix.data && <HeatMap matrix={matrix.data} sector={sector} />}
        </Section>
        <Section id="sectors" title={t('where.sectors')}>
          <p class="muted">{t('where.sectorsCaption')}</p>
          {sectors.error && <ErrorBox error={sectors.error} onRetry={sectors.reload} />}
          {!sectors.data && !sectors.error && <Loading />}
          {bySector.length > 0 && <Bars rows={bySector} label={t('where.sectors')} />}
        </Section>
      </div>
    </>
  );
}
