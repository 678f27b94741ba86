import { assertNever, type PartnershipEvent } from '@passerelle/domain';
import { notificationIdFor, timerIdFor } from '../ids';
import type { PlannedNotification, PlannedTimer, Recipient, Template } from '../model';
import type { PartnershipEventEnvelope, PartnershipFacts, PlanningContext } from './facts';
import { attendeesAsRecipients, contactsOf, distinctRecipients, observersAsRecipients } from './recipients';

export interface Plan {
  notifications: PlannedNotification[];
  timers: PlannedTimer[];
}

export const EMPTY_PLAN: Plan = { notifications: [], timers: [] };

/**
 * Events that send nothing and set no timer whatever the partnership's state: planEvent returns at once
 * for them, and the dispatcher does not load the partnership and its organisations to plan them.
 */
export const PLANS_NOTHING: ReadonlySet<PartnershipEvent['type']> = new Set<PartnershipEvent['type']>([
  'PartnershipProposed',
  'IntroductionMeetingHeld',
  'AgreementSigned',
  'AgreementExpired',
  'JointProjectMilestoneReached',
  'JointProjectCompleted',
  'MouSigned',
  'PartnershipSuspended',
  'PartnershipResumed',
]);

const DAY_MS = 86_400_000;

/** Midnight UTC of a `YYYY-MM-DD` date. */
export const startOfDay = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/**
 * History is not news. An event decided longer ago than the cut-off (the log replayed on a first start, or a
 * rebuild) and a business date older than it (history entered after the fact: signatures dated last year, a
 * project that started months ago) send nothing; timers are still derived, and checked when they fire.
 */
const isRecent = (instant: Date, context: PlanningContext): boolean =>
  instant.getTime() >= context.now.getTime() - context.settings.historyCutoffMs;

function messages(
  envelope: PartnershipEventEnvelope,
  template: Template,
  subjectId: string | null,
  recipients: readonly Recipient[],
  notBefore: Date | null = null,
): PlannedNotification[] {
  return distinctRecipients(recipients).map((recipient) => ({
    id: notificationIdFor(envelope.id, recipient.email, template),
    partnershipId: envelope.event.data.partnershipId,
    source: { kind: 'event', id: envelope.id },
    position: envelope.position,
    template,
    subjectId,
    recipient,
    notBefore,
  }));
}

/** Contacts of every party and the configured observers: who hears of a milestone of the partnership. */
const everyone = (facts: PartnershipFacts, context: PlanningContext): Recipient[] => [
  ...contactsOf(facts, facts.partnership.parties),
  ...observersAsRecipients(context.settings.observerEmails),
];

type EventOf<T extends PartnershipEvent['type']> = Extract<PartnershipEvent, { type: T }>;

function planMeeting(
  envelope: PartnershipEventEnvelope,
  event: EventOf<
    'IntroductionMeetingScheduled' | 'IntroductionMeetingRescheduled' | 'IntroductionMeetingCancelled'
  >,
  facts: PartnershipFacts,
  context: PlanningContext,
): Plan {
  const { data } = event;
  const upcoming = Date.parse(data.startsAt) > context.now.getTime();
  const timers = timersOf(envelope, context);
  if (!data.invitations || !upcoming || !isRecent(new Date(data.occurredAt), context))
    return { notifications: [], timers };
  if (event.type !== 'IntroductionMeetingCancelled') {
    // Superseded before it could go out (a backlog): the later update carries the current time.
    const current = facts.partnership.meetings.find((meeting) => meeting.meetingId === data.meetingId);
    if (!current || current.status !== 'scheduled' || current.sequence !== data.sequence)
      return { notifications: [], timers };
  }
  const template: Template =
    event.type === 'IntroductionMeetingScheduled'
      ? 'meeting.invitation'
      : event.type === 'IntroductionMeetingRescheduled'
        ? 'meeting.updated'
        : 'meeting.cancelled';
  return {
    notifications: messages(envelope, template, data.meetingId, attendeesAsRecipients(data.attendees)),
    timers,
  };
}

