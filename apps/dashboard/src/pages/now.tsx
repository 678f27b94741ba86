import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { PageHeader } from '../components/layout';
import { ErrorBox, Loading, Section } from '../components/ui';
import { ENDPOINTS } from '../endpoints';
import { formatDate, formatDateTime, formatMeetingTime, formatNumber, relativeTime } from '../format';
import { href, useLive, useLiveStatus, useLoad } from '../hooks';
import { termOf, useI18n, type Language } from '../i18n';
import type { ActivityItem, ActivityPage, Upcoming } from '../types';

/** The feed as shown, with the language its sentences are in. */
interface Feed extends ActivityPage {
  language: Language;
}

const merge = (a: ActivityItem[], b: ActivityItem[]) => {
  const byPosition = new Map([...a, ...b].map((item) => [item.position, item]));
  return [...byPosition.values()].sort((x, y) => y.position - x.position);
};

export function LiveIndicator() {
  const { t } = useI18n();
  const status = useLiveStatus();
  const label =
    status === 'open' ? t('now.live') : status === 'connecting' ? t('now.connecting') : t('now.reconnecting');
  return (
    <span class={`live live-${status}`}>
      <span class="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function ActivityFeed() {
  const { t, language } = useI18n();
  const [feed, setFeed] = useState<Feed | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const known = useRef<Set<number> | null>(null);
  // The language the page shows now: an answer asked for in another one is dropped.
  const shown = useRef(language);
  shown.current = language;

  const loadNewest = async () => {
    const asked = language;
    try {
      const page = await get<ActivityPage>(ENDPOINTS.activity, { limit: 20, lang: asked });
      if (shown.current !== asked) return;
      setError(null);
      // In the language shown, newer entries join the feed; after a switch, the feed starts again in the new one.
      setFeed((current) =>
        current?.language === asked
          ? { items: merge(current.items, page.items), nextBefore: current.nextBefore, language: asked }
          : { ...page, language: asked },
      );
      if (known.current) {
        const added = page.items.filter((item) => !known.current!.has(item.position));
        if (added.length) {
          setFresh((current) => new Set([...current, ...added.map((item) => item.position)]));
          setAnnouncement(t('now.newEvent', { text: added[0]!.text }));
        }
      }
      known.current = new Set([...(known.current ?? []), ...page.items.map((item) => item.position)]);
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const loadOlder = async () => {
    if (!feed?.nextBefore || feed.language !== language) return;
    const page = await get<ActivityPage>(ENDPOINTS.activity, {
      limit: 20,
      before: feed.nextBefore,
      lang: feed.language,
    });
    if (shown.current !== feed.language) return;
    page.items.forEach((item) => known.current?.add(item.position));
    setFeed({ items: merge(feed.items, page.items), nextBefore: page.nextBefore, language: feed.language });
  };

  useEffect(() => {
    void loadNewest();
  }, [language]);
  useLive(() => void loadNewest());

  return (
    <Section id="activity" title={t('now.activity')} actions={<LiveIndicator />}>
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {error && <ErrorBox error={error} onRetry={() => void loadNewest()} />}
      {!feed && !error && <Loading />}
      {feed && feed.items.length === 0 && <p class="empty">{t('now.nothing')}</p>}
      {feed && feed.items.length > 0 && (
        <ol class="feed" data-testid="activity-feed">
          {feed.items.map((item) => {
            return (
              <li key={item.position} class={`feed-item ${fresh.has(item.position) ? 'fresh' : ''}`}>
                <span class="feed-type">{termOf(t, 'ev', item.type)}</span>
                <p class="feed-text" lang={feed.language}>
                  {item.partnershipId ? (
                    <a href={href(`/partnerships/${item.partnershipId}`)}>{item.text}</a>
                  ) : (
                    item.text
                  )}
                </p>
                <p class="feed-meta">
                  <time dateTime={item.recordedAt} title={formatDateTime(language, item.recordedAt)}>
                    {relativeTime(language, item.recordedAt)}
                  </time>
                  {item.actor && <> · {t('now.by', { actor: item.actor })}</>}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      {feed?.nextBefore ? (
        <button type="button" class="button secondary" onClick={() => void loadOlder()}>
          {t('now.older')}
        </button>
      ) : null}
    </Section>
  );
}

function UpcomingPanel() {
  const { t, language } = useI18n();
  const upcoming = useLoad((signal) => get<Upcoming>(ENDPOINTS.upcoming, {}, signal), []);
  useLive(() => upcoming.reload());
  const data = upcoming.data;
  return (
    <Section id="upcoming" title={t('now.upcoming')}>
      {upcoming.error && <ErrorBox error={upcoming.error} onRetry={upcoming.reload} />}
      {!data && !upcoming.error && <Loading />}
      {data && (
        <>
          <h3>{t('now.meetings')}</h3>
          {data.meetings.length === 0 ? (
            <p class="empty">{t('now.nothing')}</p>
          ) : (
            <ul class="agenda">
              {data.meetings.map((m) => {
                const when = formatMeetingTime(language, m.startsAt, m.timezone);
                return (
                  <li key={m.meetingId}>
                    <time dateTime={m.startsAt}>{when.meeting}</time>
                    {when.reader && <span class="sub">{t('meeting.yourTime', { time: when.reader })}</span>}
                    <a href={href(`/partnerships/${m.partnershipId}`)}>{m.partnershipTitle}</a>
                    {(m.agenda || m.location) && (
                      <span class="sub">{[m.agenda, m.location].filter(Boolean).join(' · ')}</span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          <h3>{t('now.signatures')}</h3>
          {data.pendingSignatures.length === 0 ? (
            <p class="empty">{t('now.nothing')}</p>
          ) : (
            <ul class="agenda">
              {data.pendingSignatures.map((s) => (
                <li key={`${s.documentId}:${s.organizationId}`}>
                  <span class="badge doc">{s.document === 'mou' ? t('now.mou') : t('now.agreement')}</span>
                  <a href={href(`/partnerships/${s.partnershipId}`)}>{s.title ?? s.partnershipTitle}</a>
                  <span class="sub">
                    {t('now.pendingSince', {
                      organization: s.organizationName,
                      date: formatDate(language, s.pendingSince),
                    })}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3>{t('now.expiring')}</h3>
          {data.expiringAgreements.length === 0 ? (
            <p class="empty">{t('now.nothing')}</p>
          ) : (
            <ul class="agenda">
              {data.expiringAgreements.map((a) => (
                <li key={a.agreementId}>
                  <a href={href(`/partnerships/${a.partnershipId}`)}>{a.title ?? a.partnershipTitle}</a>
                  <span class="sub">
                    {t('now.daysLeft', {
                      date: formatDate(language, a.expiresOn),
                      days: formatNumber(language, a.daysLeft),
                    })}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}

export function NowPage() {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${t('now.title')} · Passerelle`;
  }, [t]);
  return (
    <>
      <PageHeader title={t('now.title')} intro={t('now.intro')} />
      <div class="grid two">
        <ActivityFeed />
        <UpcomingPanel />
      </div>
    </>
  );
}
