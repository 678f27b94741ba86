import { upcastStep, type UpcastStep } from './upcaster';

/** The data of a partnership event written before business dates: no `on`. */
type WithoutOn = Record<string, unknown> & { occurredAt: string };

const dayOf = (isoTime: unknown): string => String(isoTime).slice(0, 10);

/**
 * The business date of an event recorded before `on` existed: the date it holds where it has one (the
 * signature's day, the execution, the start of a project, …), else the day it was recorded. The same as a
 * command gives today when it carries no date.
 */
export const recordedBusinessDate = (type: string, data: WithoutOn): string => {
  const recorded = dayOf(data.occurredAt);
  const earlier = (day: string): string => (day < recorded ? day : recorded);
  switch (type) {
    case 'IntroductionMeetingScheduled':
    case 'IntroductionMeetingRescheduled':
      // A meeting already past when it was entered is history, dated the day it took place.
      return earlier(dayOf(data.startsAt));
    case 'IntroductionMeetingHeld':
      return dayOf(data.heldAt);
    case 'AgreementSigned':
    case 'MouSigned':
      return String(data.signedOn);
    case 'AgreementExecuted':
    case 'MouExecuted':
      return String(data.executedOn);
    case 'AgreementExpired':
      return String(data.expiresOn);
    case 'JointProjectLaunched':
      return earlier(String(data.startsOn));
    case 'JointProjectMilestoneReached':
      return String(data.reachedOn);
    case 'JointProjectCompleted':
      return String(data.completedOn);
    default:
      return recorded;
  }
};

/** The version each partnership event type had before it gained `on` (PartnershipProposed: v2 → v3). */
const VERSION_BEFORE_BUSINESS_DATE: Record<string, number> = {
  PartnershipProposed: 2,
  IntroductionMeetingScheduled: 1,
  IntroductionMeetingRescheduled: 1,
  IntroductionMeetingCancelled: 1,
  IntroductionMeetingHeld: 1,
  AgreementDrafted: 1,
  AgreementAmended: 1,
  AgreementSigned: 1,
  AgreementExecuted: 1,
  AgreementExpired: 1,
  JointProjectLaunched: 1,
  JointProjectMilestoneReached: 1,
  JointProjectCompleted: 1,
  MouDrafted: 1,
  MouSigned: 1,
  MouExecuted: 1,
  PartnershipSuspended: 1,
  PartnershipResumed: 1,
  PartnershipWithdrawn: 1,
};

/** One step per partnership event type: adds `on`, placed just before `occurredAt`. */
export const partnershipBusinessDateSteps: UpcastStep[] = Object.entries(VERSION_BEFORE_BUSINESS_DATE).map(
  ([type, fromVersion]) =>
    upcastStep<WithoutOn, Record<string, unknown>>(type, fromVersion, ({ occurredAt, ...rest }) => ({
      ...rest,
      on: recordedBusinessDate(type, { ...rest, occurredAt }),
      occurredAt,
    })),
);
