import type { Axis, Sector } from '../shared/vocabulary';
import type { Attendee, Budget } from './events';
import { atLeast, LifecycleStage, MeetingOutcome, PartnershipStage } from './stages';

export type Meeting = {
  meetingId: string;
  status: 'scheduled' | 'held' | 'cancelled';
  startsAt: string;
  endsAt: string;
  timezone: string;
  location: string | null;
  videoUrl: string | null;
  agenda: string | null;
  attendees: Attendee[];
  sequence: number;
  invitations: boolean;
  scheduledAt: string;
  heldAt: string | null;
  /** The outcome's business date: the day it was held, as written. */
  heldOn: string | null;
  outcome: MeetingOutcome | null;
  minutes: string | null;
  attendeesPresent: Attendee[] | null;
  cancelledAt: string | null;
  cancellationReason: string | null;
};

export type Signature = { organizationId: string; signerName: string; signedAt: string; signedOn: string };

export type Agreement = {
  agreementId: string;
  /** `draft` while signatures are collected, `executed` once all have signed, `expired` after its term. */
  status: 'draft' | 'executed' | 'expired';
  title: string;
  scope: string | null;
  termMonths: number;
  signatories: string[];
  signatures: Signature[];
  amendments: number;
  draftedAt: string;
  /** Business date of the draft. */
  draftedOn: string;
  /** Business date of the terms now open for signature: the draft's, or the latest amendment's. */
  termsOn: string;
  executedOn: string | null;
  expiresOn: string | null;
  expiredAt: string | null;
};

export type ProjectMilestone = {
  milestoneId: string;
  title: string;
  dueOn: string;
  reachedOn: string | null;
};

export type JointProject = {
  projectId: string;
  status: 'running' | 'completed';
  title: string;
  description: string | null;
  startsOn: string;
  budget: Budget;
  fundingSources: string[];
  leads: string[];
  milestones: ProjectMilestone[];
  agreementIds: string[];
  launchedAt: string;
  /** Business date of the launch: the start, or the day it was recorded when it starts later. */
  launchedOn: string;
  completedOn: string | null;
  summary: string | null;
};

export type Mou = {
  mouId: string;
  status: 'draft' | 'executed';
  title: string;
  scope: string | null;
  signatories: string[];
  signatures: Signature[];
  draftedAt: string;
  /** Business date of the draft. */
  draftedOn: string;
  executedOn: string | null;
};

/** A partnership as folded from its events; plain JSON, served as is by `GET /partnerships/:id/state`. */
export type Partnership = {
  id: string;
  title: string;
  description: string | null;
  stage: PartnershipStage;
  /** The lifecycle stage left when put on hold (also kept when withdrawn from on hold); null otherwise. */
  stageBeforeHold: LifecycleStage | null;
  status: 'active' | 'on_hold' | 'withdrawn';
  /** The furthest lifecycle stage reached, whatever the side state. */
  lifecycleStage: LifecycleStage;
  parties: string[];
  sectors: Sector[];
  axes: Axis[];
  meetings: Meeting[];
  agreements: Agreement[];
  projects: JointProject[];
  mous: Mou[];
  suspensionReason: string | null;
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Business date of the proposal. */
  proposedOn: string;
  /** The latest business date of the steps recorded, the scheduler's expiries left out. */
  lastStepOn: string;
};

/** Before `PartnershipProposed` there is nothing: `status: 'none'`. */
export type PartnershipState = { status: 'none' } | Partnership;

export const initialPartnershipState = (): PartnershipState => ({ status: 'none' });

/** The items with the one whose `key` is `id` changed (an evolve step on a list of the partnership). */
export const replaceWhere = <T, K extends keyof T>(
  items: T[],
  key: K,
  id: T[K],
  change: (item: T) => T,
): T[] => items.map((item) => (item[key] === id ? change(item) : item));

/** Moves the lifecycle forward; a side state stays as it is. */
export const advance = (partnership: Partnership, target: LifecycleStage): Partnership => {
  const lifecycleStage = atLeast(partnership.lifecycleStage, target);
  return {
    ...partnership,
    lifecycleStage,
    stage: partnership.status === 'active' ? lifecycleStage : partnership.stage,
    stageBeforeHold: partnership.status === 'on_hold' ? lifecycleStage : partnership.stageBeforeHold,
  };
};
