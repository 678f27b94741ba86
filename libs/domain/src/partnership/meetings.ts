import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { dateInZone, parseInstant, type Instant } from '../shared/time';
import { optionalHttpUrl, optionalText, requireText } from '../shared/validation';
import type {
  CancelIntroductionMeeting,
  RecordIntroductionMeetingOutcome,
  RescheduleIntroductionMeeting,
  ScheduleIntroductionMeeting,
} from './commands';
import type {
  IntroductionMeetingCancelled,
  IntroductionMeetingHeld,
  IntroductionMeetingRescheduled,
  IntroductionMeetingScheduled,
  PartnershipEvent,
} from './events';
import { businessDate, Context, requireNotBefore, resolveAttendees } from './rules';
import { isOneOf } from '../shared/vocabulary';
import { MEETING_OUTCOMES } from './stages';
import { advance, replaceWhere, type Meeting, type Partnership } from './state';

const DEFAULT_LENGTH_MS = 60 * 60 * 1000;

const findMeeting = (context: Context, meetingId: string): Meeting => {
  const meeting = context.partnership.meetings.find((candidate) => candidate.meetingId === meetingId);
  if (!meeting) throw fail('meeting.not_found', `Meeting ${meetingId} not found`, { meetingId });
  return meeting;
};

/** Only a meeting still on the calendar can be moved, cancelled or recorded as held. */
const requireScheduled = (meeting: Meeting): void => {
  if (meeting.status === 'held') {
    throw fail('meeting.already_held', `Meeting ${meeting.meetingId} has already been held`, {
      meetingId: meeting.meetingId,
    });
  }
  if (meeting.status === 'cancelled') {
    throw fail('meeting.cancelled', `Meeting ${meeting.meetingId} was cancelled`, {
      meetingId: meeting.meetingId,
    });
  }
};

/** Time zones already checked: building an Intl.DateTimeFormat is the costly part of scheduling. */
const knownTimezones = new Set<string>(['UTC']);

const requireTimezone = (value: unknown): string => {
  const timezone = optionalText(value, 'timezone') ?? 'UTC';
  if (knownTimezones.has(timezone)) return timezone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    if (knownTimezones.size < 1000) knownTimezones.add(timezone);
  } catch {
    throw fail('meeting.invalid_timezone', `${timezone} is not an IANA time zone such as Europe/Paris`, {
      timezone,
    });
  }
  return timezone;
};

/** The end, or the start plus `defaultLengthMs`; it must come after the start. */
const endOf = (startsAtMs: number, endsAt: unknown, defaultLengthMs: number): string => {
  const endsAtMs =
    endsAt === undefined || endsAt === null
      ? startsAtMs + defaultLengthMs
      : parseInstant(endsAt, 'endsAt').ms;
  if (endsAtMs <= startsAtMs) {
    throw fail('meeting.ends_before_start', 'A meeting must end after it starts', { endsAt });
  }
  return new Date(endsAtMs).toISOString();
};

/**
 * A meeting is not dated before the partnership's proposal. Scheduling one that is already past records
 * history, dated the day it took place; scheduling one to come happens today.
 */
const scheduledOn = (startsAt: Instant, context: Context): string => {
  requireNotBefore(
    'partnership.before_proposal',
    'A meeting cannot start before the partnership was proposed',
    startsAt.localDate,
    { proposedOn: context.partnership.proposedOn },
  );
  return startsAt.ms <= context.now.getTime() ? startsAt.localDate : context.today;
};

const calendarFieldsOf = (meeting: Meeting) => ({
  timezone: meeting.timezone,
  location: meeting.location,
  videoUrl: meeting.videoUrl,
  agenda: meeting.agenda,
  attendees: meeting.attendees,
});

