import type { PartnershipEventEnvelope, PartnershipFacts, PlanningContext } from './facts';
import { planEvent } from './plan-event';

export interface Withheld {
  /** Messages that would have gone out had the event been news: invitations, requests, notices. */
  messages: number;
  /** Reminders already overdue by more than the late tolerance: the worker drops them as too late. */
  reminders: number;
}

/**
 * What history keeps quiet: the messages `planEvent` leaves out because the event, its business date or
 * its meeting lies in the past, and the reminders it derives that are already due. Pure; used to tell an
 * import how many e-mails its history withheld.
 */
export function withheldAsHistory(
  envelope: PartnershipEventEnvelope,
  facts: PartnershipFacts,
  context: PlanningContext,
): Withheld {
  const planned = planEvent(envelope, facts, context);
  const { event } = envelope;
  const asNewsSettings = { ...context.settings, historyCutoffMs: Number.POSITIVE_INFINITY };
  let asNews = planned;
  if (
    event.type === 'IntroductionMeetingScheduled' ||
    event.type === 'IntroductionMeetingRescheduled' ||
    event.type === 'IntroductionMeetingCancelled'
  ) {
    // Seen from just before the meeting, as the invitations would have been.
    const before = new Date(Math.min(context.now.getTime(), Date.parse(event.data.startsAt) - 1));
    asNews = planEvent(
      { ...envelope, event: { ...event, data: { ...event.data, invitations: true } } as typeof event },
      facts,
      { now: before, settings: asNewsSettings },
    );
  } else {
    asNews = planEvent(envelope, facts, { ...context, settings: asNewsSettings });
  }
  const now = context.now.getTime();
  const reminders = planned.timers.filter(
    (timer) =>
      timer.data.kind !== 'agreement_expiry' &&
      now - timer.dueAt.getTime() > context.settings.lateReminderToleranceMs,
  ).length;
  return {
    messages: Math.max(0, asNews.notifications.length - planned.notifications.length),
    reminders,
  };
}
