import { isErased, type Language, type PartnershipEvent } from '@passerelle/domain';
import { buildMeetingCalendar, CalendarMethod } from '../ical/icalendar';
import type { PlannedNotification, PlannedTimer } from '../model';
import type { DocumentView, MeetingView, MessageModel } from '../templates/message-model';
import { renderMessage } from '../templates/render';
import type { PartnershipFacts } from './facts';
import { pendingSignatories } from './plan-event';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** The iCalendar object of a meeting message, with its iTIP method. */
  calendar: { method: CalendarMethod; content: string } | null;
}

export type Composition = { action: 'send'; content: MailContent } | { action: 'skip'; reason: string };

export interface CompositionInput {
  notification: PlannedNotification;
  facts: PartnershipFacts;
  /** The event the notification comes from (for an event-born notification). */
  event: PartnershipEvent | null;
  /** The timer it comes from (for a reminder). */
  timer: PlannedTimer | null;
  organizer: { email: string; name: string | null };
  /** Whether replies to the organiser reach someone: only then are attendees asked to reply. */
  rsvp?: boolean;
  now: Date;
  signatureReminderMax: number;
  observerEmails: readonly string[];
}

const CALENDAR_SUMMARY: Record<Language, (title: string) => string> = {
  en: (title) => `Introduction meeting: ${title}`,
  fr: (title) => `Réunion d’introduction : ${title}`,
};

/** The calendar UID of a meeting: the same for its invitation, every update and its cancellation. */
export const meetingUid = (meetingId: string): string => `${meetingId}@passerelle`;

const skip = (reason: string): Composition => ({ action: 'skip', reason });

type MeetingEvent = Extract<
  PartnershipEvent,
  { type: 'IntroductionMeetingScheduled' | 'IntroductionMeetingRescheduled' | 'IntroductionMeetingCancelled' }
>;

const isMeetingEvent = (event: PartnershipEvent | null): event is MeetingEvent =>
  event?.type === 'IntroductionMeetingScheduled' ||
  event?.type === 'IntroductionMeetingRescheduled' ||
  event?.type === 'IntroductionMeetingCancelled';

/**
 * Pure: the message a notification stands for, from the log as it is now; or why it is no longer worth
 * sending (a signature given meanwhile, a meeting moved since its reminder was set).
 */
export function composeMessage(input: CompositionInput): Composition {
  const { notification, facts, event, timer } = input;
  const { partnership } = facts;
  if (!stillAddressed(input)) return skip('recipient no longer listed (contact removed or person forgotten)');
  const language = notification.recipient.language;
  const nameOf = (id: string) => facts.organizations.get(id)?.name ?? id;
  const partnershipTitle = partnership.title;
  let model: MessageModel;
  let calendar: MailContent['calendar'] = null;

  switch (notification.template) {
    case 'meeting.invitation':
    case 'meeting.updated':
    case 'meeting.cancelled': {
      if (!isMeetingEvent(event)) return skip('meeting event not found');
      const { data } = event;
      const meeting: MeetingView = {
        startsAt: data.startsAt,
        endsAt: data.endsAt,
        timezone: data.timezone,
        location: data.location,
        videoUrl: data.videoUrl,
        agenda: data.agenda,
        previousStartsAt:
          event.type === 'IntroductionMeetingRescheduled' ? event.data.previousStartsAt : null,
        reason: event.type === 'IntroductionMeetingCancelled' ? event.data.reason : null,
      };
      model = { template: notification.template, partnershipTitle, meeting };
      const method: CalendarMethod = event.type === 'IntroductionMeetingCancelled' ? 'CANCEL' : 'REQUEST';
      calendar = {
        method,
        content: buildMeetingCalendar({
          method,
          uid: meetingUid(data.meetingId),
          sequence: data.sequence,
          stamp: new Date(data.occurredAt),
          start: new Date(data.startsAt),
          end: new Date(data.endsAt),
          timezone: data.timezone,
          rsvp: input.rsvp ?? false,
          summary: CALENDAR_SUMMARY[language](partnershipTitle),
          description: data.agenda,
          location: data.location ?? data.videoUrl,
          url: data.videoUrl,
          organizer: input.organizer,
          attendees: data.attendees.map((attendee) => ({ email: attendee.email, name: attendee.name })),
          language,
        }),
      };
      break;
    }
    case 'meeting.reminder': {
      const meeting = partnership.meetings.find(
        (candidate) => candidate.meetingId === notification.subjectId,
      );
      if (!meeting || meeting.status !== 'scheduled') return skip('meeting no longer scheduled');
      if (timer?.data.kind === 'meeting_reminder' && timer.data.sequence !== meeting.sequence) {
        return skip('meeting rescheduled since');
      }
      if (Date.parse(meeting.startsAt) <= input.now.getTime()) return skip('meeting already started');
      model = {
        template: 'meeting.reminder',
        partnershipTitle,
        meeting: { ...meeting, previousStartsAt: null, reason: null },
      };
      break;
    }
    case 'signature.request':
    case 'signature.reminder': {
      const target = signatureTarget(event, timer);
      if (!target) return skip('document not found');
      const organizationId = notification.recipient.organizationId;
      const pending = pendingSignatories(facts, target.document, target.documentId, target.amendment);
      if (!organizationId || !pending.includes(organizationId)) return skip('signature no longer awaited');
      const document = documentView(facts, target.document, target.documentId);
      if (!document) return skip('document not found');
      model =
        notification.template === 'signature.request'
          ? {
              template: 'signature.request',
              partnershipTitle,
              document,
              organizationName: nameOf(organizationId),
              amendmentReason: event?.type === 'AgreementAmended' ? event.data.reason : null,
            }
          : {
              template: 'signature.reminder',
              partnershipTitle,
              document,
              organizationName: nameOf(organizationId),
              reminder: timer?.data.kind === 'signature_reminder' ? timer.data.reminder : 1,
              reminderMax: input.signatureReminderMax,
            };
      break;
    }
    case 'agreement.executed': {
      if (event?.type !== 'AgreementExecuted') return skip('event not found');
      const { data } = event;
      model = {
        template: 'agreement.executed',
        partnershipTitle,
        title: data.title,
        executedOn: data.executedOn,
        expiresOn: data.expiresOn,
        signatories: data.signatories.map(nameOf),
      };
      break;
    }
    case 'mou.executed': {
      if (event?.type !== 'MouExecuted') return skip('event not found');
      const { data } = event;
      model = {
        template: 'mou.executed',
        partnershipTitle,
        title: data.title,
        executedOn: data.executedOn,
        signatories: data.signatories.map(nameOf),
      };
      break;
    }
    case 'project.launched': {
      if (event?.type !== 'JointProjectLaunched') return skip('event not found');
      const { data } = event;
      model = {
        template: 'project.launched',
        partnershipTitle,
        title: data.title,
        description: data.description,
        startsOn: data.startsOn,
        budget: data.budget,
        leads: data.leads.map(nameOf),
        milestones: data.milestones.map(({ title, dueOn }) => ({ title, dueOn })),
      };
      break;
    }
    case 'partnership.withdrawn': {
      if (event?.type !== 'PartnershipWithdrawn') return skip('event not found');
      model = { template: 'partnership.withdrawn', partnershipTitle, reason: event.data.reason };
      break;
    }
    case 'agreement.renewal': {
      const agreement = partnership.agreements.find(
        (candidate) => candidate.agreementId === notification.subjectId,
      );
      if (!agreement || agreement.status !== 'executed' || !agreement.expiresOn)
        return skip('agreement not in force');
      model = {
        template: 'agreement.renewal',
        partnershipTitle,
        title: agreement.title,
        expiresOn: agreement.expiresOn,
        signatories: agreement.signatories.map(nameOf),
      };
      break;
    }
  }
  return {
    action: 'send',
    content: { ...renderMessage(model, language, notification.recipient.name), calendar },
  };
}

