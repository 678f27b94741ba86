import { CALIFORNIA_COUNTRY, FRANCE_COUNTRY, PARTNERSHIP_STAGES, STAGES } from '@passerelle/domain';
import fc from 'fast-check';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import { organizationsProjection, partnershipsProjection, type StageDates } from '../projections';
import { ensureProjection } from '../runner/catalog';
import { DIALECTS, openTestStore, TestStore } from '../testing/test-store';
import { OrganizationName, organizationNames, PartnershipScope, Where, whereInScope } from './common';
import { DashboardQuery, Matrix, MatrixCell, Pipeline, PipelinePeriod } from './dashboard.query';

// ---------------------------------------------------------------------------------------------------------
// The oracle: the dashboards as they were computed before the database aggregated them (every row in scope
// selected, then folded here). Kept only here, to hold the SQL to the same answers.

const DAY_MS = 86_400_000;

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

function pipelineOf(
  rows: { stage: string; stageReachedOn: StageDates }[],
  period: PipelinePeriod = {},
): Pipeline {
  const within = (day: string | null): day is string =>
    day !== null && (!period.from || day >= period.from) && (!period.to || day <= period.to);
  const byEnd = (day: string | null): day is string => day !== null && (!period.to || day <= period.to);
  const stages = Object.fromEntries(PARTNERSHIP_STAGES.map((stage) => [stage, 0])) as Record<string, number>;
  const reached = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<string, number>;
  for (const row of rows) {
    stages[row.stage] = (stages[row.stage] ?? 0) + 1;
    for (const stage of STAGES) if (within(row.stageReachedOn[stage])) reached[stage]! += 1;
  }
  const conversion: Record<string, number | null> = {};
  const medianDaysBetweenStages: Record<string, number | null> = {};
  for (let index = 1; index < STAGES.length; index++) {
    const from = STAGES[index - 1]!;
    const to = STAGES[index]!;
    const step = `${from}→${to}`;
    const cohort = rows.filter((row) => within(row.stageReachedOn[from]));
    const converted = cohort.filter((row) => byEnd(row.stageReachedOn[to])).length;
    conversion[step] = cohort.length ? Math.round((converted / cohort.length) * 10_000) / 10_000 : null;
    const days = rows
      .map((row) => [row.stageReachedOn[from], row.stageReachedOn[to]] as const)
      .filter((pair): pair is readonly [string, string] => pair[0] !== null && within(pair[1]))
      .map(([a, b]) => daysBetween(a, b));
    medianDaysBetweenStages[step] = median(days);
  }
  return {
    total: rows.length,
    period: { from: period.from ?? null, to: period.to ?? null },
    stages,
    reached,
    conversion,
    medianDaysBetweenStages,
  };
}

function matrixOf(
  partnerships: { parties: string[]; sectors: string[]; status: string }[],
  organizations: Map<string, OrganizationName>,
): Matrix {
  const cells = new Map<string, MatrixCell>();
  const totals = new Map<string, number>();
  for (const partnership of partnerships) {
    const side = (country: string) =>
      [...new Set(partnership.parties)].filter((id) => organizations.get(id)?.country === country);
    const california = side(CALIFORNIA_COUNTRY);
    const france = side(FRANCE_COUNTRY);
    for (const id of [...california, ...france]) totals.set(id, (totals.get(id) ?? 0) + 1);
    for (const californiaId of california) {
      for (const franceId of france) {
        const key = `${californiaId}|${franceId}`;
        const cell = cells.get(key) ?? { californiaId, franceId, partnerships: 0, active: 0, bySector: {} };
        cell.partnerships += 1;
        if (partnership.status !== 'withdrawn') cell.active += 1;
        for (const sector of partnership.sectors) cell.bySector[sector] = (cell.bySector[sector] ?? 0) + 1;
        cells.set(key, cell);
      }
    }
  }
  const sideList = (country: string) =>
    [...totals.entries()]
      .map(([id, count]) => ({ ...organizations.get(id)!, partnerships: count }))
      .filter((org) => org.country === country)
      .sort((a, b) => b.partnerships - a.partnerships || a.name.localeCompare(b.name));
  return {
    california: sideList(CALIFORNIA_COUNTRY),
    france: sideList(FRANCE_COUNTRY),
    cells: [...cells.values()].sort(
      (a, b) =>
        b.partnerships - a.partnerships ||
        a.californiaId.localeCompare(b.californiaId) ||
        a.franceId.localeCompare(b.franceId),
    ),
  };
}

