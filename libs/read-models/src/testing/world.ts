import { randomUUID } from 'node:crypto';
import {
  currentVersionOf,
  DomainError,
  organizationDecider,
  OrganizationFacts,
  Partnership,
  PartnershipCommand,
  PartnershipEvent,
  partnershipDecider,
  PartnershipState,
  streamIdFor,
  upcast,
} from '@passerelle/domain';
import {
  FR_COMPANY,
  GOBIZ,
  IHUB,
  OBSERVER,
  POLE,
  REGION,
  US_COMPANY,
} from '@passerelle/domain/testing/fixtures';
import { EventStore, NewEvent, WrongExpectedRevisionError } from '@passerelle/event-store';

/** One user action on the simulated world; indexes pick among what exists (modulo its count). */
export type Step =
  | { kind: 'propose'; extraParties: number }
  | { kind: 'schedule'; p: number; daysAhead: number }
  | { kind: 'reschedule'; p: number; m: number; daysAhead: number }
  | { kind: 'cancel'; p: number; m: number }
  | { kind: 'hold'; p: number; m: number; outcome: 'interested' | 'follow_up' | 'not_interested' }
  | { kind: 'draftAgreement'; p: number; termMonths: number }
  | { kind: 'amendAgreement'; p: number; a: number }
  | { kind: 'signAgreement'; p: number; a: number }
  | { kind: 'expireAgreement'; p: number; a: number }
  | { kind: 'launchProject'; p: number; amount: number }
  | { kind: 'reachMilestone'; p: number; j: number }
  | { kind: 'completeProject'; p: number; j: number }
  | { kind: 'draftMou'; p: number }
  | { kind: 'signMou'; p: number; u: number }
  | { kind: 'suspend'; p: number }
  | { kind: 'resume'; p: number }
  | { kind: 'withdraw'; p: number }
  | { kind: 'tick'; days: number }
  /** The natural next command for the partnership's state: what an officer would do next. */
  | { kind: 'advance'; p: number };

export const ORGANIZATIONS: OrganizationFacts[] = [IHUB, POLE, GOBIZ, REGION, US_COMPANY, FR_COMPANY];
const EXTRA_PARTIES = [[], [GOBIZ.id, REGION.id], [US_COMPANY.id], [FR_COMPANY.id, GOBIZ.id, REGION.id]];
const DAY_MS = 86_400_000;

const pick = <T>(items: readonly T[], index: number): T | undefined =>
  items.length ? items[Math.abs(index) % items.length] : undefined;

/**
 * A small world driven through the domain's own deciders, appending what they decide to a real store:
 * what the read models see is what the application would have written. Refused commands append nothing.
 */
export class World {
  readonly partnerships: string[] = [];
  private readonly states = new Map<string, { state: PartnershipState; revision: number }>();
  now = new Date('2024-01-08T09:00:00.000Z');
  decided = 0;
  refused = 0;
  lastPosition = 0;
  private counter = 0;

  constructor(private readonly store: EventStore) {}

  private id(): string {
    this.counter += 1;
    return `00000000-0000-4000-8000-${this.counter.toString(16).padStart(12, '0')}`;
  }

  private envelope(events: { type: string; data: Record<string, unknown> }[]): NewEvent[] {
    const commandId = randomUUID();
    return events.map((event) => ({
      id: randomUUID(),
      type: event.type,
      version: currentVersionOf(event.type),
      data: event.data,
      metadata: { actor: { sub: 'officer-1', name: 'Olivia Officer', roles: ['officer'] }, commandId },
    }));
  }

