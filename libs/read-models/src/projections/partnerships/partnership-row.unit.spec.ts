import { evolvePartnership, fold, partnershipDecider, PartnershipEvent } from '@passerelle/domain';
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
      proposed: '2025-03-03',
      introduced: '2025-03-03',
      agreement_signed: '2025-03-05',
      project_active: '2025-03-10',
      mou_signed: null,
    });
  });

  it('takes a proposal entered after the meeting it led to as made no later than that meeting', () => {
    const row = rowAfter([proposed(), meetingScheduled(), meetingHeld('interested')]);
    // The proposal was recorded on 2025-03-10, the meeting held on 2025-03-03.
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

  it('uses the project start as its date when it started before it was recorded, else the recording day', () => {
    const [launched] = histories.projectActive().slice(-1) as [
      Extract<PartnershipEvent, { type: 'JointProjectLaunched' }>,
    ];
    expect(businessDateOf(launched)).toBe('2025-03-10');
    expect(businessDateOf({ ...launched, data: { ...launched.data, startsOn: '2024-01-15' } })).toBe(
      '2024-01-15',
    );
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
    expect(drafted.map((item) => [item.kind, item.organizationId])).toEqual([
      ['signature', IHUB.id],
      ['signature', POLE.id],
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