/** The old queries: every row in scope, folded by the oracle. */
async function oldPipeline(
  db: SqlClient,
  scope: PartnershipScope,
  period: PipelinePeriod,
): Promise<Pipeline> {
  const where = whereInScope(new Where(), scope);
  const rows = await db.query<{ stage: string; stage_reached_on: StageDates }>(
    `SELECT stage, stage_reached_on FROM rm_partnerships ${where}`,
    where.params,
  );
  return pipelineOf(
    rows.map((row) => ({ stage: row.stage, stageReachedOn: row.stage_reached_on })),
    period,
  );
}

async function oldMatrix(db: SqlClient, scope: PartnershipScope): Promise<Matrix> {
  const where = whereInScope(new Where(), scope);
  const partnerships = await db.query<{ parties: string[]; sectors: string[]; status: string }>(
    `SELECT parties, sectors, status FROM rm_partnerships ${where}`,
    where.params,
  );
  const names = await organizationNames(
    db,
    partnerships.flatMap((p) => p.parties),
  );
  const matrix = matrixOf(partnerships, names);
  // The one order the old answer left to the table's physical order: a cell's sectors. It is now most
  // partnerships first, then the sector's name.
  for (const cell of matrix.cells) {
    cell.bySector = Object.fromEntries(
      Object.entries(cell.bySector).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1)),
    );
  }
  return matrix;
}

// ---------------------------------------------------------------------------------------------------------

const uuid = (n: number, prefix = '00000000') =>
  `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

interface OrgRow {
  id: string;
  name: string;
  kind: string;
  country: string;
  region: string;
}

interface PartnershipFixture {
  stage: string;
  status: string;
  parties: string[];
  sectors: string[];
  axes: string[];
  stageReachedOn: StageDates;
}

const ORGS: OrgRow[] = [
  { id: uuid(1, 'aaaaaaaa'), name: 'iHub', kind: 'ihub', country: 'US', region: 'California' },
  { id: uuid(2, 'aaaaaaaa'), name: 'Ocean Labs', kind: 'company', country: 'US', region: 'California' },
  { id: uuid(3, 'aaaaaaaa'), name: 'ocean labs', kind: 'company', country: 'US', region: 'Oregon' },
  {
    id: uuid(4, 'aaaaaaaa'),
    name: 'Pôle Mer',
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
  },
  {
    id: uuid(5, 'aaaaaaaa'),
    name: 'Région Sud',
    kind: 'region',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
  },
  { id: uuid(6, 'aaaaaaaa'), name: 'Élan', kind: 'company', country: 'FR', region: 'Normandie' },
  { id: uuid(7, 'aaaaaaaa'), name: 'Quebec Tech', kind: 'company', country: 'CA', region: 'Québec' },
];
/** A party the directory does not know (left out of the matrix, as before). */
const UNKNOWN_PARTY = uuid(99, 'bbbbbbbb');

async function insertOrganizations(db: SqlClient, orgs: OrgRow[]): Promise<void> {
  await db.query(
    `INSERT INTO rm_organizations (id, name, kind, country, region, sectors, registered_at, revision, position, state)
     SELECT id, name, kind, country, region, '{}', now(), 1, 1, '{}'::jsonb
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, name text, kind text, country text, region text)`,
    [JSON.stringify(orgs)],
  );
}

async function replacePartnerships(db: SqlClient, rows: PartnershipFixture[]): Promise<void> {
  await db.query('DELETE FROM rm_partnerships');
  await upsertPartnerships(
    db,
    rows.map((row, index) => ({ index, row })),
  );
}

/**
 * Writes rows as the projection does (insert, or update the row already there: one statement), the `index`-th
 * under the `index`-th id; the counters follow whatever the statement did.
 */
async function upsertPartnerships(
  db: SqlClient,
  rows: { index: number; row: PartnershipFixture }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO rm_partnerships (id, title, stage, lifecycle_stage, status, parties, sectors, axes, revision, position,
                                  created_at, updated_at, stage_reached_on, state)
     SELECT id, 'P', stage, 'proposed', status, parties, sectors, axes, 1, n, now(), now(), stage_reached_on, '{}'::jsonb
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, n bigint, stage text, status text, parties text[], sectors text[],
                                                axes text[], stage_reached_on jsonb)
     ON CONFLICT (id) DO UPDATE SET
       stage = EXCLUDED.stage, status = EXCLUDED.status, parties = EXCLUDED.parties, sectors = EXCLUDED.sectors,
       axes = EXCLUDED.axes, position = EXCLUDED.position, stage_reached_on = EXCLUDED.stage_reached_on`,
    [
      JSON.stringify(
        rows.map(({ index, row }) => ({
          id: uuid(index + 1),
          n: index + 1,
          stage: row.stage,
          status: row.status,
          parties: row.parties,
          sectors: row.sectors,
          axes: row.axes,
          stage_reached_on: row.stageReachedOn,
        })),
      ),
    ],
  );
}

