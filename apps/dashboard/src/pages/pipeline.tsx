import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { Funnel, FunnelSteps } from '../components/charts';
import { PageHeader } from '../components/layout';
import { ErrorBox, Loading, Section, StageBadge } from '../components/ui';
import { useApp } from '../context';
import { ENDPOINTS } from '../endpoints';
import { formatDate, formatNumber } from '../format';
import { href, replaceQuery, useLive, useLoad } from '../hooks';
import { termOf, useI18n } from '../i18n';
import { AXES, PartnershipPage, PartnershipSummary, Pipeline, SECTORS, SIDE_STATES } from '../types';

export interface Filters {
  sector?: string;
  axis?: string;
  region?: string;
  organizationId?: string;
  q?: string;
}

const FILTER_KEYS = ['sector', 'axis', 'region', 'organizationId', 'q'] as const;

export const filtersOf = (query: URLSearchParams): Filters =>
  Object.fromEntries(FILTER_KEYS.map((key) => [key, query.get(key) ?? undefined]).filter(([, v]) => v));

function FilterBar({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const { organizations } = useApp();
  const orgs = [...organizations.values()].sort((a, b) => a.name.localeCompare(b.name));
  const regions = [...new Set(orgs.map((org) => org.region).filter(Boolean))].sort((a, b) =>
    a.localeCompare(b),
  );
  const set = (key: keyof Filters, value: string) =>
    replaceQuery('/', { ...filters, [key]: value || undefined });
  const select = (key: keyof Filters, label: string, options: [string, string][]) => (
    <div class="field">
      <label for={`filter-${key}`}>{label}</label>
      <select
        id={`filter-${key}`}
        value={filters[key] ?? ''}
        onChange={(e) => set(key, e.currentTarget.value)}
      >
        <option value="">{t('common.all')}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form class="filters card" role="search" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>{t('filters.legend')}</legend>
        <div class="filter-grid">
          {select(
            'sector',
            t('filters.sector'),
            SECTORS.map((s) => [s, termOf(t, 'sector', s)]),
          )}
          {select(
            'axis',
            t('filters.axis'),
            AXES.map((a) => [a, termOf(t, 'axis', a)]),
          )}
          {select(
            'region',
            t('filters.region'),
            regions.map((r) => [r, r]),
          )}
          {select(
            'organizationId',
            t('filters.organization'),
            orgs.map((o) => [o.id, `${o.name} (${o.country})`]),
          )}
          <div class="field">
            <label for="filter-q">{t('filters.q')}</label>
            <input
              id="filter-q"
              type="search"
              value={filters.q ?? ''}
              onChange={(e) => set('q', e.currentTarget.value.trim())}
            />
          </div>
        </div>
        {Object.keys(filters).length > 0 && (
          <a class="button link" href="#/">
            {t('filters.clear')}
          </a>
        )}
      </fieldset>
    </form>
  );
}

export function PartnershipTable({ items }: { items: PartnershipSummary[] }) {
  const { t, language } = useI18n();
  return (
    <div class="table-scroll">
      <table class="data partnerships stack">
        <thead>
          <tr>
            <th scope="col">{t('list.title')}</th>
            <th scope="col">{t('list.stage')}</th>
            <th scope="col">{t('list.parties')}</th>
            <th scope="col">{t('list.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <a href={href(`/partnerships/${p.id}`)}>{p.title}</a>
                <span class="sub">{p.sectors.map((s) => termOf(t, 'sector', s)).join(' · ')}</span>
              </th>
              <td>
                <StageBadge stage={p.stage} />
              </td>
              <td>
                <ul class="plain">
                  {p.parties.map((party) => (
                    <li key={party.id}>
                      <span class={`flag flag-${party.country}`}>{party.country}</span> {party.name}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{formatDate(language, p.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PipelinePage({ query }: { query: URLSearchParams }) {
  const { t, language } = useI18n();
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  useEffect(() => {
    document.title = `${t('pipeline.title')} · Passerelle`;
  }, [t]);

  // The API filters both the funnel and the list by every filter but the title words (list only).
  const scope = {
    sector: filters.sector,
    axis: filters.axis,
    organizationId: filters.organizationId,
    region: filters.region,
  };
  const pipeline = useLoad(
    (signal) => get<Pipeline>(ENDPOINTS.pipeline, scope, signal),
    [JSON.stringify({ ...filters, q: undefined })],
  );
  // Pages after the first, fetched by "Show more" (the API pages by cursor, 200 at most at a time).
  const [more, setMore] = useState<{
    key: string;
    items: PartnershipSummary[];
    nextCursor: string | null;
  } | null>(null);
  const list = useLoad(
    (signal) => get<PartnershipPage>(ENDPOINTS.partnerships, { ...scope, q: filters.q, limit: 50 }, signal),
    [key],
  );
  const extra = more?.key === key ? more : null;
  const nextCursor = extra ? extra.nextCursor : (list.data?.nextCursor ?? null);
  const showMore = async () => {
    if (!nextCursor) return;
    const page = await get<PartnershipPage>(ENDPOINTS.partnerships, {
      ...scope,
      q: filters.q,
      limit: 50,
      cursor: nextCursor,
    });
    setMore({ key, items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor ?? null });
  };
  useLive(() => {
    pipeline.reload();
    list.reload();
    setMore(null);
  });

  const items = useMemo(() => [...(list.data?.items ?? []), ...(extra?.items ?? [])], [list.data, extra]);

  return (
    <>
      <PageHeader title={t('pipeline.title')} intro={t('pipeline.intro')} />
      <FilterBar filters={filters} />
      <div class="grid two">
        <Section id="funnel" title={t('pipeline.funnel')}>
          {pipeline.error && <ErrorBox error={pipeline.error} onRetry={pipeline.reload} />}
          {!pipeline.data && !pipeline.error && <Loading />}
          {pipeline.data && (
            <>
              <p class="total">
                {t('pipeline.total', { count: formatNumber(language, pipeline.data.total) })}
              </p>
              <Funnel pipeline={pipeline.data} />
              <FunnelSteps pipeline={pipeline.data} />
              <h3 class="small-heading">{t('pipeline.offPath')}</h3>
              <ul class="chips">
                {SIDE_STATES.map((stage) => (
                  <li key={stage} class={`chip stage-chip stage-${stage}`}>
                    {t('pipeline.sideCount', {
                      stage: termOf(t, 'stage', stage),
                      count: formatNumber(language, pipeline.data!.stages[stage] ?? 0),
                    })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>
        <Section
          id="list"
          title={t('pipeline.list')}
          actions={
            list.data && (
              <span class="muted">
                {t('pipeline.showing', {
                  shown: formatNumber(language, items.length),
                  total: formatNumber(language, list.data.total),
                })}
              </span>
            )
          }
        >
          {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
          {!list.data && !list.error && <Loading />}
          {list.data && items.length === 0 && <p class="empty">{t('pipeline.empty')}</p>}
          {items.length > 0 && <PartnershipTable items={items} />}
          {nextCursor && (
            <button type="button" class="button secondary more" onClick={() => void showMore()}>
              {t('pipeline.more')}
            </button>
          )}
        </Section>
      </div>
    </>
  );
}
