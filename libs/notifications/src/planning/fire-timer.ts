import { assertNever } from '@passerelle/domain';
import { notificationIdFor } from '../ids';
import type { PlannedNotification, PlannedTimer, Recipient, Template } from '../model';
import type { PartnershipFacts, PlanningContext } from './facts';
import { pendingSignatories } from './plan-event';
import { attendeesAsRecipients, contactsOf, distinctRecipients } from './recipients';

/** What a timer does when it fires, decided against the partnership as it stands then. */
export type TimerDecision =
  | { action: 'notify'; notifications: PlannedNotification[] }
  | { action: 'expire'; agreementId: string }
  /** Fired early (clocks of two processes): try again at `until`. */
  | { action: 'wait'; until: Date }
  | { action: 'skip'; reason: string };

/** Timers fire a little early or late; a second either way is on time. */
const EARLY_TOLERANCE_MS = 1000;

const skip = (reason: string): TimerDecision => ({ action: 'skip', reason });

function notify(
  timer: PlannedTimer,
  template: Template,
  subjectId: string,
  recipients: readonly Recipient[],
): TimerDecision {
  const notifications = distinctRecipients(recipients).map((recipient): PlannedNotification => ({
    id: notificationIdFor(timer.id, recipient.email, template),
    partnershipId: timer.partnershipId,
    source: { kind: 'timer', id: timer.id },
    position: timer.position,
    template,
    subjectId,
    recipient,
    notBefore: null,
  }));
  return notifications.length > 0 ? { action: 'notify', notifications } : skip('no recipient');
}

/** Pure. `facts` is null when the partnership is not in the log (it always is, unless the store was replaced). */
export function fireTimer(
  timer: PlannedTimer,
  facts: PartnershipFacts | null,
  context: PlanningContext,
): TimerDecision {
  const now = context.now.getTime();
  if (now < timer.dueAt.getTime() - EARLY_TOLERANCE_MS) return { action: 'wait', until: timer.dueAt };
  if (!facts) return skip('partnership not found');
  const { partnership } = facts;
  const { data } = timer;
  if (
    data.kind !== 'agreement_expiry' &&
    now - timer.dueAt.getTime() > context.settings.lateReminderToleranceMs
  ) {
    return skip('too late: the reminder came due while notifications were stopped');
  }
  if (partnership.status === 'withdrawn') return skip('partnership withdrawn');
  switch (data.kind) {
    case 'meeting_reminder': {
      const meeting = partnership.meetings.find((candidate) => candidate.meetingId === data.meetingId);
      if (!meeting) return skip('meeting not found');
      if (meeting.status !== 'scheduled') return skip(`meeting ${meeting.status}`);
      if (meeting.sequence !== data.sequence) return skip('meeting rescheduled since');
      if (Date.parse(meeting.startsAt) <= now) return skip('meeting already started');
      if (!meeting.invitations) return skip('meeting recorded without invitations');
      return notify(timer, 'meeting.reminder', meeting.meetingId, attendeesAsRecipients(meeting.attendees));
    }
    case 'signature_reminder': {
      if (partnership.status === 'on_hold') return skip('partnership on hold');
      const pending = pendingSignatories(facts, data.document, data.documentId, data.amendment);
      if (pending.length === 0) return skip('nothing left to sign');
      return notify(timer, 'signature.reminder', data.documentId, contactsOf(facts, pending));
    }
    case 'renewal_reminder': {
      const agreement = partnership.agreements.find(
        (candidate) => candidate.agreementId === data.agreementId,
      );
      if (!agreement || agreement.status !== 'executed') return skip('agreement not in force');
      return notify(
        timer,
        'agreement.renewal',
        agreement.agreementId,
        contactsOf(facts, partnership.parties),
      );
    }
    case 'agreement_expiry': {
      const agreement = partnership.agreements.find(
        (candidate) => candidate.agreementId === data.agreementId,
      );
      if (!agreement) return skip('agreement not found');
      if (agreement.status === 'expired') return skip('agreement already expired');
      if (agreement.status !== 'executed') return skip('agreement not executed');
      return { action: 'expire', agreementId: agreement.agreementId };
    }
    default:
      return assertNever(data, 'timer');
  }
}