/** The counter tables and the stages' days, in key order. */
async function counters(db: SqlClient): Promise<unknown[]> {
  return [
    ...(await db.query('SELECT * FROM rm_partnership_counts ORDER BY scope, kind, item, days')),
    ...(await db.query('SELECT * FROM rm_partnership_combinations ORDER BY scope, combination')),
    ...(await db.query('SELECT * FROM rm_partnership_stage_days ORDER BY stage, reached_on, since')),
  ];
}

/** Every statement a query sends. */
class Recorder implements SqlExecutor {
  readonly statements: string[] = [];
  constructor(private readonly db: SqlExecutor) {}
  query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.statements.push(sql);
    return this.db.query<Row>(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.db.exec(sql);
  }
}

const noDates = (values: Partial<StageDates> = {}): StageDates => ({
  proposed: null,
  introduced: null,
  agreement_signed: null,
  project_active: null,
  mou_signed: null,
  ...values,
});

const fixture = (
  values: Partial<Omit<PartnershipFixture, 'stageReachedOn'>> & { stageReachedOn?: Partial<StageDates> },
): PartnershipFixture => ({
  stage: 'proposed',
  status: 'active',
  parties: [],
  sectors: [],
  axes: [],
  ...values,
  stageReachedOn: noDates(values.stageReachedOn),
});

/** Partnerships in every shape the dashboards distinguish: dates in and out of periods, odd parties, repeats. */
const DAYS = [
  '2016-11-02',
  '2016-12-31',
  '2017-01-01',
  '2017-03-01',
  '2017-12-31',
  '2018-01-01',
  '2020-02-29',
  '2026-11-30',
];
const day = fc.option(fc.constantFrom(...DAYS), { nil: null, freq: 3 });
const partnershipArbitrary: fc.Arbitrary<PartnershipFixture> = fc.record({
  stage: fc.constantFrom(...PARTNERSHIP_STAGES),
  status: fc.constantFrom('active', 'on_hold', 'withdrawn'),
  parties: fc.array(fc.constantFrom(...ORGS.map((o) => o.id), UNKNOWN_PARTY), { maxLength: 5 }),
  sectors: fc.array(fc.constantFrom('blue_economy', 'aerospace', 'biotech_health', 'energy_cleantech'), {
    maxLength: 3,
  }),
  axes: fc.array(fc.constantFrom('investment', 'higher_education'), { maxLength: 2 }),
  stageReachedOn: fc.record({
    proposed: day,
    introduced: day,
    agreement_signed: day,
    project_active: day,
    mou_signed: day,
  }),
});

const SCOPES: PartnershipScope[] = [
  {},
  { sector: 'blue_economy' },
  { axis: 'investment' },
  { organizationId: ORGS[0]!.id },
  { organizationId: ORGS[4]!.id },
  { region: "  provence-alpes-côte d'azur " },
  { region: 'CALIFORNIA' },
  { region: 'Bretagne' },
  { sector: 'aerospace', organizationId: ORGS[1]!.id, region: 'normandie' },
  { sector: 'biotech_health', axis: 'higher_education' },
  { organizationId: UNKNOWN_PARTY },
  { organizationId: ORGS[6]!.id },
  { axis: 'higher_education', region: '   ' },
];
const PERIODS: PipelinePeriod[] = [
  {},
  { from: '2017-01-01' },
  { to: '2017-12-31' },
  { from: '2016-01-01', to: '2017-12-31' },
  { from: '2017-03-01', to: '2017-03-01' },
  { from: '2030-01-01', to: '2030-12-31' },
];

/** Byte for byte: the JSON the endpoint would send, key order included. */
const json = (value: unknown) => JSON.stringify(value, null, 1);

