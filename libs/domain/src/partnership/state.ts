import { ignoreUnknown } from '../shared/decider';
import type { Axis, Sector } from '../shared/vocabulary';
import type { Attendee, Budget, PartnershipEvent } from './events';
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

const replace = <T, K extends keyof T>(items: T[], key: K, id: T[K], change: (item: T) => T): T[] =>
  items.map((item) => (item[key] === id ? change(item) : item));

/** Moves the lifecycle forward; a side state stays as it is. */
const advance = (partnership: Partnership, target: LifecycleStage): Partnership => {
  const lifecycleStage = atLeast(partnership.lifecycleStage, target);
  return {
    ...partnership,
    lifecycleStage,
    stage: partnership.status === 'active' ? lifecycleStage : partnership.stage,
    stageBeforeHold: partnership.status === 'on_hold' ? lifecycleStage : partnership.stageBeforeHold,
  };
};

export const evolvePartnership = (state: PartnershipState, event: PartnershipEvent): PartnershipState => {
  if (event.type === 'PartnershipProposed') {
    const { data } = event;
    return {
      id: data.partnershipId,
      title: data.title,
      description: data.description ?? null,
      stage: 'proposed',
      stageBeforeHold: null,
      status: 'active',
      lifecycleStage: 'proposed',
      parties: data.parties,
      sectors: data.sectors,
      axes: data.axes,
      meetings: [],
      agreements: [],
      projects: [],
      mous: [],
      suspensionReason: null,
      withdrawalReason: null,
      createdAt: data.occurredAt,
      updatedAt: data.occurredAt,
      proposedOn: data.on,
      lastStepOn: data.on,
    };
  }
  if (state.status === 'none') return state;
  const { on, occurredAt: updatedAt } = event.data;
  // An expiry is the scheduler's: whether it has been recorded yet must not change what a later step may be dated.
  const lastStepOn = event.type === 'AgreementExpired' || on <= state.lastStepOn ? state.lastStepOn : on;
  const partnership = { ...state, updatedAt, lastStepOn };

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
        meetings: replace(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
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
        meetings: replace(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
          ...meeting,
          status: 'cancelled',
          sequence,
          cancelledAt: occurredAt,
          cancellationReason: reason,
        })),
      };
    }
    case 'IntroductionMeetingHeld': {
      const { meetingId, heldAt, outcome, minutes, attendeesPresent } = event.data;
      const withMeeting = {
        ...partnership,
        meetings: replace(partnership.meetings, 'meetingId', meetingId, (meeting) => ({
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
    case 'AgreementDrafted': {
      const { agreementId, title, scope, termMonths, signatories, occurredAt } = event.data;
      return {
        ...partnership,
        agreements: [
          ...partnership.agreements,
          {
            agreementId,
            status: 'draft',
            title,
            scope,
            termMonths,
            signatories,
            signatures: [],
            amendments: 0,
            draftedAt: occurredAt,
            draftedOn: on,
            termsOn: on,
            executedOn: null,
            expiresOn: null,
            expiredAt: null,
          },
        ],
      };
    }
    case 'AgreementAmended': {
      const { agreementId, amendment, title, scope, termMonths, signatories } = event.data;
      return {
        ...partnership,
        agreements: replace(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          title,
          scope,
          termMonths,
          signatories,
          signatures: [],
          amendments: amendment,
          termsOn: on,
        })),
      };
    }
    case 'AgreementSigned': {
      const { agreementId, organizationId, signerName, signedAt, signedOn } = event.data;
      return {
        ...partnership,
        agreements: replace(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          signatures: [...agreement.signatures, { organizationId, signerName, signedAt, signedOn }],
        })),
      };
    }
    case 'AgreementExecuted': {
      const { agreementId, executedOn, expiresOn } = event.data;
      return advance(
        {
          ...partnership,
          agreements: replace(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
            ...agreement,
            status: 'executed',
            executedOn,
            expiresOn,
          })),
        },
        'agreement_signed',
      );
    }
    case 'AgreementExpired': {
      const { agreementId, occurredAt } = event.data;
      return {
        ...partnership,
        agreements: replace(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          status: 'expired',
          expiredAt: occurredAt,
        })),
      };
    }
    case 'JointProjectLaunched': {
      const { partnershipId: _p, occurredAt, on: _on, milestones, ...project } = event.data;
      return advance(
        {
          ...partnership,
          projects: [
            ...partnership.projects,
            {
              ...project,
              status: 'running',
              milestones: milestones.map((milestone) => ({ ...milestone, reachedOn: null })),
              launchedAt: occurredAt,
              launchedOn: on,
              completedOn: null,
              summary: null,
            },
          ],
        },
        'project_active',
      );
    }
    case 'JointProjectMilestoneReached': {
      const { projectId, milestoneId, reachedOn } = event.data;
      return {
        ...partnership,
        projects: replace(partnership.projects, 'projectId', projectId, (project) => ({
          ...project,
          milestones: replace(project.milestones, 'milestoneId', milestoneId, (milestone) => ({
            ...milestone,
            reachedOn,
          })),
        })),
      };
    }
    case 'JointProjectCompleted': {
      const { projectId, completedOn, summary } = event.data;
      return {
        ...partnership,
        projects: replace(partnership.projects, 'projectId', projectId, (project) => ({
          ...project,
          status: 'completed',
          completedOn,
          summary,
        })),
      };
    }
    case 'MouDrafted': {
      const { mouId, title, scope, signatories, occurredAt } = event.data;
      return {
        ...partnership,
        mous: [
          ...partnership.mous,
          {
            mouId,
            status: 'draft',
            title,
            scope,
            signatories,
            signatures: [],
            draftedAt: occurredAt,
            draftedOn: on,
            executedOn: null,
          },
        ],
      };
    }
    case 'MouSigned': {
      const { mouId, organizationId, signerName, signedAt, signedOn } = event.data;
      return {
        ...partnership,
        mous: replace(partnership.mous, 'mouId', mouId, (mou) => ({
          ...mou,
          signatures: [...mou.signatures, { organizationId, signerName, signedAt, signedOn }],
        })),
      };
    }
    case 'MouExecuted': {
      const { mouId, executedOn } = event.data;
      return advance(
        {
          ...partnership,
          mous: replace(partnership.mous, 'mouId', mouId, (mou) => ({
            ...mou,
            status: 'executed',
            executedOn,
          })),
        },
        'mou_signed',
      );
    }
    case 'PartnershipSuspended':
      return {
        ...partnership,
        status: 'on_hold',
        stage: 'on_hold',
        stageBeforeHold: partnership.lifecycleStage,
        suspensionReason: event.data.reason,
      };
    case 'PartnershipResumed':
      return {
        ...partnership,
        status: 'active',
        stage: partnership.lifecycleStage,
        stageBeforeHold: null,
        suspensionReason: null,
      };
    case 'PartnershipWithdrawn':
      return {
        ...partnership,
        status: 'withdrawn',
        stage: 'withdrawn',
        withdrawalReason: event.data.reason,
      };
    default:
      ignoreUnknown(event);
      return state;
  }
};
