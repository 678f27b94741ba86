import { evolvePartnership, fold, partnershipDecider, PartnershipEvent, upcast } from '@passerelle/domain';
import {
  histories,
  IHUB,
  meetingHeld,
  meetingScheduled,
  PARTNERSHIP_ID,
  POLE,
  proposed,
  suspended,
  withdrawn,
} from '@passerelle/domain/testing/fixtures';
import { foldAll } from '../../runner/fold-rows';
import { recorded } from '../../testing/recorded';
import {
  agendaOf,
  businessDateOf,
  evolvePartnershipRow,
  partnershipIdOf,
  PartnershipRow,
} from './partnership-row';

const STREAM = `partnership-${PARTNERSHIP_ID}`;

/** Given these events of the test partnership, the read-model row. */
const rowAfter = (events: PartnershipEvent[]): PartnershipRow =>
  foldAll<PartnershipRow>(recorded(STREAM, events), partnershipIdOf, evolvePartnershipRow).get(
    PARTNERSHIP_ID,
  )!;

describe('the partnerships projection, row by row', () => {
  it('holds the domain fold of the stream, its revision and position', () => {
    const events = histories.projectActive();
    const row = rowAfter(events);
    expect(row.state).toEqual(fold(partnershipDecider, events));
    expect(row).toMatchObject({ id: PARTNERSHIP_ID, revision: events.length - 1, position: events.length });
  });

  it('dates each stage by when it happened (meeting held, agreement executed, project start), not when recorded', () => {
    expect(rowAfter(histories.projectActive()).stageReachedOn).toEqual({
      proposed: '2025-02-03',
      introduced: '2025-03-03',
      agreement_signed: '2025-03-05',
      project_active: '2025-03-06',
      mou_signed: null,
    });
  });

  it('takes a proposal recorded before business dates, after the meeting it led to, as made no later than it', () => {
    // Recorded on 2025-03-10 without a business date (upcast: dated that day); the meeting held on 2025-03-03.
    const { on: _on, ...v2 } = proposed().data;
    const old = upcast({ type: 'PartnershipProposed', version: 2, data: v2 }) as unknown as PartnershipEvent;
    expect(old.data.on).toBe('2025-03-10');
    const row = rowAfter([old, meetingScheduled(), meetingHeld('interested')]);
    expect(row.stageReachedOn.proposed).toBe('2025-03-03');
  });

  it('does not move a stage date once reached, and a side state reaches no stage', () => {
    const row = rowAfter([...histories.introduced(), suspended('introduced')]);
    expect(row.state.stage).toBe('on_hold');
    expect(row.stageReachedOn).toMatchObject({ introduced: '2025-03-03', agreement_signed: null });
    expect(
      rowAfter([proposed(), meetingScheduled(), meetingHeld('not_interested')]).stageReachedOn.introduced,
    ).toBeNull();
  });

  it('ignores events before the proposal and events of other streams', () => {
    const [held] = recorded(STREAM, [meetingHeld()]);
    expect(evolvePartnershipRow(null, held!)).toBeNull();
    const [organization] = recorded('organization-x', [
      { type: 'OrganizationRegistered', data: { organizationId: 'x' } },
    ]);
    expect(partnershipIdOf(organization!)).toBeNull();
  });

  it('dates each stage by the business date of the event that reached it', () => {
    const [launched] = histories.projectActive().slice(-1) as [
      Extract<PartnershipEvent, { type: 'JointProjectLaunched' }>,
    ];
    expect(businessDateOf(launched)).toBe('2025-03-06');
    expect(businessDateOf({ ...launched, data: { ...launched.data, on: '2024-01-15' } })).toBe('2024-01-15');
  });
});

describe('what is coming up for a partnership', () => {
  const stateOf = (events: PartnershipEvent[]) => {
    const state = events.reduce(evolvePartnership, partnershipDecider.initialState());
    if (state.status === 'none') throw new Error('no partnership');
    return state;
  };

  it('lists a scheduled meeting, each signature still awaited, and an executed agreement’s end', () => {
    expect(agendaOf(stateOf([...histories.proposed(), meetingScheduled()]))).toEqual([
      expect.objectContaining({ kind: 'meeting', dueAt: '2025-03-03T17:00:00.000Z', title: 'Introductions' }),
    ]);
    const drafted = agendaOf(stateOf(histories.agreementDrafted()));
    expect(drafted.map((item) => [item.kind, item.organizationId, item.dueAt])).toEqual([
      // Pending since the business date of the terms, not since they were recorded.
      ['signature', IHUB.id, '2025-03-03T00:00:00.000Z'],
      ['signature', POLE.id, '2025-03-03T00:00:00.000Z'],
    ]);
    const executed = agendaOf(stateOf(histories.agreementExecuted()));
    expect(executed).toEqual([
      expect.objectContaining({ kind: 'expiry', document: 'agreement', dueAt: '2027-03-05T00:00:00.000Z' }),
    ]);
  });

  it('is empty once the partnership is withdrawn', () => {
    expect(agendaOf(stateOf([...histories.agreementDrafted(), withdrawn()]))).toEqual([]);
  });
});
