import { fold, partnershipDecider, PartnershipEvent, streamIdFor, upcast } from '@passerelle/domain';
import { checkConsistency } from '../rebuild/consistency';
import { READ_MODEL_PROJECTIONS } from '../projections';
import { PartnershipsQuery } from '../queries/partnerships.query';
import { DIALECTS, openTestStore, TestStore } from '../testing/test-store';
import { walk, World } from '../testing/world';
import { LocalLocks, PostgresAdvisoryLocks } from '@passerelle/event-store';
import { PROGRESS_CHANNEL } from './catalog';
import { ProjectionProgress } from './progress';
import { ProjectionRunner } from './projection-runner';
import { TEST_DATABASE_URL } from '@passerelle/database/testing';

const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

describe.each(DIALECTS)('projection runner on %s', (dialect) => {
  let db: TestStore;
  let world: World;
  beforeAll(async () => {
    db = await openTestStore(dialect, `rm_runner_${dialect}`);
    world = new World(db.store);
    await world.registerOrganizations();
    await world.run(walk(400, 7));
  });
  afterAll(() => db.cleanup());

  const locks = () =>
    dialect === 'postgres'
      ? new PostgresAdvisoryLocks({ databaseUrl: TEST_DATABASE_URL, schema: db.client.schema, pollMs: 100 })
      : new LocalLocks();

  it('projects the whole log: each partnership row is the domain fold of its stream', async () => {
    const progress = new ProjectionProgress(
      db.client,
      READ_MODEL_PROJECTIONS.map((p) => p.name),
    );
    await progress.start();
    const runner = new ProjectionRunner({
      client: db.client,
      store: db.store,
      projections: READ_MODEL_PROJECTIONS,
      locks: locks(),
      progress,
      batchSize: 37,
      logger: quiet,
    });
    await runner.start();
    const head = world.lastPosition;
    expect(world.decided).toBeGreaterThan(50);
    expect(await runner.waitForPosition(head, 30_000)).toBe(true);
    await runner.stop();
    await progress.stop();

    const query = new PartnershipsQuery(db.client);
    for (const id of world.partnerships) {
      const events = await db.store.readStream(streamIdFor.partnership(id));
      const folded = fold(
        partnershipDecider,
        events.map((e) => upcast(e) as unknown as PartnershipEvent),
      );
      const detail = await query.get(id);
      expect(detail).toMatchObject({ ...folded, revision: events.length - 1 });
    }
    const streams = await db.client.query<{ stream_id: string; events: number; last_revision: number }>(
      'SELECT stream_id, events, last_revision FROM rm_streams',
    );
    expect(streams.length).toBeGreaterThan(world.partnerships.length);
    for (const row of streams) expect(Number(row.events)).toBe(row.last_revision + 1);

    for (const projection of READ_MODEL_PROJECTIONS) {
      const report = await checkConsistency({ client: db.client, store: db.store, projection });
      expect(report).toMatchObject({ ok: true, position: head });
    }
  });

  if (dialect === 'postgres') {
    it('tells other processes how far every projection got, in NOTIFYs that each carry them all', async () => {
      await world.run(walk(60, 9));
      const heard: { schema: string; positions: Record<string, number> }[] = [];
      const unlisten = await db.client.listen(PROGRESS_CHANNEL, (payload) => {
        if (payload !== '') heard.push(JSON.parse(payload));
      });
      const runner = new ProjectionRunner({
        client: db.client,
        store: db.store,
        projections: READ_MODEL_PROJECTIONS,
        locks: locks(),
        batchSize: 5,
        logger: quiet,
      });
      try {
        await runner.start();
        const head = world.lastPosition;
        const names = READ_MODEL_PROJECTIONS.map((p) => p.name);
        const deadline = Date.now() + 30_000;
        while (!heard.some((message) => names.every((name) => message.positions[name] === head))) {
          if (Date.now() > deadline) throw new Error(`No NOTIFY with every projection at ${head}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(heard.every((message) => message.schema === db.client.schema)).toBe(true);
      } finally {
        await runner.stop();
        await unlisten();
      }
    });
  }

  it('applies each event once even when two runners both believe they hold the lock', async () => {
    await world.run(walk(200, 8));
    // Separate in-memory lock providers: both runners take every lock (a split brain).
    const runners = [37, 11].map(
      (batchSize) =>
        new ProjectionRunner({
          client: db.client,
          store: db.store,
          projections: READ_MODEL_PROJECTIONS,
          locks: new LocalLocks(),
          batchSize,
          retryDelayMs: 10,
          logger: quiet,
        }),
    );
    await Promise.all(runners.map((runner) => runner.start()));
    await Promise.all(runners.map((runner) => runner.waitForPosition(world.lastPosition, 30_000)));
    await Promise.all(runners.map((runner) => runner.stop()));

    // The checkpoint row fences them: a batch whose checkpoint moved underneath rolls back.
    const streams = await db.client.query<{ stream_id: string; events: number }>(
      'SELECT stream_id, events FROM rm_streams',
    );
    for (const row of streams) {
      expect([row.stream_id, Number(row.events)]).toEqual([
        row.stream_id,
        (await db.store.readStream(row.stream_id)).length,
      ]);
    }
    for (const projection of READ_MODEL_PROJECTIONS) {
      expect(await checkConsistency({ client: db.client, store: db.store, projection })).toMatchObject({
        ok: true,
      });
    }
  });
});
