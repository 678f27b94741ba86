import type { DomainEvent } from '../shared/decider';
import type { Axis, Language, Sector } from '../shared/vocabulary';
import type { LifecycleStage, MeetingOutcome } from './stages';

/** A meeting attendee: a party's contact (with name and language for the invitation) or an observer. */
export type Attendee = {
  email: string;
  name: string | null;
  language: Language | null;
  /** The party the contact belongs to; null for an observer. */
  organizationId: string | null;
};

export type Budget = { amount: number; currency: string };

export type Milestone = { milestoneId: string; title: string; dueOn: string };

/**
 * Every partnership event says which partnership, when the step happened (`on`, its business date, a
 * `YYYY-MM-DD` never after the day it was recorded) and when it was decided (`occurredAt`, the ISO time
 * of the command). History entered after the fact has an `on` long before its `occurredAt`.
 */
type PartnershipEventOf<Type extends string, Data> = DomainEvent<
  Type,
  { partnershipId: string } & Data & { on: string; occurredAt: string }
>;

/** Version 3: `on` (version 2: `sectors` and `parties`; version 1 had a single `sector` and `organizations`). */
export type PartnershipProposed = PartnershipEventOf<
  'PartnershipProposed',
  { title: string; description: string | null; parties: string[]; sectors: Sector[]; axes: Axis[] }
>;

type MeetingDetails = {
  meetingId: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  location: string | null;
  videoUrl: string | null;
  agenda: string | null;
  attendees: Attendee[];
  /** iCalendar SEQUENCE: 0 when scheduled, +1 per reschedule and on cancellation. */
  sequence: number;
  /** Whether attendees are to be notified: false for a meeting already past (history entered after the fact). */
  invitations: boolean;
};

export type IntroductionMeetingScheduled = PartnershipEventOf<'IntroductionMeetingScheduled', MeetingDetails>;

export type IntroductionMeetingRescheduled = PartnershipEventOf<
  'IntroductionMeetingRescheduled',
  MeetingDetails & { previousStartsAt: string; previousEndsAt: string }
>;

export type IntroductionMeetingCancelled = PartnershipEventOf<
  'IntroductionMeetingCancelled',
  MeetingDetails & { reason: string }
>;

export type IntroductionMeetingHeld = PartnershipEventOf<
  'IntroductionMeetingHeld',
  {
    meetingId: string;
    heldAt: string;
    outcome: MeetingOutcome;
    minutes: string | null;
    /** null when the attendance was not recorded. */
    attendeesPresent: Attendee[] | null;
  }
>;

export type AgreementDrafted = PartnershipEventOf<
  'AgreementDrafted',
  { agreementId: string; title: string; scope: string | null; termMonths: number; signatories: string[] }
>;

export type AgreementAmended = PartnershipEventOf<
  'AgreementAmended',
  {
    agreementId: string;
    reason: string;
    /** 1 for the first amendment. */
    amendment: number;
    /** The terms after the amendment, in full. */
    title: string;
    scope: string | null;
    termMonths: number;
    signatories: string[];
    /** Organisations whose signatures the amendment voided; they sign again. */
    clearedSignatures: string[];
  }
>;

type SignatureDetails = {
  organizationId: string;
  signerName: string;
  signedAt: string;
  /** The signature's calendar date, as written by the signer. */
  signedOn: string;
  /** Signatories still to sign after this one. */
  pendingSignatories: string[];
};

export type AgreementSigned = PartnershipEventOf<
  'AgreementSigned',
  SignatureDetails & { agreementId: string }
>;

export type AgreementExecuted = PartnershipEventOf<
  'AgreementExecuted',
  {
    agreementId: string;
    title: string;
    signatories: string[];
    termMonths: number;
    executedOn: string;
    /** executedOn + termMonths. */
    expiresOn: string;
  }
>;

export type AgreementExpired = PartnershipEventOf<
  'AgreementExpired',
  { agreementId: string; title: string; expiresOn: string }
>;

export type JointProjectLaunched = PartnershipEventOf<
  'JointProjectLaunched',
  {
    projectId: string;
    title: string;
    description: string | null;
    startsOn: string;
    budget: Budget;
    fundingSources: string[];
    leads: string[];
    milestones: Milestone[];
    /** The executed agreements the project rests on. */
    agreementIds: string[];
  }
>;

export type JointProjectMilestoneReached = PartnershipEventOf<
  'JointProjectMilestoneReached',
  { projectId: string; milestoneId: string; title: string; dueOn: string; reachedOn: string }
>;

export type JointProjectCompleted = PartnershipEventOf<
  'JointProjectCompleted',
  { projectId: string; title: string; completedOn: string; summary: string | null }
>;

export type MouDrafted = PartnershipEventOf<
  'MouDrafted',
  { mouId: string; title: string; scope: string | null; signatories: string[] }
>;

export type MouSigned = PartnershipEventOf<'MouSigned', SignatureDetails & { mouId: string }>;

export type MouExecuted = PartnershipEventOf<
  'MouExecuted',
  { mouId: string; title: string; signatories: string[]; executedOn: string }
>;

export type PartnershipSuspended = PartnershipEventOf<
  'PartnershipSuspended',
  { reason: string; fromStage: LifecycleStage }
>;

export type PartnershipResumed = PartnershipEventOf<'PartnershipResumed', { toStage: LifecycleStage }>;

export type PartnershipWithdrawn = PartnershipEventOf<
  'PartnershipWithdrawn',
  { reason: string; fromStage: LifecycleStage; wasOnHold: boolean }
>;

export type PartnershipEvent =
  | PartnershipProposed
  | IntroductionMeetingScheduled
  | IntroductionMeetingRescheduled
  | IntroductionMeetingCancelled
  | IntroductionMeetingHeld
  | AgreementDrafted
  | AgreementAmended
  | AgreementSigned
  | AgreementExecuted
  | AgreementExpired
  | JointProjectLaunched
  | JointProjectMilestoneReached
  | JointProjectCompleted
  | MouDrafted
  | MouSigned
  | MouExecuted
  | PartnershipSuspended
  | PartnershipResumed
  | PartnershipWithdrawn;

export type PartnershipEventType = PartnershipEvent['type'];

/** Schema version written with each new event; older stored versions are upcast when read. Every type gained `on` in its latest version. */
export const PARTNERSHIP_EVENT_VERSIONS = {
  PartnershipProposed: 3,
  IntroductionMeetingScheduled: 2,
  IntroductionMeetingRescheduled: 2,
  IntroductionMeetingCancelled: 2,
  IntroductionMeetingHeld: 2,
  AgreementDrafted: 2,
  AgreementAmended: 2,
  AgreementSigned: 2,
  AgreementExecuted: 2,
  AgreementExpired: 2,
  JointProjectLaunched: 2,
  JointProjectMilestoneReached: 2,
  JointProjectCompleted: 2,
  MouDrafted: 2,
  MouSigned: 2,
  MouExecuted: 2,
  PartnershipSuspended: 2,
  PartnershipResumed: 2,
  PartnershipWithdrawn: 2,
} as const satisfies Record<PartnershipEventType, number>;