function planSignatureRequests(
  envelope: PartnershipEventEnvelope,
  document: 'agreement' | 'mou',
  documentId: string,
  amendment: number,
  occurredAt: string,
  on: string,
  facts: PartnershipFacts,
  context: PlanningContext,
): Plan {
  const decidedAt = new Date(occurredAt);
  const timers = timersOf(envelope, context);
  if (!isRecent(decidedAt, context) || !isRecent(startOfDay(on), context))
    return { notifications: [], timers };
  const pending = pendingSignatories(facts, document, documentId, amendment);
  const notBefore = new Date(decidedAt.getTime() + context.settings.signatureRequestDelayMs);
  return {
    notifications: messages(envelope, 'signature.request', documentId, contactsOf(facts, pending), notBefore),
    timers,
  };
}

/**
 * Signatories still to sign this version of the document, as the partnership stands now; empty once it is
 * executed, amended again, or the partnership withdrawn.
 */
export function pendingSignatories(
  facts: PartnershipFacts,
  document: 'agreement' | 'mou',
  documentId: string,
  amendment: number,
): string[] {
  const { partnership } = facts;
  if (partnership.status === 'withdrawn') return [];
  const found =
    document === 'agreement'
      ? partnership.agreements.find((agreement) => agreement.agreementId === documentId)
      : partnership.mous.find((mou) => mou.mouId === documentId);
  if (!found || found.status !== 'draft') return [];
  if ('amendments' in found && found.amendments !== amendment) return [];
  const signed = new Set(found.signatures.map((signature) => signature.organizationId));
  return found.signatories.filter((id) => !signed.has(id));
}

/** An executed agreement's news: recorded and dated lately, and executed lately. */
function executedIsNews(event: EventOf<'AgreementExecuted'>, context: PlanningContext): boolean {
  const { data } = event;
  return (
    isRecent(new Date(data.occurredAt), context) &&
    isRecent(startOfDay(data.on), context) &&
    isRecent(startOfDay(data.executedOn), context)
  );
}

/**
 * The timers an event sets: they follow from the event alone (its dates, the settings and the time now),
 * never from the partnership's state, which is checked when a timer fires (fireTimer). Pure.
 */
export function timersOf(envelope: PartnershipEventEnvelope, context: PlanningContext): PlannedTimer[] {
  const { event, position } = envelope;
  const partnershipId = event.data.partnershipId;
  const signatureReminders = (document: 'agreement' | 'mou', documentId: string, amendment: number) => {
    const decidedAt = Date.parse(event.data.occurredAt);
    const { signatureReminderIntervalMs: interval, signatureReminderMax: max } = context.settings;
    return Array.from({ length: max }, (_, index): PlannedTimer => ({
      id: timerIdFor('signature_reminder', document, documentId, amendment, index + 1),
      partnershipId,
      dueAt: new Date(decidedAt + (index + 1) * interval),
      position,
      data: { kind: 'signature_reminder', document, documentId, amendment, reminder: index + 1 },
    }));
  };
  switch (event.type) {
    case 'IntroductionMeetingScheduled':
    case 'IntroductionMeetingRescheduled': {
      const { data } = event;
      const startsAt = Date.parse(data.startsAt);
      if (startsAt <= context.now.getTime()) return [];
      const dueAt = new Date(startsAt - context.settings.meetingReminderLeadMs);
      // A meeting set less than the lead time ahead gets its invitation, not also a reminder.
      if (dueAt.getTime() < Date.parse(data.occurredAt)) return [];
      return [
        {
          id: timerIdFor('meeting_reminder', data.meetingId, data.sequence),
          partnershipId,
          dueAt,
          position,
          data: { kind: 'meeting_reminder', meetingId: data.meetingId, sequence: data.sequence },
        },
      ];
    }
    case 'AgreementDrafted':
      return signatureReminders('agreement', event.data.agreementId, 0);
    case 'AgreementAmended':
      return signatureReminders('agreement', event.data.agreementId, event.data.amendment);
    case 'MouDrafted':
      return signatureReminders('mou', event.data.mouId, 0);
    case 'AgreementExecuted': {
      const { data } = event;
      const expiry = startOfDay(data.expiresOn);
      const renewalDue = new Date(expiry.getTime() - context.settings.renewalLeadMs);
      // A term shorter than the lead: the renewal reminder goes with the news, not before it.
      const renewalAt = executedIsNews(event, context)
        ? new Date(Math.max(renewalDue.getTime(), Date.parse(data.occurredAt)))
        : renewalDue;
      const timers: PlannedTimer[] = [
        {
          id: timerIdFor('agreement_expiry', data.agreementId, data.expiresOn),
          partnershipId,
          dueAt: expiry,
          position,
          data: { kind: 'agreement_expiry', agreementId: data.agreementId, expiresOn: data.expiresOn },
        },
      ];
      if (renewalAt.getTime() < expiry.getTime() - DAY_MS) {
        timers.push({
          id: timerIdFor('renewal_reminder', data.agreementId, data.expiresOn),
          partnershipId,
          dueAt: renewalAt,
          position,
          data: { kind: 'renewal_reminder', agreementId: data.agreementId, expiresOn: data.expiresOn },
        });
      }
      return timers;
    }
    default:
      return [];
  }
}

