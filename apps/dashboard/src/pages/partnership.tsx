import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { ErrorBox, Loading, Section, StageBadge, Chips } from '../components/ui';
import { useApp } from '../context';
import { ENDPOINTS } from '../endpoints';
import { formatDate, formatDateTime, formatMeetingTime, formatMoney, formatNumber } from '../format';
import { useLive, useLoad } from '../hooks';
import { termOf, Translate, useI18n } from '../i18n';
import { changeOf, LiveMessage } from '../live';
import { can } from '../session';
import type {
  Agreement,
  CommandResult,
  History,
  HistoryEvent,
  Meeting,
  Mou,
  Partnership,
  SignedDocument,
} from '../types';
import { RecordOutcomeForm, RecordSignatureForm, ScheduleMeetingForm } from './actions';

type OpenForm = { kind: 'schedule' } | { kind: 'outcome'; id: string } | { kind: 'sign'; id: string } | null;

interface Acting {
  enabled: boolean;
  /** Whether a signature may be recorded for this organisation (acting for one: only for it). */
  maySignFor(organizationId: string): boolean;
  open: OpenForm;
  setOpen(open: OpenForm): void;
  done(result: CommandResult): void;
}

function useNames() {
  const { organizations } = useApp();
  const { t } = useI18n();
  return (id: string, details?: { id: string; name: string }[]) =>
    details?.find((d) => d.id === id)?.name ?? organizations.get(id)?.name ?? t('common.unknownOrg');
}