describe.each(DIALECTS)('the dashboards aggregated in SQL on %s', (dialect) => {
  let db: TestStore;
  let dashboard: DashboardQuery;

  beforeAll(async () => {
    db = await openTestStore(dialect, `rm_dashboard_${dialect}`);
    await ensureProjection(db.client, organizationsProjection);
    await ensureProjection(db.client, partnershipsProjection);
    await insertOrganizations(db.client, ORGS);
    dashboard = new DashboardQuery(db.client);
  });
  afterAll(() => db.cleanup());

  it('counts stages now, conversion between consecutive stages, and the median business days per step', async () => {
    await replacePartnerships(db.client, [
      fixture({ stage: 'proposed', stageReachedOn: { proposed: '2024-01-01' } }),
      fixture({ stage: 'introduced', stageReachedOn: { proposed: '2024-01-01', introduced: '2024-01-11' } }),
      fixture({
        stage: 'on_hold',
        stageReachedOn: { proposed: '2024-02-01', introduced: '2024-02-21', agreement_signed: '2024-05-01' },
      }),
      fixture({ stage: 'withdrawn', stageReachedOn: { proposed: '2024-03-01', introduced: '2024-04-30' } }),
    ]);
    expect(json(await dashboard.pipeline())).toBe(
      json({
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
      }),
    );
  });

  it('counts conversion and medians over a period of business dates, halves included', async () => {
    // Entered today, these happened years ago: only their business dates place them in a period.
    await replacePartnerships(db.client, [
      fixture({
        stage: 'project_active',
        stageReachedOn: {
          proposed: '2016-11-02',
          introduced: '2016-11-15',
          agreement_signed: '2017-01-12',
          project_active: '2017-03-01',
        },
      }),
      fixture({ stage: 'introduced', stageReachedOn: { proposed: '2016-12-01', introduced: '2017-02-01' } }),
      fixture({
        stage: 'agreement_signed',
        stageReachedOn: { proposed: '2017-06-01', introduced: '2017-07-01', agreement_signed: '2018-02-01' },
      }),
      fixture({ stage: 'proposed', stageReachedOn: { proposed: '2026-11-30' } }),
    ]);
    const pipeline = await dashboard.pipeline({}, { from: '2016-01-01', to: '2017-12-31' });
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
        // 13, 62 and 30 days: the middle one.
        'proposed→introduced': 30,
        'introduced→agreement_signed': 58,
        'agreement_signed→project_active': 48,
        'project_active→mou_signed': null,
      },
    });
    expect((await dashboard.pipeline({}, { from: '2026-01-01' })).reached.proposed).toBe(1);
    // Without a period, two steps introduced→signed: 58 and 215 days, the mean of the two middle ones.
    expect((await dashboard.pipeline()).medianDaysBetweenStages['introduced→agreement_signed']).toBe(136.5);
  });

  it('counts, for each Californian and French pair, the partnerships linking them, active and by sector', async () => {
    const [us1, us2, , fr1, fr2] = ORGS.map((o) => o.id);
    await replacePartnerships(db.client, [
      fixture({ parties: [us1!, fr1!], sectors: ['blue_economy'], status: 'active' }),
      fixture({ parties: [us1!, fr1!, fr2!], sectors: ['blue_economy', 'aerospace'], status: 'withdrawn' }),
      fixture({
        parties: [us2!, fr2!, us2!, UNKNOWN_PARTY, ORGS[6]!.id],
        sectors: ['aerospace'],
        status: 'on_hold',
      }),
    ]);
    const matrix = await dashboard.matrix();
    expect(json(matrix.cells)).toBe(
      json([
        {
          californiaId: us1,
          franceId: fr1,
          partnerships: 2,
          active: 1,
          bySector: { blue_economy: 2, aerospace: 1 },
        },
        {
          californiaId: us1,
          franceId: fr2,
          partnerships: 1,
          active: 0,
          bySector: { aerospace: 1, blue_economy: 1 },
        },
        { californiaId: us2, franceId: fr2, partnerships: 1, active: 1, bySector: { aerospace: 1 } },
      ]),
    );
    expect(json(matrix.california)).toBe(
      json([
        { id: us1, name: 'iHub', kind: 'ihub', country: 'US', partnerships: 2 },
        { id: us2, name: 'Ocean Labs', kind: 'company', country: 'US', partnerships: 1 },
      ]),
    );
    expect(matrix.france.map((o) => [o.name, o.partnerships])).toEqual([
      ['Pôle Mer', 2],
      ['Région Sud', 2],
    ]);
    expect(await dashboard.matrix({ region: 'Bretagne' })).toEqual({ california: [], france: [], cells: [] });
  });

  it("reads the counters for everyone or one sector, axis or party, and the stages' days for everyone over a period", async () => {
    await replacePartnerships(db.client, [fixture({ parties: [ORGS[0]!.id, ORGS[3]!.id] })]);
    for (const scope of [
      {},
      { sector: 'aerospace' },
      { axis: 'investment' },
      { organizationId: ORGS[0]!.id },
    ]) {
      const recorder = new Recorder(db.client);
      await new DashboardQuery(recorder).pipeline(scope);
      await new DashboardQuery(recorder).matrix(scope);
      expect(recorder.statements.filter((sql) => /\brm_partnerships\b/.test(sql))).toEqual([]);
    }
    const recorder = new Recorder(db.client);
    for (const period of PERIODS) await new DashboardQuery(recorder).pipeline({}, period);
    expect(recorder.statements.filter((sql) => /\brm_partnerships\b/.test(sql))).toEqual([]);
    expect(recorder.statements.filter((sql) => /\brm_partnership_stage_days\b/.test(sql))).toHaveLength(
      PERIODS.length - 1,
    );
    for (const [scope, period] of [
      [{ region: 'California' }, {}],
      [{ sector: 'aerospace', axis: 'investment' }, {}],
      [{ region: 'California' }, { from: '2017-01-01' }],
      [{ organizationId: ORGS[0]!.id }, { to: '2017-12-31' }],
    ] as [PartnershipScope, PipelinePeriod][]) {
      const recorder = new Recorder(db.client);
      await new DashboardQuery(recorder).pipeline(scope, period);
      expect(recorder.statements.some((sql) => /\brm_partnerships\b/.test(sql))).toBe(true);
    }
  });

  it('keeps the counters as a recount of the rows would, through inserts, updates and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(partnershipArbitrary, { maxLength: 25 }),
        fc.array(fc.array(fc.tuple(fc.nat(30), partnershipArbitrary), { maxLength: 6 }), { maxLength: 4 }),
        async (rows, statements) => {
          await replacePartnerships(db.client, rows);
          // Some rows changed, some written again unchanged, some new, in statements of several rows.
          const final = new Map(rows.map((row, index) => [index, row]));
          for (const statement of statements) {
            const written = new Map(statement.map(([index, row]) => [index, row]));
            await upsertPartnerships(
              db.client,
              [...written].map(([index, row]) => ({ index, row })),
            );
            for (const [index, row] of written) final.set(index, row);
          }
          for (const scope of SCOPES) {
            for (const period of PERIODS) {
              expect([scope, period, json(await dashboard.pipeline(scope, period))]).toEqual([
                scope,
                period,
                json(await oldPipeline(db.client, scope, period)),
              ]);
            }
            expect([scope, json(await dashboard.matrix(scope))]).toEqual([
              scope,
              json(await oldMatrix(db.client, scope)),
            ]);
          }
          const kept = await counters(db.client);
          await db.client.query('DELETE FROM rm_partnerships');
          expect(await counters(db.client)).toEqual([]);
          await upsertPartnerships(
            db.client,
            [...final].map(([index, row]) => ({ index, row })),
          );
          expect(await counters(db.client)).toEqual(kept);
        },
      ),
      { numRuns: dialect === 'pglite' ? 10 : 20, seed: 16 },
    );
  });

  it('answers as the old fold of every row did, for any partnerships, scope and period', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(partnershipArbitrary, { maxLength: 40 }), async (rows) => {
        await replacePartnerships(db.client, rows);
        for (const scope of SCOPES) {
          for (const period of PERIODS) {
            expect([scope, period, json(await dashboard.pipeline(scope, period))]).toEqual([
              scope,
              period,
              json(await oldPipeline(db.client, scope, period)),
            ]);
          }
          expect([scope, json(await dashboard.matrix(scope))]).toEqual([
            scope,
            json(await oldMatrix(db.client, scope)),
          ]);
        }
      }),
      { numRuns: dialect === 'pglite' ? 15 : 25, seed: 16 },
    );
  });
});