/**
 * The address is still where the message found it: among the meeting's attendees or the organisation's
 * contacts as the log reads now (a forgotten person's address reads as erased), or among the observers.
 */
function stillAddressed({ notification, facts, event, observerEmails }: CompositionInput): boolean {
  const email = notification.recipient.email;
  // The address of a forgotten person (its key gone) reads as erased, as do theirs in the log.
  if (isErased(email)) return false;
  const listed = (emails: readonly string[]) => emails.some((candidate) => candidate.toLowerCase() === email);
  if (notification.template.startsWith('meeting.')) {
    const attendees = isMeetingEvent(event)
      ? event.data.attendees
      : (facts.partnership.meetings.find((meeting) => meeting.meetingId === notification.subjectId)
          ?.attendees ?? []);
    return listed(attendees.map((attendee) => attendee.email));
  }
  const organizationId = notification.recipient.organizationId;
  if (organizationId === null) return listed(observerEmails);
  return listed(facts.organizations.get(organizationId)?.contacts.map((contact) => contact.email) ?? []);
}

function signatureTarget(
  event: PartnershipEvent | null,
  timer: PlannedTimer | null,
): { document: 'agreement' | 'mou'; documentId: string; amendment: number } | null {
  if (timer?.data.kind === 'signature_reminder') {
    return {
      document: timer.data.document,
      documentId: timer.data.documentId,
      amendment: timer.data.amendment,
    };
  }
  switch (event?.type) {
    case 'AgreementDrafted':
      return { document: 'agreement', documentId: event.data.agreementId, amendment: 0 };
    case 'AgreementAmended':
      return { document: 'agreement', documentId: event.data.agreementId, amendment: event.data.amendment };
    case 'MouDrafted':
      return { document: 'mou', documentId: event.data.mouId, amendment: 0 };
    default:
      return null;
  }
}

function documentView(facts: PartnershipFacts, kind: 'agreement' | 'mou', id: string): DocumentView | null {
  const nameOf = (orgId: string) => facts.organizations.get(orgId)?.name ?? orgId;
  const found =
    kind === 'agreement'
      ? facts.partnership.agreements.find((agreement) => agreement.agreementId === id)
      : facts.partnership.mous.find((mou) => mou.mouId === id);
  if (!found) return null;
  return {
    kind,
    title: found.title,
    scope: found.scope,
    termMonths: 'termMonths' in found ? found.termMonths : null,
    signatories: found.signatories.map(nameOf),
    signed: found.signatures.map((signature) => nameOf(signature.organizationId)),
  };
}