/** The messages an event sends at once, and the timers it sets. Pure. */
export function planEvent(
  envelope: PartnershipEventEnvelope,
  facts: PartnershipFacts,
  context: PlanningContext,
): Plan {
  const { event } = envelope;
  if (PLANS_NOTHING.has(event.type)) return EMPTY_PLAN;
  // Recorded lately, and dated lately: a step entered today with a business date years back is history.
  const fresh = (): boolean =>
    isRecent(new Date(event.data.occurredAt), context) && isRecent(startOfDay(event.data.on), context);
  switch (event.type) {
    case 'IntroductionMeetingScheduled':
    case 'IntroductionMeetingRescheduled':
    case 'IntroductionMeetingCancelled':
      return planMeeting(envelope, event, facts, context);
    case 'AgreementDrafted':
      return planSignatureRequests(
        envelope,
        'agreement',
        event.data.agreementId,
        0,
        event.data.occurredAt,
        event.data.on,
        facts,
        context,
      );
    case 'AgreementAmended':
      return planSignatureRequests(
        envelope,
        'agreement',
        event.data.agreementId,
        event.data.amendment,
        event.data.occurredAt,
        event.data.on,
        facts,
        context,
      );
    case 'MouDrafted':
      return planSignatureRequests(
        envelope,
        'mou',
        event.data.mouId,
        0,
        event.data.occurredAt,
        event.data.on,
        facts,
        context,
      );
    case 'AgreementExecuted': {
      const { data } = event;
      return {
        notifications: executedIsNews(event, context)
          ? messages(envelope, 'agreement.executed', data.agreementId, everyone(facts, context))
          : [],
        timers: timersOf(envelope, context),
      };
    }
    case 'MouExecuted': {
      const news = fresh() && isRecent(startOfDay(event.data.executedOn), context);
      return {
        notifications: news
          ? messages(envelope, 'mou.executed', event.data.mouId, everyone(facts, context))
          : [],
        timers: [],
      };
    }
    case 'JointProjectLaunched': {
      const news = fresh() && isRecent(startOfDay(event.data.startsOn), context);
      return {
        notifications: news
          ? messages(envelope, 'project.launched', event.data.projectId, everyone(facts, context))
          : [],
        timers: [],
      };
    }
    case 'PartnershipWithdrawn':
      return {
        notifications: fresh()
          ? messages(envelope, 'partnership.withdrawn', null, everyone(facts, context))
          : [],
        timers: [],
      };
    case 'PartnershipProposed':
    case 'IntroductionMeetingHeld':
    case 'AgreementSigned':
    case 'AgreementExpired':
    case 'JointProjectMilestoneReached':
    case 'JointProjectCompleted':
    case 'MouSigned':
    case 'PartnershipSuspended':
    case 'PartnershipResumed':
      return EMPTY_PLAN; // PLANS_NOTHING
    default:
      return assertNever(event, 'partnership event');
  }
}