  async registerOrganizations(): Promise<void> {
    for (const facts of ORGANIZATIONS) {
      const events = organizationDecider.decide(
        {
          type: 'RegisterOrganization',
          data: {
            id: facts.id,
            name: facts.name,
            kind: facts.kind,
            country: facts.country,
            region: facts.country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
            sectors: ['blue_economy'],
            contacts: facts.contacts.map((c) => ({ ...c, role: null })),
          },
          metadata: { now: this.now },
        },
        organizationDecider.initialState(),
      );
      const result = await this.store.appendToStream(
        streamIdFor.organization(facts.id),
        this.envelope(events as never),
        'no_stream',
      );
      this.lastPosition = result.position;
    }
  }

  stateOf(partnershipId: string): PartnershipState {
    return this.states.get(partnershipId)?.state ?? partnershipDecider.initialState();
  }

  async run(steps: readonly Step[]): Promise<void> {
    for (const step of steps) await this.apply(step);
  }

  async apply(step: Step): Promise<void> {
    if (step.kind === 'tick') {
      this.now = new Date(this.now.getTime() + step.days * DAY_MS);
      return;
    }
    this.now = new Date(this.now.getTime() + 3_600_000);
    const partnershipId = step.kind === 'propose' ? this.id() : pick(this.partnerships, step.p);
    if (!partnershipId) return;
    const current = this.states.get(partnershipId) ?? {
      state: partnershipDecider.initialState(),
      revision: -1,
    };
    const command = this.commandFor(step, partnershipId, current.state);
    if (!command) return;
    let events;
    let result;
    for (let attempt = 1; ; attempt++) {
      try {
        events = partnershipDecider.decide(command, current.state);
      } catch (error) {
        if (error instanceof DomainError) {
          this.refused += 1;
          return;
        }
        throw error;
      }
      if (events.length === 0) return;
      try {
        result = await this.store.appendToStream(
          streamIdFor.partnership(partnershipId),
          this.envelope(events as never),
          current.revision < 0 ? 'no_stream' : current.revision,
        );
        break;
      } catch (error) {
        // Someone else wrote to the stream (in an application, its timers): decide again on the fresh state.
        if (!(error instanceof WrongExpectedRevisionError) || attempt === 3) throw error;
        const stored = await this.store.readStream(streamIdFor.partnership(partnershipId));
        current.state = stored
          .map((event) => upcast(event) as unknown as PartnershipEvent)
          .reduce(partnershipDecider.evolve, partnershipDecider.initialState());
        current.revision = stored.length - 1;
      }
    }
    this.lastPosition = result.position;
    this.decided += 1;
    if (step.kind === 'propose') this.partnerships.push(partnershipId);
    this.states.set(partnershipId, {
      state: events.reduce(partnershipDecider.evolve, current.state),
      revision: result.revision,
    });
  }

  /** What moves this partnership forward from where it is. */
  private nextStepFor(p: Partnership, index: number): Step | undefined {
    if (p.status === 'on_hold') return { kind: 'resume', p: index };
    if (p.status === 'withdrawn') return undefined;
    if (p.lifecycleStage === 'proposed') {
      const scheduled = p.meetings.findIndex(
        (m) => m.status === 'scheduled' && m.startsAt <= this.now.toISOString(),
      );
      return scheduled >= 0
        ? { kind: 'hold', p: index, m: scheduled, outcome: 'interested' }
        : { kind: 'schedule', p: index, daysAhead: -1 };
    }
    const draft = p.agreements.findIndex((a) => a.status === 'draft');
    if (!p.agreements.some((a) => a.status !== 'draft')) {
      return draft >= 0
        ? { kind: 'signAgreement', p: index, a: draft }
        : { kind: 'draftAgreement', p: index, termMonths: 24 };
    }
    if (p.projects.length === 0) return { kind: 'launchProject', p: index, amount: 120_000 };
    const mou = p.mous.findIndex((m) => m.status === 'draft');
    if (p.lifecycleStage !== 'mou_signed') {
      return mou >= 0 ? { kind: 'signMou', p: index, u: mou } : { kind: 'draftMou', p: index };
    }
    const running = p.projects.findIndex((j) => j.status === 'running');
    if (running < 0) return undefined;
    return p.projects[running]!.milestones.some((m) => m.reachedOn === null)
      ? { kind: 'reachMilestone', p: index, j: running }
      : { kind: 'completeProject', p: index, j: running };
  }

