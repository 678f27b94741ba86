import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  attendee,
  command,
  event,
  histories,
  IHUB,
  MEETING_ID,
  meetingHeld,
  meetingScheduled,
  NOW,
  OBSERVER,
  POLE,
  proposed,
  suspended,
  US_COMPANY,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

/** A meeting ten days after NOW, announced to its attendees. */
const upcoming = () =>
  meetingScheduled({
    startsAt: '2025-03-20T16:00:00.000Z',
    endsAt: '2025-03-20T17:30:00.000Z',
    invitations: true,
  });

const schedule = (overrides: Partial<Parameters<typeof command<'ScheduleIntroductionMeeting'>>[1]> = {}) =>
  command('ScheduleIntroductionMeeting', {
    meetingId: MEETING_ID,
    startsAt: '2025-03-20T09:00:00-07:00',
    endsAt: '2025-03-20T10:30:00-07:00',
    timezone: 'America/Los_Angeles',
    videoUrl: 'https://meet.example.org/blue-bridge',
    agenda: 'Introductions',
    attendees: ['Alice@ihub.example.org', 'bruno@polemer.example.fr'],
    ...overrides,
  });

describe('ScheduleIntroductionMeeting', () => {
  it('schedules a future meeting with invitations, times in UTC, attendees with their language', () => {
    given([proposed()])
      .when(schedule())
      .then([
        meetingScheduled({
          startsAt: '2025-03-20T16:00:00.000Z',
          endsAt: '2025-03-20T17:30:00.000Z',
          invitations: true,
        }),
      ]);
  });

  it('records a meeting whose start is already past without invitations (history entered after the fact)', () => {
    given([proposed()])
      .when(schedule({ startsAt: '2025-03-03T17:00:00Z', endsAt: '2025-03-03T18:00:00Z' }))
      .then([meetingScheduled({ invitations: false })]);
  });

  it('treats a meeting starting exactly now as past', () => {
    const [scheduled] = partnershipDecider.decide(
      schedule({ startsAt: NOW.toISOString(), endsAt: null }),
      fold(partnershipDecider, [proposed()]),
    );
    expect(scheduled.data).toMatchObject({ invitations: false });
  });

  it('defaults to one hour in UTC without location or agenda', () => {
    given([proposed()])
      .when(
        command('ScheduleIntroductionMeeting', {
          meetingId: MEETING_ID,
          startsAt: '2025-03-20T16:00:00Z',
          attendees: [OBSERVER],
        }),
      )
      .then([
        event('IntroductionMeetingScheduled', {
          meetingId: MEETING_ID,
          startsAt: '2025-03-20T16:00:00.000Z',
          endsAt: '2025-03-20T17:00:00.000Z',
          timezone: 'UTC',
          location: null,
          videoUrl: null,
          agenda: null,
          attendees: [{ email: OBSERVER, name: null, language: null, organizationId: null }],
          sequence: 0,
          invitations: true,
        }),
      ]);
  });

  it('refuses a meeting that ends before it starts', () => {
    given([proposed()])
      .when(schedule({ endsAt: '2025-03-20T08:00:00-07:00' }))
      .thenThrows('meeting.ends_before_start');
  });

  it('refuses an attendee who is neither a contact of the parties nor an observer', () => {
    given([proposed()])
      .when(schedule({ attendees: ['alice@ihub.example.org', US_COMPANY.contacts[0].email] }))
      .thenThrows('meeting.attendee_not_allowed', { email: US_COMPANY.contacts[0].email });
  });

  it('refuses a meeting without attendees', () => {
    given([proposed()])
      .when(schedule({ attendees: [] }))
      .thenThrows('validation.required', { field: 'attendees' });
  });

  it('refuses an unknown time zone, a start without an offset and a video link that is not http(s)', () => {
    given([proposed()])
      .when(schedule({ timezone: 'Pacific/Atlantis' }))
      .thenThrows('meeting.invalid_timezone');
    given([proposed()])
      .when(schedule({ startsAt: '2025-03-20T09:00:00' }))
      .thenThrows('validation.invalid_timestamp', { field: 'startsAt' });
    given([proposed()])
      .when(schedule({ videoUrl: 'meet.example.org' }))
      .thenThrows('validation.invalid_url');
  });

  it('refuses a meeting id already used', () => {
    given([proposed(), upcoming()]).when(schedule()).thenThrows('meeting.already_exists');
  });

  it('refuses to schedule while the partnership is on hold', () => {
    given([proposed(), suspended('proposed')])
      .when(schedule())
      .thenThrows('partnership.on_hold');
  });
});

