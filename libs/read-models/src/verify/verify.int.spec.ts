import { LocalLocks } from '@passerelle/event-store';
import { activityProjection, READ_MODEL_PROJECTIONS } from '../projections';
import { AppendOnlyCheck } from '../rebuild/append-only-check';
import { rebuildProjection } from '../rebuild/rebuild';
import { readCheckpoint } from '../runner/catalog';
import { ProjectionProgress } from '../runner/progress';
import { ProjectionRunner } from '../runner/projection-runner';
import { DIALECTS, openTestStore, TestStore } from '../testing/test-store';
import { walk, World } from '../testing/world';
import { verifyIntegrity } from './verify';

const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

describe.each(DIALECTS)('verify checks the read models against the log, on %s', (dialect) => {
  let db: TestStore;
  let world: World;
  let progress: ProjectionProgress;
  let runner: ProjectionRunner;

  const verify = (batchSize = 50) =>
    verifyIntegrity({ client: db.client, store: db.store, projections: READ_MODEL_PROJECTIONS, batchSize });
  const activityTable = async () =>
    `rm_activity_g${(await readCheckpoint(db.client, 'activity'))!.generation}`;
  const settle = async () => expect(await runner.waitForPosition(world.lastPosition, 30_000)).toBe(true);

  beforeAll(async () => {
    db = await openTestStore(dialect, `rm_verify_${dialect}`);
    world = new World(db.store);
    await world.registerOrganizations();
    await world.run(walk(200, 11));
    progress = new ProjectionProgress(
      db.client,
      READ_MODEL_PROJECTIONS.map((p) => p.name),
    );
    await progress.start();
    runner = new ProjectionRunner({
      client: db.client,
      store: db.store,
      projections: READ_MODEL_PROJECTIONS,
      locks: new LocalLocks(),
      progress,
      batchSize: 40,
      logger: quiet,
    });
    await runner.start();
    await settle();
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    await progress?.stop();
    await db?.cleanup();
  });

  it('finds every read model equal to the log while commands append and the runner follows', async () => {
    const writer = world.run(walk(60, 12));
    const report = await verify();
    await writer;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.readModels.map((model) => [model.name, model.ok])).toEqual(
      READ_MODEL_PROJECTIONS.map((projection) => [projection.name, true]),
    );
    await settle();
    expect((await verify()).ok).toBe(true);
  }, 120_000);

  it('names an activity row edited, removed or added in the live table, by position', async () => {
    await settle();
    const table = await activityTable();
    const [edited, removed] = await db.client.query<{ position: string; type: string }>(
      `SELECT position::text AS position, type FROM ${table} ORDER BY position LIMIT 2 OFFSET 100`,
    );
    const [removedRow] = await db.client.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE position = $1`,
      [removed!.position],
    );
    await db.client.query(`UPDATE ${table} SET facts = facts || '{"tampered": true}' WHERE position = $1`, [
      edited!.position,
    ]);
    await db.client.query(`DELETE FROM ${table} WHERE position = $1`, [removed!.position]);
    await db.client.query(
      `INSERT INTO ${table} SELECT position + 1000000, event_id, stream_id, type, partnership_id,
         organization_id, occurred_at, recorded_at, actor_name, facts FROM ${table} WHERE position = $1`,
      [edited!.position],
    );

    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'read_model_mismatch',
        detail: expect.stringContaining('activity.activity'),
      }),
    ]);
    expect(report.readModels.find((model) => model.name === 'activity')).toMatchObject({
      ok: false,
      differences: [
        {
          table: 'activity',
          missing: 2,
          unexpected: 2,
          samples: [
            { position: Number(edited!.position) },
            { position: Number(removed!.position) },
            { position: Number(edited!.position) + 1_000_000 },
          ],
        },
      ],
    });
    expect(report.readModels.filter((model) => !model.ok).map((model) => model.name)).toEqual(['activity']);

    await db.client.query(`DELETE FROM ${table} WHERE position IN ($1, $2)`, [
      edited!.position,
      Number(edited!.position) + 1_000_000,
    ]);
    await db.client.query(
      `INSERT INTO ${table} SELECT * FROM jsonb_populate_record(NULL::${table}, $1::jsonb)`,
      [JSON.stringify(removedRow)],
    );
    expect((await verify()).readModels.find((model) => model.name === 'activity')).toMatchObject({
      ok: false,
      differences: [{ missing: 1, unexpected: 0, samples: [{ position: Number(edited!.position) }] }],
    });
    // The edited row back as the projection writes it: a rebuild of the feed.
    await rebuildProjection({ client: db.client, store: db.store, projection: activityProjection });
    expect((await verify()).ok).toBe(true);
  }, 120_000);

  it('checks the new tables when a rebuild replaces the live ones during the pass', async () => {
    await settle();
    const check = await AppendOnlyCheck.start(db.client, activityProjection);
    const firstBatch = await db.store.readAll({ after: 0, maxCount: 100 });
    await check.feed(firstBatch);
    const table = await activityTable();
    await rebuildProjection({ client: db.client, store: db.store, projection: activityProjection });
    const next = await db.store.readAll({ after: firstBatch.at(-1)!.position, maxCount: 100 });
    await check.feed(next);
    expect(await activityTable()).not.toBe(table);
    expect(await check.finish(db.store, 100)).toMatchObject({ name: 'activity', ok: true });
  }, 120_000);
});