  private commandFor(
    step: Step,
    partnershipId: string,
    state: PartnershipState,
  ): PartnershipCommand | undefined {
    const metadata = {
      now: this.now,
      organizations: Object.fromEntries(ORGANIZATIONS.map((o) => [o.id, o])),
      observers: [OBSERVER],
    };
    const of = <C extends PartnershipCommand>(type: C['type'], data: Omit<C['data'], 'partnershipId'>) =>
      ({ type, data: { partnershipId, ...data }, metadata }) as unknown as C;
    const today = this.now.toISOString().slice(0, 10);
    const p = state.status === 'none' ? undefined : state;
    const at = (days: number) => new Date(this.now.getTime() + days * DAY_MS).toISOString();

    switch (step.kind) {
      case 'advance': {
        const next = p && this.nextStepFor(p, step.p);
        return next ? this.commandFor(next, partnershipId, state) : undefined;
      }
      case 'propose':
        return of('ProposePartnership', {
          title: `Partnership ${this.partnerships.length + 1}`,
          parties: [IHUB.id, POLE.id, ...pick(EXTRA_PARTIES, step.extraParties)!],
          sectors: [pick(['blue_economy', 'aerospace', 'biotech_health'], step.extraParties)!],
          axes: ['business_development'],
          // Dated as far back as the meetings the generator may place in the past.
          on: at(-3).slice(0, 10),
        });
      case 'schedule':
        return of('ScheduleIntroductionMeeting', {
          meetingId: this.id(),
          startsAt: at(step.daysAhead),
          attendees: [IHUB.contacts[0]!.email, POLE.contacts[0]!.email],
        });
      case 'reschedule': {
        const meeting = pick(p?.meetings ?? [], step.m);
        return (
          meeting &&
          of('RescheduleIntroductionMeeting', { meetingId: meeting.meetingId, startsAt: at(step.daysAhead) })
        );
      }
      case 'cancel': {
        const meeting = pick(p?.meetings ?? [], step.m);
        return (
          meeting && of('CancelIntroductionMeeting', { meetingId: meeting.meetingId, reason: 'Conflict' })
        );
      }
      case 'hold': {
        const meeting = pick(p?.meetings ?? [], step.m);
        if (!meeting) return undefined;
        const heldAt = meeting.startsAt < this.now.toISOString() ? meeting.startsAt : this.now.toISOString();
        return of('RecordIntroductionMeetingOutcome', {
          meetingId: meeting.meetingId,
          heldAt,
          outcome: step.outcome,
        });
      }
      case 'draftAgreement':
        return of('DraftAgreement', {
          agreementId: this.id(),
          title: `Agreement ${this.counter}`,
          termMonths: step.termMonths,
          signatories: [IHUB.id, POLE.id],
        });
      case 'amendAgreement': {
        const agreement = pick(p?.agreements ?? [], step.a);
        return (
          agreement &&
          of('AmendAgreement', {
            agreementId: agreement.agreementId,
            reason: 'Scope',
            title: `${agreement.title}′`,
          })
        );
      }
      case 'signAgreement': {
        const agreement = pick(p?.agreements ?? [], step.a);
        const signed = new Set(agreement?.signatures.map((s) => s.organizationId));
        const next = agreement?.signatories.find((id) => !signed.has(id));
        if (!agreement || next === undefined) return undefined;
        return of('SignAgreement', {
          agreementId: agreement.agreementId,
          organizationId: next,
          signerName: 'Signer',
          signedAt: today,
        });
      }
      case 'expireAgreement': {
        const agreement = pick(p?.agreements ?? [], step.a);
        return agreement && of('ExpireAgreement', { agreementId: agreement.agreementId });
      }
      case 'launchProject':
        return of('LaunchJointProject', {
          projectId: this.id(),
          title: `Project ${this.counter}`,
          startsOn: today,
          budget: { amount: step.amount, currency: step.amount % 2 ? 'USD' : 'EUR' },
          fundingSources: ['Région Sud'],
          leads: [POLE.id],
          milestones: [
            { milestoneId: this.id(), title: 'Specification', dueOn: at(60).slice(0, 10) },
            { milestoneId: this.id(), title: 'Trial', dueOn: at(120).slice(0, 10) },
          ],
        });
      case 'reachMilestone': {
        const project = pick(p?.projects ?? [], step.j);
        const milestone = project?.milestones.find((m) => m.reachedOn === null);
        return (
          project &&
          milestone &&
          of('ReachJointProjectMilestone', {
            projectId: project.projectId,
            milestoneId: milestone.milestoneId,
            reachedOn: today,
          })
        );
      }
      case 'completeProject': {
        const project = pick(p?.projects ?? [], step.j);
        return project && of('CompleteJointProject', { projectId: project.projectId, completedOn: today });
      }
      case 'draftMou':
        return of('DraftMou', {
          mouId: this.id(),
          title: `MOU ${this.counter}`,
          signatories: [GOBIZ.id, REGION.id],
        });
      case 'signMou': {
        const mou = pick(p?.mous ?? [], step.u);
        const signed = new Set(mou?.signatures.map((s) => s.organizationId));
        const next = mou?.signatories.find((id) => !signed.has(id));
        if (!mou || next === undefined) return undefined;
        return of('SignMou', { mouId: mou.mouId, organizationId: next, signerName: 'Signer' });
      }
      case 'suspend':
        return of('SuspendPartnership', { reason: 'Budget review' });
      case 'resume':
        return of('ResumePartnership', {});
      case 'withdraw':
        return of('WithdrawPartnership', { reason: 'Priorities changed' });
    }
  }
}

