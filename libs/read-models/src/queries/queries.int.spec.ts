import { CALIFORNIA_COUNTRY, FRANCE_COUNTRY, Partnership, PARTNERSHIP_STAGES } from '@passerelle/domain';
import { FR_COMPANY, US_COMPANY } from '@passerelle/domain/testing/fixtures';
import { READ_MODEL_PROJECTIONS } from '../projections';
import { LocalLocks } from '@passerelle/event-store';
import { ProjectionRunner } from '../runner/projection-runner';
import { DIALECTS, openTestStore, TestStore } from '../testing/test-store';
import { ORGANIZATIONS, walk, World } from '../testing/world';
import { DashboardQuery } from './dashboard.query';
import { FeedbackReportQuery } from './feedback-report';
import { OrganizationsQuery } from './organizations.query';
import { PartnershipsQuery } from './partnerships.query';

const DAY = 86_400_000;

/** The queries against what the domain decided, as the world remembers it (the oracle). */
describe.each(DIALECTS)('read-model queries on %s', (dialect) => {
  let db: TestStore;
  let world: World;
  let states: Partnership[];
  const countryOf = (id: string) => ORGANIZATIONS.find((o) => o.id === id)?.country;
  /** California × France pairs of parties, summed over the partnerships. */
  const pairsOf = (partnerships: Partnership[]) =>
    partnerships.reduce(
      (sum, s) =>
        sum +
        s.parties.filter((id) => countryOf(id) === CALIFORNIA_COUNTRY).length *
          s.parties.filter((id) => countryOf(id) === FRANCE_COUNTRY).length,
      0,
    );

  beforeAll(async () => {
    db = await openTestStore(dialect, `rm_queries_${dialect}`);
    world = new World(db.store);
    await world.registerOrganizations();
    await world.run(walk(700, 31));
    const runner = new ProjectionRunner({
      client: db.client,
      store: db.store,
      projections: READ_MODEL_PROJECTIONS,
      locks: new LocalLocks(),
      logger: { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
    });
    await runner.start();
    expect(await runner.waitForPosition(world.lastPosition, 30_000)).toBe(true);
    await runner.stop();
    states = world.partnerships.map((id) => world.stateOf(id) as Partnership);
  });
  afterAll(() => db.cleanup());

  it('lists partnerships by stage, sector, party and title, with totals', async () => {
    const query = new PartnershipsQuery(db.client);
    for (const stage of PARTNERSHIP_STAGES) {
      const page = await query.list({ stage, limit: 1 });
      expect([stage, page.total]).toEqual([stage, states.filter((s) => s.stage === stage).length]);
    }
    expect((await query.list({ sector: 'aerospace' })).total).toBe(
      states.filter((s) => s.sectors.includes('aerospace')).length,
    );
    expect((await query.list({ organizationId: US_COMPANY.id })).total).toBe(
      states.filter((s) => s.parties.includes(US_COMPANY.id)).length,
    );
    expect((await query.list({ q: 'partnership 1' })).total).toBe(
      states.filter((s) => s.title.toLowerCase().includes('partnership 1')).length,
    );
  });

  it('pages through every partnership once, newest first, by cursor as by offset', async () => {
    const query = new PartnershipsQuery(db.client);
    const byCursor: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await query.list({ limit: 37, cursor });
      byCursor.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const byOffset: string[] = [];
    for (let offset = 0; offset < states.length; offset += 50) {
      byOffset.push(...(await query.list({ limit: 50, offset })).items.map((item) => item.id));
    }
    const expected = [...states]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((s) => s.id);
    expect(byCursor).toEqual(expected);
    expect(byOffset).toEqual(expected);
  });

  it('filters the organisation directory by country, kind, sector and name', async () => {
    const query = new OrganizationsQuery(db.client);
    expect((await query.list({ country: 'fr' })).items.map((o) => o.id).sort()).toEqual(
      ORGANIZATIONS.filter((o) => o.country === 'FR')
        .map((o) => o.id)
        .sort(),
    );
    expect((await query.list({ kind: 'company' })).total).toBe(2);
    expect((await query.list({ q: 'sous-marine' })).items).toEqual([
      expect.objectContaining({
        id: FR_COMPANY.id,
        partnerships: states.filter((s) => s.parties.includes(FR_COMPANY.id)).length,
      }),
    ]);
    expect((await query.list({ sector: 'aerospace' })).total).toBe(0);
  });

  it('counts the pipeline and the matrix as the partnerships are', async () => {
    const dashboard = new DashboardQuery(db.client);
    const pipeline = await dashboard.pipeline();
    for (const stage of PARTNERSHIP_STAGES) {
      expect([stage, pipeline.stages[stage]]).toEqual([
        stage,
        states.filter((s) => s.stage === stage).length,
      ]);
    }
    expect(pipeline.reached.introduced).toBe(states.filter((s) => s.lifecycleStage !== 'proposed').length);
    const matrix = await dashboard.matrix();
    expect(matrix.cells.reduce((sum, cell) => sum + cell.partnerships, 0)).toBe(pairsOf(states));
  });

  it('filters the pipeline and the matrix by party and by the parties’ region', async () => {
    const dashboard = new DashboardQuery(db.client);
    for (const org of ORGANIZATIONS) {
      const withOrg = states.filter((s) => s.parties.includes(org.id));
      const pipeline = await dashboard.pipeline({ organizationId: org.id });
      expect([org.name, pipeline.total]).toEqual([org.name, withOrg.length]);
      // The matrix of those partnerships: every pair of their parties, not only the pairs with this one.
      const matrix = await dashboard.matrix({ organizationId: org.id });
      expect(matrix.cells.reduce((sum, cell) => sum + cell.partnerships, 0)).toBe(pairsOf(withOrg));
    }
    // The world's French parties are all in Provence-Alpes-Côte d'Azur, the Californian ones in California.
    const withFrench = states.filter((s) => s.parties.some((id) => countryOf(id) === FRANCE_COUNTRY)).length;
    expect((await dashboard.pipeline({ region: "  provence-alpes-côte d'azur " })).total).toBe(withFrench);
    expect((await dashboard.pipeline({ region: 'California' })).total).toBe(states.length);
    expect((await dashboard.pipeline({ region: 'Normandie' })).total).toBe(0);
    expect((await dashboard.matrix({ region: 'Normandie' })).cells).toEqual([]);
    // The partnership list takes the same scope.
    const list = new PartnershipsQuery(db.client);
    expect((await list.list({ region: 'CALIFORNIA' })).total).toBe(states.length);
    expect((await list.list({ region: 'Normandie' })).total).toBe(0);
    const [first] = ORGANIZATIONS;
    expect(
      (await dashboard.pipeline({ organizationId: first!.id, region: 'Normandie', sector: 'blue_economy' }))
        .total,
    ).toBe(0);
  });

  it('pages through the whole activity feed, newest first', async () => {
    const dashboard = new DashboardQuery(db.client);
    const positions: number[] = [];
    let before: number | undefined;
    do {
      const page = await dashboard.activity({ limit: 100, before });
      positions.push(...page.items.map((item) => item.position));
      expect(page.items.every((item) => item.text.length > 0)).toBe(true);
      before = page.nextBefore ?? undefined;
    } while (before);
    const [{ n }] = (await db.client.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM events WHERE stream_id LIKE 'partnership-%' OR stream_id LIKE 'organization-%'",
    )) as [{ n: number }];
    expect(positions).toHaveLength(n);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  it('shows what is coming up relative to the clock it is given', async () => {
    const dashboard = new DashboardQuery(db.client);
    const now = new Date(world.now.getTime() - 20 * DAY);
    const upcoming = await dashboard.upcoming(now);
    const live = states.filter((s) => s.status !== 'withdrawn');
    const meetings = live.flatMap((s) =>
      s.meetings.filter(
        (m) =>
          m.status === 'scheduled' &&
          Date.parse(m.startsAt) >= now.getTime() &&
          Date.parse(m.startsAt) < now.getTime() + 30 * DAY,
      ),
    );
    expect(upcoming.meetings.map((m) => m.meetingId).sort()).toEqual(meetings.map((m) => m.meetingId).sort());
    const pending = live.flatMap((s) =>
      [...s.agreements, ...s.mous]
        .filter((d) => d.status === 'draft')
        .flatMap((d) => d.signatories.filter((o) => !d.signatures.some((g) => g.organizationId === o))),
    );
    expect(upcoming.pendingSignatures).toHaveLength(pending.length);
    const today = now.toISOString().slice(0, 10);
    const horizon = new Date(Date.parse(today) + 90 * DAY).toISOString().slice(0, 10);
    const expiring = live.flatMap((s) =>
      s.agreements.filter((a) => a.status === 'executed' && a.expiresOn! >= today && a.expiresOn! <= horizon),
    );
    expect(upcoming.expiringAgreements.map((a) => a.agreementId).sort()).toEqual(
      expiring.map((a) => a.agreementId).sort(),
    );
    expect(upcoming.meetings.length + upcoming.pendingSignatures.length).toBeGreaterThan(0);
  });

  it('reports the meetings held and agreements executed within a period', async () => {
    const reports = new FeedbackReportQuery(db.client);
    const period = { from: '2024-02-01', to: '2024-12-31' };
    const report = await reports.report(period);
    const within = (date: string | null) =>
      date !== null && date.slice(0, 10) >= period.from && date.slice(0, 10) <= period.to;
    expect(report.totals.meetingsHeld).toBe(
      states.flatMap((s) => s.meetings).filter((m) => m.status === 'held' && within(m.heldAt)).length,
    );
    expect(report.totals.agreementsExecuted).toBe(
      states.flatMap((s) => s.agreements).filter((a) => within(a.executedOn)).length,
    );
    expect(report.totals.agreementsExecuted).toBeGreaterThan(0);
  });
});
