import type { StageDates } from '../projections/partnerships/partnership-row';
import { matrixOf, median, pipelineOf } from './dashboard.query';

const dates = (values: Partial<StageDates>): StageDates => ({
  proposed: null,
  introduced: null,
  agreement_signed: null,
  project_active: null,
  mou_signed: null,
  ...values,
});

describe('the pipeline', () => {
  it('counts stages now, conversion between consecutive stages, and the median business days per step', () => {
    const pipeline = pipelineOf([
      { stage: 'proposed', stageReachedOn: dates({ proposed: '2024-01-01' }) },
      { stage: 'introduced', stageReachedOn: dates({ proposed: '2024-01-01', introduced: '2024-01-11' }) },
      {
        stage: 'on_hold',
        stageReachedOn: dates({
          proposed: '2024-02-01',
          introduced: '2024-02-21',
          agreement_signed: '2024-05-01',
        }),
      },
      { stage: 'withdrawn', stageReachedOn: dates({ proposed: '2024-03-01', introduced: '2024-04-30' }) },
    ]);
    expect(pipeline).toEqual({
      total: 4,
      period: { from: null, to: null },
      stages: {
        proposed: 1,
        introduced: 1,
        agreement_signed: 0,
        project_active: 0,
        mou_signed: 0,
        on_hold: 1,
        withdrawn: 1,
      },
      reached: { proposed: 4, introduced: 3, agreement_signed: 1, project_active: 0, mou_signed: 0 },
      conversion: {
        'proposed→introduced': 0.75,
        'introduced→agreement_signed': 0.3333,
        'agreement_signed→project_active': 0,
        'project_active→mou_signed': null,
      },
      medianDaysBetweenStages: {
        'proposed→introduced': 20,
        'introduced→agreement_signed': 70,
        'agreement_signed→project_active': null,
        'project_active→mou_signed': null,
      },
    });
  });

  it('counts conversion and medians over a period of business dates', () => {
    // Entered today, these happened years ago: only their business dates place them in a period.
    const rows = [
      {
        stage: 'project_active',
        stageReachedOn: dates({
          proposed: '2016-11-02',
          introduced: '2016-11-15',
          agreement_signed: '2017-01-12',
          project_active: '2017-03-01',
        }),
      },
      { stage: 'introduced', stageReachedOn: dates({ proposed: '2016-12-01', introduced: '2017-02-01' }) },
      {
        stage: 'agreement_signed',
        stageReachedOn: dates({
          proposed: '2017-06-01',
          introduced: '2017-07-01',
          agreement_signed: '2018-02-01',
        }),
      },
      { stage: 'proposed', stageReachedOn: dates({ proposed: '2026-11-30' }) },
    ];
    const pipeline = pipelineOf(rows, { from: '2016-01-01', to: '2017-12-31' });
    expect(pipeline).toMatchObject({
      period: { from: '2016-01-01', to: '2017-12-31' },
      stages: { project_active: 1, introduced: 1, agreement_signed: 1, proposed: 1 },
      reached: { proposed: 3, introduced: 3, agreement_signed: 1, project_active: 1, mou_signed: 0 },
      conversion: {
        'proposed→introduced': 1,
        // The third was introduced in 2017 and signed in 2018: not converted by the end of the period.
        'introduced→agreement_signed': 0.3333,
        'agreement_signed→project_active': 1,
        'project_active→mou_signed': 0,
      },
      medianDaysBetweenStages: {
        'proposed→introduced': 30,
        'introduced→agreement_signed': 58,
        'agreement_signed→project_active': 48,
        'project_active→mou_signed': null,
      },
    });
    expect(pipelineOf(rows, { from: '2026-01-01' }).reached.proposed).toBe(1);
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect([median([]), median([3, 1, 2]), median([4, 1, 3, 2])]).toEqual([null, 2, 2.5]);
  });
});

describe('the California × France matrix', () => {
  const org = (id: string, country: string) => ({ id, name: id.toUpperCase(), kind: 'pole', country });
  const organizations = new Map(
    [org('us1', 'US'), org('us2', 'US'), org('fr1', 'FR'), org('fr2', 'FR')].map((o) => [o.id, o]),
  );

  it('counts, for each Californian and French pair, the partnerships linking them, active and by sector', () => {
    const matrix = matrixOf(
      [
        { parties: ['us1', 'fr1'], sectors: ['blue_economy'], status: 'active' },
        { parties: ['us1', 'fr1', 'fr2'], sectors: ['blue_economy', 'aerospace'], status: 'withdrawn' },
        { parties: ['us2', 'fr2', 'us2'], sectors: ['aerospace'], status: 'on_hold' },
      ],
      organizations,
    );
    expect(matrix.cells).toEqual([
      {
        californiaId: 'us1',
        franceId: 'fr1',
        partnerships: 2,
        active: 1,
        bySector: { blue_economy: 2, aerospace: 1 },
      },
      {
        californiaId: 'us1',
        franceId: 'fr2',
        partnerships: 1,
        active: 0,
        bySector: { blue_economy: 1, aerospace: 1 },
      },
      { californiaId: 'us2', franceId: 'fr2', partnerships: 1, active: 1, bySector: { aerospace: 1 } },
    ]);
    expect(matrix.california.map((o) => [o.id, o.partnerships])).toEqual([
      ['us1', 2],
      ['us2', 1],
    ]);
    expect(matrix.france.map((o) => [o.id, o.partnerships])).toEqual([
      ['fr1', 2],
      ['fr2', 2],
    ]);
  });
});