/** A deterministic pseudo-random walk through the lifecycle (for large logs and benchmarks). */
export function walk(count: number, seed = 1): Step[] {
  let x = seed >>> 0 || 1;
  const next = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const steps: Step[] = [];
  const forward: Step['kind'][] = [
    'propose',
    'schedule',
    'hold',
    'draftAgreement',
    'signAgreement',
    'signAgreement',
    'launchProject',
    'reachMilestone',
    'draftMou',
    'signMou',
    'signMou',
  ];
  for (let i = 0; i < count; i++) {
    const r = next(100);
    const p = next(1000);
    if (r < 45) steps.push({ kind: 'advance', p: next(30) });
    else if (r < 49) steps.push({ kind: 'tick', days: 1 + next(40) });
    else if (r < 52) steps.push({ kind: pick(['suspend', 'resume', 'withdraw'] as const, next(3))!, p });
    else if (r < 60) steps.push({ kind: 'propose', extraParties: next(4) });
    else {
      const kind = pick(forward, next(forward.length))!;
      steps.push(stepOf(kind, p, next(1000)));
    }
  }
  return steps;
}

function stepOf(kind: Step['kind'], p: number, r: number): Step {
  switch (kind) {
    case 'schedule':
      return { kind, p, daysAhead: (r % 5) - 2 };
    case 'hold':
      return { kind, p, m: r, outcome: r % 4 === 0 ? 'follow_up' : 'interested' };
    case 'draftAgreement':
      return { kind, p, termMonths: 1 + (r % 24) };
    case 'signAgreement':
      return { kind, p, a: r };
    case 'launchProject':
      return { kind, p, amount: 10_000 + r * 100 };
    case 'reachMilestone':
      return { kind, p, j: r };
    case 'draftMou':
      return { kind, p };
    case 'signMou':
      return { kind, p, u: r };
    case 'propose':
      return { kind, extraParties: r % 4 };
    default:
      return { kind: 'tick', days: 1 };
  }
}
