import { Section } from '../../components/ui';
import { formatDate, formatMeetingTime } from '../../format';
import { termOf, useI18n } from '../../i18n';
import type { Meeting, Partnership } from '../../types';
import { RecordOutcomeForm, ScheduleMeetingForm } from '../actions';
import { Acting } from './common';

/** Introduction meetings: scheduled, held (outcome, minutes, who came) or cancelled. */
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

export function Meetings({ partnership, acting }: { partnership: Partnership; acting: Acting }) {
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