describe('RescheduleIntroductionMeeting', () => {
  const reschedule = (startsAt: string, endsAt?: string) =>
    command('RescheduleIntroductionMeeting', { meetingId: MEETING_ID, startsAt, endsAt });

  it('moves the meeting, keeps its length and increments its sequence', () => {
    given([proposed(), upcoming()])
      .when(reschedule('2025-03-21T16:00:00Z'))
      .then([
        event('IntroductionMeetingRescheduled', {
          meetingId: MEETING_ID,
          startsAt: '2025-03-21T16:00:00.000Z',
          endsAt: '2025-03-21T17:30:00.000Z',
          previousStartsAt: '2025-03-20T16:00:00.000Z',
          previousEndsAt: '2025-03-20T17:30:00.000Z',
          timezone: 'America/Los_Angeles',
          location: null,
          videoUrl: 'https://meet.example.org/blue-bridge',
          agenda: 'Introductions',
          attendees: [attendee(IHUB), attendee(POLE)],
          sequence: 1,
          invitations: true,
        }),
      ]);
  });

  it('counts every reschedule in the sequence', () => {
    const first = partnershipDecider.decide(
      reschedule('2025-03-21T16:00:00Z'),
      fold(partnershipDecider, [proposed(), upcoming()]),
    );
    const [second] = partnershipDecider.decide(
      reschedule('2025-03-22T16:00:00Z', '2025-03-22T16:30:00Z'),
      fold(partnershipDecider, [proposed(), upcoming(), ...first]),
    );
    expect(second.data).toMatchObject({ sequence: 2, endsAt: '2025-03-22T16:30:00.000Z' });
  });

  it('refuses to reschedule a meeting already held', () => {
    given([...histories.introduced()])
      .when(reschedule('2025-03-21T16:00:00Z'))
      .thenThrows('meeting.already_held');
  });

  it('refuses to reschedule a cancelled meeting', () => {
    const cancelled = partnershipDecider.decide(
      command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason: 'Travel ban' }),
      fold(partnershipDecider, [proposed(), upcoming()]),
    );
    given([proposed(), upcoming(), ...cancelled])
      .when(reschedule('2025-03-21T16:00:00Z'))
      .thenThrows('meeting.cancelled');
  });

  it('refuses an unknown meeting', () => {
    given([proposed()]).when(reschedule('2025-03-21T16:00:00Z')).thenThrows('meeting.not_found');
  });

  it('refuses a new end before the new start', () => {
    given([proposed(), upcoming()])
      .when(reschedule('2025-03-21T16:00:00Z', '2025-03-21T15:00:00Z'))
      .thenThrows('meeting.ends_before_start');
  });
});

describe('CancelIntroductionMeeting', () => {
  const cancel = (reason = 'The French delegation cannot travel') =>
    command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason });

  it('cancels a scheduled meeting, with the next sequence and what the calendar cancellation needs', () => {
    given([proposed(), upcoming()])
      .when(cancel())
      .then([
        event('IntroductionMeetingCancelled', {
          meetingId: MEETING_ID,
          reason: 'The French delegation cannot travel',
          startsAt: '2025-03-20T16:00:00.000Z',
          endsAt: '2025-03-20T17:30:00.000Z',
          timezone: 'America/Los_Angeles',
          location: null,
          videoUrl: 'https://meet.example.org/blue-bridge',
          agenda: 'Introductions',
          attendees: [attendee(IHUB), attendee(POLE)],
          sequence: 1,
          invitations: true,
        }),
      ]);
  });

  it('requires a reason', () => {
    given([proposed(), upcoming()]).when(cancel('  ')).thenThrows('validation.required', { field: 'reason' });
  });

  it('refuses to cancel a meeting already held', () => {
    given(histories.introduced()).when(cancel()).thenThrows('meeting.already_held');
  });

  it('refuses to cancel twice', () => {
    const cancelled = partnershipDecider.decide(cancel(), fold(partnershipDecider, [proposed(), upcoming()]));
    given([proposed(), upcoming(), ...cancelled])
      .when(cancel())
      .thenThrows('meeting.cancelled');
  });
});

describe('RecordIntroductionMeetingOutcome', () => {
  const outcome = (
    overrides: Partial<Parameters<typeof command<'RecordIntroductionMeetingOutcome'>>[1]> = {},
  ) =>
    command('RecordIntroductionMeetingOutcome', {
      meetingId: MEETING_ID,
      heldAt: '2025-03-03T17:00:00Z',
      outcome: 'interested',
      ...overrides,
    });

  it('records the outcome of a meeting that has taken place', () => {
    given([proposed(), meetingScheduled()])
      .when(outcome())
      .then([meetingHeld('interested')]);
  });

  it('records minutes and who was present', () => {
    given([proposed(), meetingScheduled()])
      .when(
        outcome({
          outcome: 'follow_up',
          minutes: 'Second call in April',
          attendeesPresent: ['bruno@polemer.example.fr'],
        }),
      )
      .then([
        event('IntroductionMeetingHeld', {
          meetingId: MEETING_ID,
          heldAt: '2025-03-03T17:00:00.000Z',
          outcome: 'follow_up',
          minutes: 'Second call in April',
          attendeesPresent: [attendee(POLE)],
        }),
      ]);
  });

  it('moves a proposed partnership to introduced when the parties are interested', () => {
    const state = fold(partnershipDecider, histories.introduced()) as Partnership;
    expect({ stage: state.stage, meeting: state.meetings[0].status }).toStrictEqual({
      stage: 'introduced',
      meeting: 'held',
    });
  });

  it('leaves the stage as it is for any other outcome', () => {
    const state = fold(partnershipDecider, [
      proposed(),
      meetingScheduled(),
      meetingHeld('follow_up'),
    ]) as Partnership;
    expect(state.stage).toBe('proposed');
  });

  it('refuses an outcome for a meeting that has not started', () => {
    given([proposed(), upcoming()]).when(outcome()).thenThrows('meeting.not_started');
  });

  it('refuses a heldAt in the future', () => {
    given([proposed(), meetingScheduled()])
      .when(outcome({ heldAt: '2025-03-10T09:00:01Z' }))
      .thenThrows('meeting.held_in_future');
  });

  it('refuses an outcome outside the vocabulary', () => {
    given([proposed(), meetingScheduled()])
      .when(outcome({ outcome: 'maybe' }))
      .thenThrows('meeting.invalid_outcome');
  });

  it('refuses a second outcome for the same meeting', () => {
    given(histories.introduced()).when(outcome()).thenThrows('meeting.already_held');
  });

  it('refuses an unknown meeting', () => {
    given([proposed()]).when(outcome()).thenThrows('meeting.not_found');
  });
});
