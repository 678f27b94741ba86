import { fold, partnershipDecider, PartnershipEvent, streamIdFor, upcast } from '@passerelle/domain';
import {
  activityProjection,
  partnershipsProjection,
  READ_MODEL_PROJECTIONS,
  streamsProjection,
} from '../projections';
import { PartnershipsQuery } from '../queries/partnerships.query';
import { readCheckpoint } from '../runner/catalog';
import { LocalLocks, type EventStore } from '@passerelle/event-store';
import { ProjectionProgress } from '../runner/progress';
import { ProjectionRunner } from '../runner/projection-runner';
import { DIALECTS, openTestStore, TestStore } from '../testing/test-store';
import { walk, World } from '../testing/world';
import { checkConsistency } from './consistency';
import { rebuildProjection, rebuildProjections, RebuildProgress } from './rebuild';

const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

describe.each(DIALECTS)('blue/green rebuild on %s', (dialect) => {
  let db: TestStore;
  let world: World;
  let progress: ProjectionProgress;
  let runner: ProjectionRunner;

  const tableExists = async (table: string) =>
    (
      await db.client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
        `${db.client.schema}.${table}`,
      ])
    )[0]!.found !== null;

  beforeAll(async () => {
    db = await openTestStore(dialect, `rm_rebuild_${dialect}`);
    world = new World(db.store);
    await world.registerOrganizations();
    await world.run(walk(500, 3));
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
      batchSize: 100,
      logger: quiet,
    });
    await runner.start();
    expect(await runner.waitForPosition(world.lastPosition, 30_000)).toBe(true);
  });

  afterAll(async () => {
    await runner?.stop();
    await progress?.stop();
    await db?.cleanup();
  });

  it('rebuilds into new tables while readers and the live runner go on, then swaps them in', async () => {
    const query = new PartnershipsQuery(db.client);
    const someId = world.partnerships[0]!;
    let reads = 0;
    const failures: unknown[] = [];
    let rebuilding = true;
    const reader = (async () => {
      while (rebuilding) {
        try {
          const [page, detail] = [await query.list({ limit: 5 }), await query.get(someId)];
          if (page.items.length === 0 || detail === null) failures.push('empty read');
          reads += 1;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const writer = world.run(walk(150, 5));
    const seen: RebuildProgress[] = [];
    const result = await rebuildProjection({
      client: db.client,
      store: db.store,
      projection: partnershipsProjection,
      batchSize: 40,
      onProgress: (p) => seen.push(p),
    });
    rebuilding = false;
    await Promise.all([reader, writer]);

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(result).toMatchObject({ name: 'partnerships', previousGeneration: 1, generation: 2 });
    expect(result.events).toBeGreaterThanOrEqual(seen[seen.length - 2]?.events ?? 0);
    expect(seen.map((p) => p.position)).toEqual([...seen.map((p) => p.position)].sort((a, b) => a - b));
    expect(await tableExists('rm_partnerships_g2')).toBe(true);
    expect(await tableExists('rm_partnerships_g1')).toBe(false);
    expect(await tableExists('rm_partnership_agenda_g1')).toBe(false);
    expect(await tableExists('rm_partnership_counts_g1')).toBe(false);
    expect(await tableExists('rm_partnership_stage_days_g1')).toBe(false);
    // The counters' functions went with their generation's tables; the new generation has its own.
    const functions = await db.client.query<{ name: string }>(
      `SELECT proname AS name FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
          AND proname LIKE 'rm_partnership_%' ORDER BY proname`,
    );
    expect(functions.map((f) => f.name)).toEqual([
      'rm_partnership_counts_g2_keep',
      'rm_partnership_stage_days_g2_keep',
    ]);
    expect(await readCheckpoint(db.client, 'partnerships:rebuild')).toBeUndefined();

    // The live runner learns of the swap when its next batch finds the checkpoint moved; the writer may
    // have finished before the swap, so write a little more, then it follows on the new generation.
    await world.run(walk(10, 7));
    expect(await runner.waitForPosition(world.lastPosition, 30_000)).toBe(true);
    for (let waited = 0; waited < 10_000; waited += 50) {
      if (runner.status().find((s) => s.name === 'partnerships')?.generation === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(runner.status().find((s) => s.name === 'partnerships')).toMatchObject({
      generation: 2,
      active: true,
    });
    expect(
      await checkConsistency({ client: db.client, store: db.store, projection: partnershipsProjection }),
    ).toMatchObject({
      ok: true,
    });
    for (const id of world.partnerships.slice(-10)) {
      const events = await db.store.readStream(streamIdFor.partnership(id));
      expect((await query.get(id))?.revision).toBe(events.length - 1);
      expect(await query.get(id)).toMatchObject(
        fold(
          partnershipDecider,
          events.map((event) => upcast(event) as unknown as PartnershipEvent),
        ),
      );
    }
  });

  it('names the rows of a live read model that differ from the log, and a rebuild repairs them', async () => {
    const checkpoint = (await readCheckpoint(db.client, 'activity'))!;
    const activityTable = `rm_activity_g${checkpoint.generation}`;
    const partnershipsGeneration = (await readCheckpoint(db.client, 'partnerships'))!.generation;
    const partnershipsTable = `rm_partnerships_g${partnershipsGeneration}`;
    const victim = world.partnerships[1]!;
    await db.client.query(`UPDATE ${partnershipsTable} SET title = 'Tampered' WHERE id = $1`, [victim]);
    // A count of the stages' days moved by hand (the triggers keep it only as the rows move).
    await db.client.query(
      `UPDATE rm_partnership_stage_days_g${partnershipsGeneration} SET n = n + 1
        WHERE (stage, reached_on, since) IN (
          SELECT stage, reached_on, since FROM rm_partnership_stage_days_g${partnershipsGeneration}
           ORDER BY stage, reached_on, since LIMIT 1)`,
    );
    await db.client.query(
      `DELETE FROM ${activityTable} WHERE position = (SELECT min(position) FROM ${activityTable})`,
    );

    const partnerships = await checkConsistency({
      client: db.client,
      store: db.store,
      projection: partnershipsProjection,
    });
    expect(partnerships).toMatchObject({
      ok: false,
      differences: [
        { table: 'partnerships', missing: 1, unexpected: 1, samples: [{ id: victim }, { id: victim }] },
        { table: 'partnership_stage_days', missing: 1, unexpected: 1 },
      ],
    });
    const activity = await checkConsistency({
      client: db.client,
      store: db.store,
      projection: activityProjection,
    });
    expect(activity).toMatchObject({
      ok: false,
      differences: [{ table: 'activity', missing: 1, unexpected: 0 }],
    });

    await rebuildProjection({ client: db.client, store: db.store, projection: partnershipsProjection });
    await rebuildProjection({ client: db.client, store: db.store, projection: activityProjection });
    for (const projection of [partnershipsProjection, activityProjection]) {
      expect(await checkConsistency({ client: db.client, store: db.store, projection })).toMatchObject({
        ok: true,
      });
    }
  });

  it('names rows changed only inside a jsonb value, in an array, or by two rows trading a value', async () => {
    const partnershipsTable = `rm_partnerships_g${(await readCheckpoint(db.client, 'partnerships'))!.generation}`;
    const [inState, inArray] = world.partnerships.slice(2, 4);
    await db.client.query(
      `UPDATE ${partnershipsTable} SET state = jsonb_set(state, '{title}', '"Tampered"') WHERE id = $1`,
      [inState],
    );
    await db.client.query(
      `UPDATE ${partnershipsTable} SET parties = array_append(parties, 'tampered') WHERE id = $1`,
      [inArray],
    );
    // Two other rows trade their titles: the table holds the same values in each column as before.
    const [pair] = await db.client.query<{ a: string; b: string }>(
      `SELECT a.id AS a, b.id AS b FROM ${partnershipsTable} AS a JOIN ${partnershipsTable} AS b
          ON a.title < b.title AND NOT (a.id = ANY($1::uuid[])) AND NOT (b.id = ANY($1::uuid[]))
        LIMIT 1`,
      [[inState, inArray]],
    );
    await db.client.query(
      `UPDATE ${partnershipsTable} AS p SET title = o.title
         FROM ${partnershipsTable} AS o
        WHERE (p.id, o.id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))`,
      [pair!.a, pair!.b],
    );

    const report = await checkConsistency({
      client: db.client,
      store: db.store,
      projection: partnershipsProjection,
    });
    expect(report.ok).toBe(false);
    // The counters kept beside the rows (by party) follow the added party: that table differs too.
    const rows = report.differences.find((difference) => difference.table === 'partnerships');
    expect(rows).toMatchObject({ missing: 4, unexpected: 4 });
    const named = new Set(rows!.samples.map((sample) => sample.id));
    expect(named).toEqual(new Set([inState, inArray, pair!.a, pair!.b]));
    await rebuildProjection({ client: db.client, store: db.store, projection: partnershipsProjection });
    expect(
      await checkConsistency({ client: db.client, store: db.store, projection: partnershipsProjection }),
    ).toMatchObject({ ok: true });
  });

  it('rebuilds several projections from one read of the log, each swapped in and equal to the log', async () => {
    let reads = 0;
    // The store as it is, counting the reads of the whole log.
    const counted = new Proxy(db.store, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (key === 'readAll') {
          return (...args: Parameters<EventStore['readAll']>) => {
            reads += 1;
            return target.readAll(...args);
          };
        }
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const before = await Promise.all(READ_MODEL_PROJECTIONS.map((p) => readCheckpoint(db.client, p.name)));
    const results = await rebuildProjections({
      client: db.client,
      store: counted,
      projections: READ_MODEL_PROJECTIONS,
      batchSize: 20,
    });
    const readsForAll = reads;
    reads = 0;
    await rebuildProjection({
      client: db.client,
      store: counted,
      projection: streamsProjection,
      batchSize: 20,
    });
    const readsForOne = reads;

    // One pass over the log for all of them; each then reads its own tail, at most one batch and the
    // empty read that ends it (nothing is written meanwhile). One after the other, they read it four times.
    expect(readsForOne).toBeGreaterThan(10);
    expect(readsForAll).toBeLessThanOrEqual(readsForOne + 2 * (READ_MODEL_PROJECTIONS.length - 1));
    expect(readsForAll).toBeLessThan(2 * readsForOne);
    expect(results.map((r) => r.name)).toEqual(READ_MODEL_PROJECTIONS.map((p) => p.name));
    for (const [index, projection] of READ_MODEL_PROJECTIONS.entries()) {
      expect(results[index]).toMatchObject({
        previousGeneration: before[index]!.generation,
        generation: before[index]!.generation + 1,
      });
      expect(results[index]!.events).toBeGreaterThan(0);
      expect(await readCheckpoint(db.client, `${projection.name}:rebuild`)).toBeUndefined();
      expect(await checkConsistency({ client: db.client, store: db.store, projection })).toMatchObject({
        ok: true,
      });
    }
    // The live runner follows every new generation.
    await world.run(walk(10, 11));
    expect(await runner.waitForPosition(world.lastPosition, 30_000)).toBe(true);
    for (const [index, projection] of READ_MODEL_PROJECTIONS.entries()) {
      const expected = results[index]!.generation + (projection.name === 'streams' ? 1 : 0);
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (runner.status().find((s) => s.name === projection.name)?.generation === expected) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(runner.status().find((s) => s.name === projection.name)).toMatchObject({
        generation: expected,
        active: true,
      });
    }
  });

  it('rebuilds a projection whose version changed when a runner starts with the new code', async () => {
    await runner.stop();
    const before = (await readCheckpoint(db.client, 'streams'))!;
    const next = { ...streamsProjection, version: streamsProjection.version + 1 };
    runner = new ProjectionRunner({
      client: db.client,
      store: db.store,
      projections: [next],
      locks: new LocalLocks(),
      batchSize: 100,
      logger: quiet,
    });
    await runner.start();
    // The old generation serves until the new one is swapped in.
    let after = (await readCheckpoint(db.client, 'streams'))!;
    for (let i = 0; i < 300 && after.version === before.version; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = (await readCheckpoint(db.client, 'streams'))!;
    }
    expect(after).toMatchObject({ version: before.version + 1, generation: before.generation + 1 });
    expect(await checkConsistency({ client: db.client, store: db.store, projection: next })).toMatchObject({
      ok: true,
    });
  });
});