function Parties({ partnership }: { partnership: Partnership }) {
  const { t } = useI18n();
  const { organizations } = useApp();
  return (
    <Section id="parties" title={t('p.parties')}>
      <ul class="parties">
        {partnership.parties.map((id) => {
          const org = organizations.get(id);
          const detail = partnership.partyDetails?.find((d) => d.id === id);
          const name = detail?.name ?? org?.name ?? t('common.unknownOrg');
          const country = detail?.country ?? org?.country ?? '';
          const kind = detail?.kind ?? org?.kind ?? '';
          return (
            <li key={id} class="party">
              <span class={`flag flag-${country}`}>{country}</span>
              <span>
                <a href={`#/?organizationId=${id}`}>{name}</a>
                <span class="sub">
                  {[termOf(t, 'kind', kind), org?.region ?? termOf(t, 'country', country)]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

function MeetingItem({
  partnership,
  meeting,
  acting,
}: {
  partnership: Partnership;
  meeting: Meeting;
  acting: Acting;
}) {
  const { t, language } = useI18n();
  const started = new Date(meeting.startsAt).getTime() <= Date.now();
  const formOpen = acting.open?.kind === 'outcome' && acting.open.id === meeting.meetingId;
  const when = formatMeetingTime(language, meeting.startsAt, meeting.timezone);
  return (
    <li class={`item meeting meeting-${meeting.status}`}>
      <div class="item-head">
        <strong>
          <time dateTime={meeting.startsAt}>{when.meeting}</time>
        </strong>
        {when.reader && <span class="sub">{t('meeting.yourTime', { time: when.reader })}</span>}
        <span class={`badge status-${meeting.status}`}>{t(`meeting.${meeting.status}`)}</span>
      </div>
      <dl class="facts">
        {meeting.agenda && (
          <>
            <dt>{t('meeting.agenda')}</dt>
            <dd>{meeting.agenda}</dd>
          </>
        )}
        {meeting.location && (
          <>
            <dt>{t('meeting.location')}</dt>
            <dd>{meeting.location}</dd>
          </>
        )}
        {meeting.videoUrl && (
          <>
            <dt>{t('meeting.video')}</dt>
            <dd>
              <a href={meeting.videoUrl} rel="noopener noreferrer" target="_blank">
                {meeting.videoUrl}
              </a>
            </dd>
          </>
        )}
        {meeting.attendees.length > 0 && (
          <>
            <dt>{t('meeting.attendees')}</dt>
            <dd>{meeting.attendees.map((a) => a.name ?? a.email).join(', ')}</dd>
          </>
        )}
        {meeting.outcome && (
          <>
            <dt>{t('meeting.outcome')}</dt>
            <dd>
              {termOf(t, 'outcome', meeting.outcome)}
              {meeting.heldAt && (
                <> — {t('meeting.heldAt', { date: formatDate(language, meeting.heldAt) })}</>
              )}
            </dd>
          </>
        )}
        {meeting.minutes && (
          <>
            <dt>{t('meeting.minutes')}</dt>
            <dd class="prewrap">{meeting.minutes}</dd>
          </>
        )}
        {meeting.cancellationReason && (
          <>
            <dt>{t('meeting.cancelled')}</dt>
            <dd>{meeting.cancellationReason}</dd>
          </>
        )}
      </dl>
      {acting.enabled && meeting.status === 'scheduled' && started && !formOpen && (
        <button
          type="button"
          class="button secondary"
          onClick={() => acting.setOpen({ kind: 'outcome', id: meeting.meetingId })}
        >
          {t('act.outcome')}
        </button>
      )}
      {formOpen && (
        <RecordOutcomeForm
          partnership={partnership}
          meeting={meeting}
          onDone={acting.done}
          onCancel={() => acting.setOpen(null)}
        />
      )}
    </li>
  );
}

function Meetings({ partnership, acting }: { partnership: Partnership; acting: Acting }) {
  const { t } = useI18n();
  const canSchedule = acting.enabled && partnership.status === 'active';
  const meetings = [...partnership.meetings].sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  return (
    <Section
      id="meetings"
      title={t('p.meetings')}
      actions={
        canSchedule &&
        acting.open?.kind !== 'schedule' && (
          <button type="button" class="button primary" onClick={() => acting.setOpen({ kind: 'schedule' })}>
            {t('act.schedule')}
          </button>
        )
      }
    >
      {acting.open?.kind === 'schedule' && (
        <ScheduleMeetingForm
          partnership={partnership}
          onDone={acting.done}
          onCancel={() => acting.setOpen(null)}
        />
      )}
      {meetings.length === 0 ? (
        <p class="empty">{t('common.none')}</p>
      ) : (
        <ul class="items">
          {meetings.map((m) => (
            <MeetingItem key={m.meetingId} partnership={partnership} meeting={m} acting={acting} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function Signatories({ document }: { document: SignedDocument }) {
  const { t, language } = useI18n();
  const name = useNames();
  return (
    <ul class="signatories" aria-label={t('doc.signatories')}>
      {document.signatories.map((org) => {
        const signature = document.signatures.find((s) => s.organizationId === org);
        return (
          <li key={org} class={signature ? 'signed' : 'pending'}>
            <span class="sign-mark" aria-hidden="true">
              {signature ? '✓' : '…'}
            </span>
            <span>
              <strong>{name(org)}</strong>{' '}
              {signature
                ? t('doc.signed', {
                    name: signature.signerName,
                    date: formatDate(language, signature.signedOn ?? signature.signedAt),
                  })
                : t('doc.pending')}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function DocumentItem(props: {
  partnership: Partnership;
  document: { kind: 'agreement'; value: Agreement } | { kind: 'mou'; value: Mou };
  acting: Acting;
}) {
  const { t, language } = useI18n();
  const doc = props.document.value;
  const id =
    props.document.kind === 'agreement' ? props.document.value.agreementId : props.document.value.mouId;
  const formOpen = props.acting.open?.kind === 'sign' && props.acting.open.id === id;
  const agreement = props.document.kind === 'agreement' ? props.document.value : null;
  const signedBy = new Set(doc.signatures.map((s) => s.organizationId));
  const awaited = doc.signatories.filter((org) => !signedBy.has(org) && props.acting.maySignFor(org));
  return (
    <li class="item document">
      <div class="item-head">
        <strong>{doc.title}</strong>
        <span class={`badge status-${doc.status}`}>{t(`doc.${doc.status}`)}</span>
      </div>
      {doc.scope && <p>{doc.scope}</p>}
      <p class="sub">
        {[
          agreement && t('doc.term', { months: agreement.termMonths }),
          doc.executedOn && t('doc.executedOn', { date: formatDate(language, doc.executedOn) }),
          agreement?.expiresOn && t('doc.expires', { date: formatDate(language, agreement.expiresOn) }),
          agreement && agreement.amendments > 0 && t('doc.amended', { count: agreement.amendments }),
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      <Signatories document={doc} />
      {props.acting.enabled &&
        doc.status === 'draft' &&
        props.partnership.status !== 'withdrawn' &&
        awaited.length > 0 &&
        !formOpen && (
          <button
            type="button"
            class="button secondary"
            onClick={() => props.acting.setOpen({ kind: 'sign', id })}
          >
            {t('act.sign')}
          </button>
        )}
      {formOpen && (
        <RecordSignatureForm
          partnership={props.partnership}
          document={props.document}
          signFor={awaited}
          onDone={props.acting.done}
          onCancel={() => props.acting.setOpen(null)}
        />
      )}
    </li>
  );
}

function Projects({ partnership }: { partnership: Partnership }) {
  const { t, language } = useI18n();
  const name = useNames();
  return (
    <Section id="projects" title={t('p.projects')}>
      {partnership.projects.length === 0 ? (
        <p class="empty">{t('common.none')}</p>
      ) : (
        <ul class="items">
          {partnership.projects.map((project) => (
            <li key={project.projectId} class="item project">
              <div class="item-head">
                <strong>{project.title}</strong>
                <span class={`badge status-${project.status}`}>{t(`project.${project.status}`)}</span>
              </div>
              {project.description && <p>{project.description}</p>}
              <dl class="facts">
                <dt>{t('project.budget')}</dt>
                <dd>{formatMoney(language, project.budget.amount, project.budget.currency)}</dd>
                <dt>{t('project.funding')}</dt>
                <dd>{project.fundingSources.join(', ')}</dd>
                <dt>{t('project.leads')}</dt>
                <dd>{project.leads.map((id) => name(id, partnership.partyDetails)).join(', ')}</dd>
              </dl>
              <p class="sub">{t('project.starts', { date: formatDate(language, project.startsOn) })}</p>
              {project.milestones.length > 0 && (
                <>
                  <h3 class="small-heading">{t('project.milestones')}</h3>
                  <ul class="milestones">
                    {project.milestones.map((m) => (
                      <li key={m.milestoneId} class={m.reachedOn ? 'reached' : 'due'}>
                        <span class="sign-mark" aria-hidden="true">
                          {m.reachedOn ? '✓' : '○'}
                        </span>
                        <span>
                          {m.title}{' '}
                          <span class="sub">
                            {m.reachedOn
                              ? t('project.reached', { date: formatDate(language, m.reachedOn) })
                              : t('project.due', { date: formatDate(language, m.dueOn) })}
                          </span>
                        </span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

interface TimelineEntry {
  date: string;
  text: string;
  /** Known only by when it was recorded (the proposal): shown as such when history was entered after the fact. */
  recorded?: boolean;
}

const day = (value: string) => value.slice(0, 10);

/**
 * What happened, by the dates the events carry (a meeting's start, a signature's day, a project's start).
 * Steps known only by their recording time (scheduling, drafting) are left out when the history was entered
 * after the fact, where they would appear after what they led to.
 */
function timelineOf(
  p: Partnership,
  t: Translate,
  language: 'en' | 'fr',
  name: (id: string) => string,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const unlessBackfilled = (recordedAt: string, before: string | null, entry: TimelineEntry) => {
    if (before === null || day(recordedAt) <= day(before)) entries.push(entry);
  };
  for (const m of p.meetings) {
    unlessBackfilled(m.scheduledAt, m.startsAt, {
      date: m.scheduledAt,
      text: t('tl.meetingScheduled', { date: formatDate(language, m.startsAt) }),
    });
    if (m.heldAt) {
      entries.push({
        date: m.heldAt,
        text: t('tl.meetingHeld', { outcome: termOf(t, 'outcome', m.outcome ?? '') }),
      });
    }
    if (m.cancelledAt) entries.push({ date: m.cancelledAt, text: t('tl.meetingCancelled') });
  }
  const documents = [
    ...p.agreements.map(
      (a) =>
        ({
          doc: a as SignedDocument,
          drafted: 'tl.agreementDrafted',
          executed: 'tl.agreementExecuted',
        }) as const,
    ),
    ...p.mous.map(
      (m) => ({ doc: m as SignedDocument, drafted: 'tl.mouDrafted', executed: 'tl.mouExecuted' }) as const,
    ),
  ];
  for (const { doc, drafted, executed } of documents) {
    const signedOn = doc.signatures.map((s) => s.signedOn ?? s.signedAt).sort();
    unlessBackfilled(doc.draftedAt, signedOn[0] ?? null, {
      date: doc.draftedAt,
      text: t(drafted, { title: doc.title }),
    });
    for (const s of doc.signatures) {
      entries.push({
        date: s.signedOn ?? s.signedAt,
        text: t('tl.signed', { organization: name(s.organizationId), title: doc.title }),
      });
    }
    if (doc.executedOn) entries.push({ date: doc.executedOn, text: t(executed, { title: doc.title }) });
  }
  for (const a of p.agreements) {
    if (a.expiresOn) entries.push({ date: a.expiresOn, text: t('tl.agreementExpires', { title: a.title }) });
  }
  for (const project of p.projects) {
    entries.push({ date: project.startsOn, text: t('tl.projectLaunched', { title: project.title }) });
    for (const m of project.milestones) {
      if (m.reachedOn) entries.push({ date: m.reachedOn, text: t('tl.milestone', { title: m.title }) });
    }
    if (project.completedOn) {
      entries.push({ date: project.completedOn, text: t('tl.projectCompleted', { title: project.title }) });
    }
  }
  entries.sort((a, b) => day(a.date).localeCompare(day(b.date)));
  const first = entries[0];
  const backfilled = first !== undefined && day(first.date) < day(p.createdAt);
  return [{ date: p.createdAt, text: t('tl.proposed'), recorded: backfilled }, ...entries];
}

function Timeline({ partnership }: { partnership: Partnership }) {
  const { t, language } = useI18n();
  const name = useNames();
  const entries = timelineOf(partnership, t, language, (id) => name(id, partnership.partyDetails));
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Section id="timeline" title={t('p.timeline')}>
      <ol class="timeline">
        {entries.map((entry, index) => (
          <li key={index} class={entry.date.slice(0, 10) > today ? 'future' : ''}>
            <time dateTime={entry.date.slice(0, 10)}>
              {entry.recorded
                ? t('tl.recorded', { date: formatDate(language, entry.date) })
                : formatDate(language, entry.date)}
            </time>
            <span>{entry.text}</span>
          </li>
        ))}
      </ol>
    </Section>
  );
}

function actorOf(event: HistoryEvent): string {
  const actor = event.metadata.actor;
  if (!actor) return '—';
  const roles = actor.roles.join(', ');
  return `${actor.name ?? actor.sub}${roles ? ` (${roles})` : ''}`;
}

function HistoryTable({ history, onTravel }: { history: History; onTravel: (revision: number) => void }) {
  const { t, language } = useI18n();
  return (
    <div class="table-scroll">
      <table class="data history stack">
        <thead>
          <tr>
            <th scope="col" class="num">
              {t('history.revision')}
            </th>
            <th scope="col">{t('history.type')}</th>
            <th scope="col">{t('history.recorded')}</th>
            <th scope="col">{t('history.actor')}</th>
            <th scope="col">{t('history.details')}</th>
          </tr>
        </thead>
        <tbody>
          {history.events.map((event) => (
            <tr key={event.id}>
              <td class="num">
                <button
                  type="button"
                  class="button link"
                  onClick={() => onTravel(event.revision)}
                  aria-label={`${t('p.viewing', { revision: event.revision })}`}
                >
                  {event.revision}
                </button>
              </td>
              <th scope="row">
                {termOf(t, 'ev', event.type)}
                <span class="sub code">
                  {event.type} v{event.version}
                  {event.storedVersion !== event.version &&
                    ` · ${t('history.upcast', { stored: event.storedVersion, current: event.version })}`}
                </span>
              </th>
              <td>
                <time dateTime={event.recordedAt}>{formatDateTime(language, event.recordedAt)}</time>
                <span class="sub">
                  {t('history.position')} {formatNumber(language, event.position)}
                </span>
              </td>
              <td>{actorOf(event)}</td>
              <td>
                <details>
                  <summary>{t('history.details')}</summary>
                  <h3 class="small-heading">{t('history.data')}</h3>
                  <pre>{JSON.stringify(event.data, null, 2)}</pre>
                  <h3 class="small-heading">{t('history.metadata')}</h3>
                  <pre>{JSON.stringify(event.metadata, null, 2)}</pre>
                  {event.hash && (
                    <p class="code">
                      {t('history.hash')}: {event.hash}
                    </p>
                  )}
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A slider over the stream's revisions; the page shows the state folded up to the chosen one. */
function TimeTravel(props: {
  latest: number;
  viewing: number | null;
  history: History | null;
  loading: boolean;
  onChange: (revision: number | null) => void;
}) {
  const { t, language } = useI18n();
  const value = props.viewing ?? props.latest;
  const event = props.history?.events.find((e) => e.revision === value);
  const describe = event
    ? t('tt.event', { type: termOf(t, 'ev', event.type), date: formatDateTime(language, event.recordedAt) })
    : '';
  const valueText = `${t('tt.value', { revision: value, max: props.latest })}${describe ? ` — ${describe}` : ''}`;
  return (
    <Section id="time-travel" title={t('p.timeTravel')} class="time-travel">
      <p class="muted">{t('tt.intro')}</p>
      <div class="slider-row">
        <label for="time-travel-slider">{t('tt.label')}</label>
        <input
          id="time-travel-slider"
          type="range"
          min={0}
          max={props.latest}
          step={1}
          value={value}
          aria-valuetext={valueText}
          onInput={(e) => {
            const next = Number(e.currentTarget.value);
            props.onChange(next >= props.latest ? null : next);
          }}
        />
        <output for="time-travel-slider" class="slider-value" data-testid="time-travel-value">
          {valueText}
        </output>
        {props.viewing !== null && (
          <button type="button" class="button secondary" onClick={() => props.onChange(null)}>
            {t('tt.latest')}
          </button>
        )}
      </div>
      {props.loading && (
        <p class="muted" role="status">
          {t('tt.loading')}
        </p>
      )}
    </Section>
  );
}

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