export const scheduleMeeting = (
  command: ScheduleIntroductionMeeting,
  context: Context,
): PartnershipEvent[] => {
  const { data } = command;
  const meetingId = requireText(data.meetingId, 'meetingId');
  if (context.partnership.meetings.some((meeting) => meeting.meetingId === meetingId)) {
    throw fail('meeting.already_exists', `Meeting ${meetingId} already exists`, { meetingId });
  }
  const startsAt = parseInstant(data.startsAt, 'startsAt');
  const endsAt = endOf(startsAt.ms, data.endsAt, DEFAULT_LENGTH_MS);
  const on = scheduledOn(startsAt, context);
  const timezone = requireTimezone(data.timezone);
  const location = optionalText(data.location, 'location');
  const videoUrl = optionalHttpUrl(data.videoUrl, 'videoUrl');
  const agenda = optionalText(data.agenda, 'agenda');
  const attendees = resolveAttendees(context, data.attendees, 'attendees');
  if (attendees.length === 0) {
    throw fail('validation.required', 'A meeting needs at least one attendee', { field: 'attendees' });
  }
  return [
    {
      type: 'IntroductionMeetingScheduled',
      data: {
        partnershipId: context.partnership.id,
        meetingId,
        startsAt: startsAt.iso,
        endsAt,
        timezone,
        location,
        videoUrl,
        agenda,
        attendees,
        sequence: 0,
        invitations: startsAt.ms > context.now.getTime(),
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const rescheduleMeeting = (
  command: RescheduleIntroductionMeeting,
  context: Context,
): PartnershipEvent[] => {
  const { data } = command;
  const meeting = findMeeting(context, data.meetingId);
  requireScheduled(meeting);
  const startsAt = parseInstant(data.startsAt, 'startsAt');
  const endsAt = endOf(startsAt.ms, data.endsAt, Date.parse(meeting.endsAt) - Date.parse(meeting.startsAt));
  const on = scheduledOn(startsAt, context);
  return [
    {
      type: 'IntroductionMeetingRescheduled',
      data: {
        partnershipId: context.partnership.id,
        meetingId: meeting.meetingId,
        startsAt: startsAt.iso,
        endsAt,
        previousStartsAt: meeting.startsAt,
        previousEndsAt: meeting.endsAt,
        ...calendarFieldsOf(meeting),
        sequence: meeting.sequence + 1,
        invitations: startsAt.ms > context.now.getTime(),
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const cancelMeeting = (command: CancelIntroductionMeeting, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const meeting = findMeeting(context, data.meetingId);
  requireScheduled(meeting);
  const reason = requireText(data.reason, 'reason');
  const on = businessDate(data.on, context.today);
  requireNotBefore(
    'partnership.before_proposal',
    'A cancellation cannot be dated before the partnership was proposed',
    on,
    { proposedOn: context.partnership.proposedOn },
  );
  return [
    {
      type: 'IntroductionMeetingCancelled',
      data: {
        partnershipId: context.partnership.id,
        meetingId: meeting.meetingId,
        reason,
        startsAt: meeting.startsAt,
        endsAt: meeting.endsAt,
        ...calendarFieldsOf(meeting),
        sequence: meeting.sequence + 1,
        invitations: Date.parse(meeting.startsAt) > context.now.getTime(),
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

/**
 * An outcome is not dated before its meeting started: a time is compared with the start, a plain date with
 * the day the meeting started in its own time zone.
 */
const requireHeldAfterStart = (meeting: Meeting, heldAt: Instant, written: unknown): void => {
  const startedOn = dateInZone(new Date(meeting.startsAt), meeting.timezone);
  const isDate = typeof written === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(written.trim());
  const before = isDate ? heldAt.localDate < startedOn : heldAt.ms < Date.parse(meeting.startsAt);
  if (before) {
    throw fail(
      'meeting.held_before_start',
      `The outcome of meeting ${meeting.meetingId} cannot be dated before it started`,
      {
        meetingId: meeting.meetingId,
        heldAt: written,
        startsAt: meeting.startsAt,
      },
    );
  }
};

export const recordMeetingOutcome = (
  command: RecordIntroductionMeetingOutcome,
  context: Context,
): PartnershipEvent[] => {
  const { data } = command;
  const meeting = findMeeting(context, data.meetingId);
  requireScheduled(meeting);
  if (Date.parse(meeting.startsAt) > context.now.getTime()) {
    throw fail('meeting.not_started', `Meeting ${meeting.meetingId} has not started yet`, {
      meetingId: meeting.meetingId,
      startsAt: meeting.startsAt,
    });
  }
  const outcome = data.outcome;
  if (!isOneOf(MEETING_OUTCOMES, outcome)) {
    throw fail('meeting.invalid_outcome', `outcome must be one of ${MEETING_OUTCOMES.join(', ')}`, {
      outcome: data.outcome,
      allowed: MEETING_OUTCOMES,
    });
  }
  const heldAt = parseInstant(data.heldAt, 'heldAt', { dateAllowed: true });
  if (heldAt.ms > context.now.getTime()) {
    throw fail('meeting.held_in_future', 'heldAt cannot be in the future', { heldAt: data.heldAt });
  }
  requireHeldAfterStart(meeting, heldAt, data.heldAt);
  const attendeesPresent =
    data.attendeesPresent === undefined || data.attendeesPresent === null
      ? null
      : resolveAttendees(context, data.attendeesPresent, 'attendeesPresent');
  return [
    {
      type: 'IntroductionMeetingHeld',
      data: {
        partnershipId: context.partnership.id,
        meetingId: meeting.meetingId,
        heldAt: heldAt.iso,
        outcome,
        minutes: optionalText(data.minutes, 'minutes'),
        attendeesPresent,
        on: heldAt.localDate,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export type MeetingEvent =
  | IntroductionMeetingScheduled
  | IntroductionMeetingRescheduled
  | IntroductionMeetingCancelled
  | IntroductionMeetingHeld;

/** The partnership after one of its meeting events; a meeting held with interest introduces the parties. */
export const evolveMeetings = (partnership: Partnership, event: MeetingEvent): Partnership => {
  switch (event.type) {
    case 'IntroductionMeetingScheduled': {
      const { partnershipId: _p, occurredAt, on: _on, ...meeting } = event.data;
      return {
        ...partnership,
        meetings: [
          ...partnership.meetings,
          {
            ...meeting,
            status: 'scheduled',
            scheduledAt: occurredAt,
            heldAt: null,
            heldOn: null,
            outcome: null,
            minutes: null,
            attendeesPresent: null,
            cancelledAt: null,
            cancellationReason: null,
          },
        ],
      };
    }
    case 'IntroductionMeetingRescheduled': {
      const { meetingId, startsAt, endsAt, sequence, invitations } = event.data;
      return {
        ...partnership,
        meetings: replaceWhere(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
          ...meeting,
          startsAt,
          endsAt,
          sequence,
          invitations,
        })),
      };
    }
    case 'IntroductionMeetingCancelled': {
      const { meetingId, sequence, reason, occurredAt } = event.data;
      return {
        ...partnership,
        meetings: replaceWhere(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
          ...meeting,
          status: 'cancelled',
          sequence,
          cancelledAt: occurredAt,
          cancellationReason: reason,
        })),
      };
    }
    case 'IntroductionMeetingHeld': {
      const { meetingId, heldAt, outcome, minutes, attendeesPresent, on } = event.data;
      const withMeeting = {
        ...partnership,
        meetings: replaceWhere(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
          ...meeting,
          status: 'held' as const,
          heldAt,
          heldOn: on,
          outcome,
          minutes,
          attendeesPresent,
        })),
      };
      return outcome === 'interested' ? advance(withMeeting, 'introduced') : withMeeting;
    }
    default:
      return assertNever(event, 'meeting event');
  }
};
