import type { Command } from '../shared/decider';
import type { PartnershipCommandMetadata } from '../shared/metadata';

type PartnershipCommandOf<Type extends string, Data> = Command<
  Type,
  Data & { partnershipId: string },
  PartnershipCommandMetadata
>;

/** Optional fields may be absent or null. Ids the command creates are required: the application fills them. */

/** The business date of a step that has no date of its own: `YYYY-MM-DD`, today when absent. */
type On = { on?: string | null };

export type ProposePartnership = PartnershipCommandOf<
  'ProposePartnership',
  { title: string; description?: string | null; parties: string[]; sectors: string[]; axes: string[] } & On
>;

export type ScheduleIntroductionMeeting = PartnershipCommandOf<
  'ScheduleIntroductionMeeting',
  {
    meetingId: string;
    startsAt: string;
    /** Defaults to one hour after the start. */
    endsAt?: string | null;
    /** IANA zone name for calendars; defaults to UTC. */
    timezone?: string | null;
    location?: string | null;
    videoUrl?: string | null;
    agenda?: string | null;
    attendees: string[];
  }
>;

export type RescheduleIntroductionMeeting = PartnershipCommandOf<
  'RescheduleIntroductionMeeting',
  {
    meetingId: string;
    startsAt: string;
    /** Defaults to keeping the meeting's length. */
    endsAt?: string | null;
  }
>;

export type CancelIntroductionMeeting = PartnershipCommandOf<
  'CancelIntroductionMeeting',
  { meetingId: string; reason: string } & On
>;

export type RecordIntroductionMeetingOutcome = PartnershipCommandOf<
  'RecordIntroductionMeetingOutcome',
  {
    meetingId: string;
    /** A time, or a date (midnight UTC). */
    heldAt: string;
    outcome: string;
    minutes?: string | null;
    attendeesPresent?: string[] | null;
  }
>;

export type DraftAgreement = PartnershipCommandOf<
  'DraftAgreement',
  {
    agreementId: string;
    title: string;
    scope?: string | null;
    termMonths: number;
    signatories: string[];
  } & On
>;

export type AmendAgreement = PartnershipCommandOf<
  'AmendAgreement',
  {
    agreementId: string;
    reason: string;
    title?: string | null;
    scope?: string | null;
    termMonths?: number | null;
    signatories?: string[] | null;
  } & On
>;

type SignatureData = {
  organizationId: string;
  signerName: string;
  /** A time or a date; defaults to the command's time. */
  signedAt?: string | null;
};

export type SignAgreement = PartnershipCommandOf<'SignAgreement', SignatureData & { agreementId: string }>;

/** Issued by the scheduler once an executed agreement's term has ended. */
export type ExpireAgreement = PartnershipCommandOf<'ExpireAgreement', { agreementId: string }>;

export type LaunchJointProject = PartnershipCommandOf<
  'LaunchJointProject',
  {
    projectId: string;
    title: string;
    description?: string | null;
    startsOn: string;
    budget: { amount: number; currency: string };
    fundingSources: string[];
    leads: string[];
    milestones: { milestoneId: string; title: string; dueOn: string }[];
  }
>;

export type ReachJointProjectMilestone = PartnershipCommandOf<
  'ReachJointProjectMilestone',
  { projectId: string; milestoneId: string; reachedOn: string }
>;

export type CompleteJointProject = PartnershipCommandOf<
  'CompleteJointProject',
  { projectId: string; completedOn: string; summary?: string | null }
>;

export type DraftMou = PartnershipCommandOf<
  'DraftMou',
  { mouId: string; title: string; scope?: string | null; signatories: string[] } & On
>;

export type SignMou = PartnershipCommandOf<'SignMou', SignatureData & { mouId: string }>;

export type SuspendPartnership = PartnershipCommandOf<'SuspendPartnership', { reason: string } & On>;

export type ResumePartnership = PartnershipCommandOf<'ResumePartnership', On>;

export type WithdrawPartnership = PartnershipCommandOf<'WithdrawPartnership', { reason: string } & On>;

export type PartnershipCommand =
  | ProposePartnership
  | ScheduleIntroductionMeeting
  | RescheduleIntroductionMeeting
  | CancelIntroductionMeeting
  | RecordIntroductionMeetingOutcome
  | DraftAgreement
  | AmendAgreement
  | SignAgreement
  | ExpireAgreement
  | LaunchJointProject
  | ReachJointProjectMilestone
  | CompleteJointProject
  | DraftMou
  | SignMou
  | SuspendPartnership
  | ResumePartnership
  | WithdrawPartnership;
