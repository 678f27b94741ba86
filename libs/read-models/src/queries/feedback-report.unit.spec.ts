import { evolvePartnership, Partnership, partnershipDecider } from '@passerelle/domain';
import { histories, IHUB, POLE } from '@passerelle/domain/testing/fixtures';
import {
  evolvePartnershipRow,
  partnershipIdOf,
  type PartnershipRow,
  type StageDates,
} from '../projections/partnerships/partnership-row';
import { foldAll } from '../runner/fold-rows';
import { recorded } from '../testing/recorded';
import { csvCell, feedbackCsv, feedbackOf } from './feedback-report';

const state = histories
  .projectActive()
  .reduce(evolvePartnership, partnershipDecider.initialState()) as Partnership;
const reached: StageDates = {
  proposed: '2025-03-03',
  introduced: '2025-03-03',
  agreement_signed: '2025-03-05',
  project_active: '2025-03-10',
  mou_signed: null,
};
const names = new Map([
  [IHUB.id, { id: IHUB.id, name: IHUB.name, kind: 'ihub', country: 'US' }],
  [POLE.id, { id: POLE.id, name: 'Pôle Mer, "Méditerranée"', kind: 'pole', country: 'FR' }],
]);

describe('the feedback report', () => {
  it('reports, per partnership, what happened within the period by business dates', () => {
    const spring = feedbackOf([{ state, stageReachedOn: reached }], names, {
      from: '2025-03-01',
      to: '2025-04-30',
    });
    expect(spring.partnerships[0]).toMatchObject({
      stageReached: 'project_active',
      meetingsHeld: [{ heldAt: '2025-03-03T17:00:00.000Z', outcome: 'interested' }],
      agreementsExecuted: [{ executedOn: '2025-03-05', expiresOn: '2027-03-05' }],
      projects: [
        {
          title: 'Underwater drone testbed',
          launchedInPeriod: true,
          budget: { amount: 250000, currency: 'EUR' },
        },
      ],
    });
    expect(spring.totals).toMatchObject({
      partnerships: 1,
      meetingsHeld: 1,
      agreementsExecuted: 1,
      budgets: { EUR: 250000 },
    });

    const early = feedbackOf([{ state, stageReachedOn: reached }], names, {
      from: '2025-03-04',
      to: '2025-03-04',
    });
    expect(early.partnerships[0]).toMatchObject({
      stageReached: 'introduced',
      meetingsHeld: [],
      agreementsExecuted: [],
      projects: [],
    });
    const before = feedbackOf([{ state, stageReachedOn: reached }], names, {
      from: '2024-01-01',
      to: '2025-03-02',
    });
    expect(before.partnerships).toEqual([]);
  });

  it('places history entered today by its business dates, not by when it was recorded', () => {
    const enteredToday = histories
      .projectActive()
      .map((event) => ({ ...event, data: { ...event.data, occurredAt: '2026-12-01T10:00:00.000Z' } }));
    const row = foldAll<PartnershipRow>(
      recorded(`partnership-${state.id}`, enteredToday),
      partnershipIdOf,
      evolvePartnershipRow,
    ).get(state.id)!;
    const period = (from: string, to: string) =>
      feedbackOf([{ state: row.state, stageReachedOn: row.stageReachedOn }], names, { from, to }).totals;
    expect(period('2025-01-01', '2025-12-31')).toMatchObject({
      partnerships: 1,
      meetingsHeld: 1,
      agreementsExecuted: 1,
      projects: 1,
      stageReached: { project_active: 1 },
    });
    expect(period('2026-01-01', '2026-12-31')).toMatchObject({ meetingsHeld: 0, agreementsExecuted: 0 });
    expect(period('2024-01-01', '2024-12-31').partnerships).toBe(0);
  });

  it('writes CSV that a spreadsheet reads as text: quoted where needed, no formulas', () => {
    expect([csvCell('plain'), csvCell('a,b'), csvCell('say "hi"'), csvCell('=1+1'), csvCell(-3)]).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      "'=1+1",
      '-3',
    ]);
    const csv = feedbackCsv(
      feedbackOf([{ state, stageReachedOn: reached }], names, { from: '2025-01-01', to: '2025-12-31' }),
    );
    const [, line] = csv.split('\r\n');
    expect(line).toBe(
      `${state.id},Blue economy bridge,${IHUB.name},"Pôle Mer, ""Méditerranée""",blue_economy,project_active,project_active,1,Cluster cooperation agreement (2025-03-05),,Underwater drone testbed,250000 EUR`,
    );
  });
});
