import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get } from '../../api';
import { ErrorBox, Loading, Section, StageBadge, Chips } from '../../components/ui';
import { useApp } from '../../context';
import { ENDPOINTS } from '../../endpoints';
import { formatDate, formatDateTime } from '../../format';
import { useLive, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { changeOf, LiveMessage } from '../../live';
import { can } from '../../session';
import type { History, Partnership } from '../../types';
import { Acting, OpenForm } from './common';
import { DocumentItem } from './documents';
import { HistoryTable, TimeTravel } from './history';
import { Meetings } from './meetings';
import { Parties } from './parties';
import { Projects } from './projects';
import { Timeline } from './timeline';

export function PartnershipPage({ id }: { id: string }) {
  const { t, language } = useI18n();
  const { session, ensureOrganizations } = useApp();
  const mayCommand = can.command(session);
  const mayAudit = can.readHistory(session);
  const [open, setOpen] = useState<OpenForm>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const minPosition = useRef<number | undefined>(undefined);

  const detail = useLoad(
    async (signal) => {
      try {
        return await get<Partnership>(
          ENDPOINTS.partnership(id),
          { minPosition: minPosition.current },
          signal,
        );
      } catch (error) {
        // The read model may not hold a partnership proposed a moment ago: the folded state does.
        if (error instanceof ApiError && error.status === 404)
          return await get<Partnership>(ENDPOINTS.state(id), {}, signal);
        throw error;
      }
    },
    [id],
  );
  const history = useLoad(
    (signal) => (mayAudit ? get<History>(ENDPOINTS.history(id), {}, signal) : Promise.resolve(null)),
    [id, mayAudit],
  );
  const past = useLoad(
    (signal) =>
      viewing === null
        ? Promise.resolve(null)
        : get<Partnership>(ENDPOINTS.state(id), { asOf: viewing }, signal),
    [id, viewing],
  );

  useLive((message: LiveMessage) => {
    const change = changeOf(message);
    if (change?.partnershipId === id) {
      detail.reload();
      history.reload();
    }
  });

  const current = detail.data;
  useEffect(() => {
    if (current) ensureOrganizations(current.parties);
  }, [current?.parties.join(','), ensureOrganizations]);
  useEffect(() => {
    if (current) document.title = `${current.title} · Passerelle`;
  }, [current?.title]);

  const latest = Math.max(current?.revision ?? 0, history.data?.revision ?? 0);
  const shown =
    viewing !== null && past.data ? { ...past.data, partyDetails: current?.partyDetails } : current;
  const travelling = viewing !== null;

  // Acting for an organisation, only its own partnerships take commands (the API refuses the others).
  const mayAct = mayCommand && !!current && can.commandOn(session, current.parties);
  const acting: Acting = useMemo(
    () => ({
      enabled: mayAct && !travelling,
      maySignFor: (organizationId: string) => can.signFor(session, organizationId),
      open,
      setOpen: (next) => {
        setNotice(null);
        setOpen(next);
      },
      done: (result) => {
        setOpen(null);
        setNotice(t('act.done', { revision: result.revision }));
        minPosition.current = result.position;
        detail.reload();
        history.reload();
      },
    }),
    [mayAct, travelling, open, t, session],
  );

  if (detail.error && !current) {
    const notFound = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <>
        <a class="back" href="#/">
          ← {t('p.back')}
        </a>
        {notFound ? <h1>{t('p.notFound')}</h1> : <ErrorBox error={detail.error} onRetry={detail.reload} />}
      </>
    );
  }
  if (!current || !shown) return <Loading />;

  return (
    <>
      <a class="back" href="#/">
        ← {t('p.back')}
      </a>
      <div class="page-header partnership-header">
        <div>
          <h1>{current.title}</h1>
          <p class="header-facts">
            <StageBadge stage={shown.stage} />
            <span class="muted">
              {travelling
                ? t('p.viewing', { revision: viewing })
                : t('p.revision', { revision: current.revision })}
            </span>
            <span class="muted">{t('p.updated', { date: formatDate(language, shown.updatedAt) })}</span>
          </p>
        </div>
      </div>
      {notice && (
        <p class="alert alert-success" role="status">
          {notice}
        </p>
      )}
      {travelling && (
        <p class="alert alert-info travelling" role="status">
          {t('p.viewing', { revision: viewing })}
          {past.data?.asOf && ` — ${formatDateTime(language, past.data.asOf)}`}
        </p>
      )}
      {mayAudit && (
        <TimeTravel
          latest={latest}
          viewing={viewing}
          history={history.data}
          loading={past.loading && viewing !== null}
          onChange={(revision) => {
            setOpen(null);
            setViewing(revision);
          }}
        />
      )}
      <div
        class={`grid two partnership ${travelling ? 'is-past' : ''}`}
        data-revision={travelling ? viewing : current.revision}
      >
        <Section id="summary" title={t('p.summary')}>
          {shown.description && <p>{shown.description}</p>}
          {shown.status === 'on_hold' && (
            <p class="alert alert-info">{t('p.onHold', { reason: shown.suspensionReason ?? '' })}</p>
          )}
          {shown.status === 'withdrawn' && (
            <p class="alert alert-error">{t('p.withdrawn', { reason: shown.withdrawalReason ?? '' })}</p>
          )}
          <h3 class="small-heading">{t('p.sectors')}</h3>
          <Chips prefix="sector" values={shown.sectors} />
          <h3 class="small-heading">{t('p.axes')}</h3>
          <Chips prefix="axis" values={shown.axes} />
        </Section>
        <Parties partnership={shown} />
        <Meetings partnership={shown} acting={acting} />
        <Section id="agreements" title={t('p.agreements')}>
          {shown.agreements.length === 0 ? (
            <p class="empty">{t('common.none')}</p>
          ) : (
            <ul class="items">
              {shown.agreements.map((a) => (
                <DocumentItem
                  key={a.agreementId}
                  partnership={shown}
                  document={{ kind: 'agreement', value: a }}
                  acting={acting}
                />
              ))}
            </ul>
          )}
        </Section>
        <Projects partnership={shown} />
        <Section id="mous" title={t('p.mous')}>
          {shown.mous.length === 0 ? (
            <p class="empty">{t('common.none')}</p>
          ) : (
            <ul class="items">
              {shown.mous.map((m) => (
                <DocumentItem
                  key={m.mouId}
                  partnership={shown}
                  document={{ kind: 'mou', value: m }}
                  acting={acting}
                />
              ))}
            </ul>
          )}
        </Section>
        <Timeline partnership={shown} />
      </div>
      {mayAudit && (
        <Section id="history" title={t('p.history')}>
          <p class="muted">{t('history.intro')}</p>
          {history.error && <ErrorBox error={history.error} onRetry={history.reload} />}
          {!history.data && !history.error && <Loading />}
          {history.data && (
            <HistoryTable
              history={history.data}
              onTravel={(revision) => setViewing(revision >= latest ? null : revision)}
            />
          )}
        </Section>
      )}
    </>
  );
}
