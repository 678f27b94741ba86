import { Section } from '../../components/ui';
import { formatDate } from '../../format';
import { termOf, Translate, useI18n } from '../../i18n';
import type { Partnership, SignedDocument } from '../../types';
import { useNames } from './common';

/** The partnership's steps in date order, in words. */
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

export function Timeline({ partnership }: { partnership: Partnership }) {
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
