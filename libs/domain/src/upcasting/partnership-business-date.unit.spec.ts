import { partnershipDecider } from '../partnership/decider';
import { PARTNERSHIP_EVENT_VERSIONS, type PartnershipEvent } from '../partnership/events';
import type { Partnership } from '../partnership/state';
import { fold } from '../shared/decider';
import { AGREEMENT_ID, histories, MOU_ID, PROJECT_ID } from '../testing/fixtures';
import { upcast } from './index';

const RECORDED = '2026-11-30T10:00:00.000Z';

/** An event as written before business dates: no `on`, recorded long after the fact. */
const stored = (type: string, data: Record<string, unknown>) => ({
  type,
  version: type === 'PartnershipProposed' ? 2 : 1,
  data: { partnershipId: 'p', ...data, occurredAt: RECORDED },
});

const onOf = (type: string, data: Record<string, unknown>) => upcast(stored(type, data)).data.on;

describe('upcasting partnership events recorded before business dates', () => {
  it('brings every partnership event type to the version that carries `on`', () => {
    for (const [type, version] of Object.entries(PARTNERSHIP_EVENT_VERSIONS)) {
      const upcasted = upcast(
        stored(type, {
          startsAt: RECORDED,
          heldAt: RECORDED,
          signedOn: '2026-11-30',
          executedOn: '2026-11-30',
          expiresOn: '2026-11-30',
          startsOn: '2026-11-30',
          reachedOn: '2026-11-30',
          completedOn: '2026-11-30',
        }),
      );
      expect({ type, version: upcasted.version }).toStrictEqual({ type, version });
      expect(upcasted.data.on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(upcasted.data.occurredAt).toBe(RECORDED);
    }
  });

  it('dates a step with no date of its own the day it was recorded', () => {
    expect(onOf('AgreementDrafted', { agreementId: AGREEMENT_ID })).toBe('2026-11-30');
    expect(onOf('MouDrafted', { mouId: MOU_ID })).toBe('2026-11-30');
    expect(onOf('PartnershipSuspended', { reason: 'r', fromStage: 'proposed' })).toBe('2026-11-30');
  });

  it('dates a step holding its own date with it', () => {
    expect(onOf('IntroductionMeetingHeld', { heldAt: '2016-03-02T17:00:00.000Z' })).toBe('2016-03-02');
    expect(onOf('AgreementSigned', { signedOn: '2016-12-20' })).toBe('2016-12-20');
    expect(onOf('AgreementExecuted', { executedOn: '2017-01-12', expiresOn: '2020-01-12' })).toBe(
      '2017-01-12',
    );
    expect(onOf('AgreementExpired', { expiresOn: '2020-01-12' })).toBe('2020-01-12');
    expect(onOf('JointProjectMilestoneReached', { reachedOn: '2017-02-16' })).toBe('2017-02-16');
    expect(onOf('JointProjectCompleted', { completedOn: '2018-06-30' })).toBe('2018-06-30');
    expect(onOf('MouExecuted', { executedOn: '2017-02-15' })).toBe('2017-02-15');
  });

  it('dates a meeting or a project by its start when it was past, else the day it was recorded', () => {
    expect(onOf('IntroductionMeetingScheduled', { startsAt: '2016-05-10T16:00:00.000Z' })).toBe('2016-05-10');
    expect(onOf('IntroductionMeetingScheduled', { startsAt: '2027-01-10T16:00:00.000Z' })).toBe('2026-11-30');
    expect(onOf('JointProjectLaunched', { projectId: PROJECT_ID, startsOn: '2017-03-01' })).toBe(
      '2017-03-01',
    );
    expect(onOf('JointProjectLaunched', { projectId: PROJECT_ID, startsOn: '2027-01-01' })).toBe(
      '2026-11-30',
    );
  });

  it('folds a history recorded before business dates as the same history written today', () => {
    const today = histories.projectActive();
    const old = today.map(({ type, data }) => {
      const { on: _on, ...rest } = data as Record<string, unknown>;
      return upcast({ type, version: type === 'PartnershipProposed' ? 2 : 1, data: rest });
    }) as unknown as PartnershipEvent[];
    const state = fold(partnershipDecider, old) as Partnership;
    expect(state.agreements[0]).toMatchObject({ draftedOn: '2025-03-10', executedOn: '2025-03-05' });
    expect(state.projects[0]).toMatchObject({ launchedOn: '2025-03-06' });
    expect(state.stage).toBe('project_active');
  });
});
