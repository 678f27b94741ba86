import { fold, partnershipDecider, PartnershipEvent, streamIdFor, upcast } from '@passerelle/domain';
import { generateDataKey, generateSigningKey } from '@passerelle/privacy';
import { checkConsistency, READ_MODEL_PROJECTIONS } from '@passerelle/read-models';
import { openTestStore, TestStore } from '@passerelle/read-models/testing/test-store';
import { walk, World } from '@passerelle/read-models/testing/world';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { POSTGRES_URL } from './support/test-app';

const ROOT = join(__dirname, '..');
const NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

interface Projector {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * The projector as its own process, as deployed (`apps/projector`), run from its sources with tsx.
 * One process: SIGKILL reaches the projector itself, not a wrapper.
 */
function startProjector(schema: string, env: Record<string, string>, args: string[] = []): Projector {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/projector/src/main.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function kill(projector: Projector): Promise<void> {
  projector.child.kill('SIGKILL');
  await projector.exited;
}

describe('the projector process: SIGKILL mid-batch, restart, failover', () => {
  let db: TestStore;
  let world: World;
  let admin: Client;
  const env = {
    JWT_SECRET: 'projector-test-secret-that-is-long-enough-0123',
    DATA_KEY: generateDataKey(),
    SIGNING_KEY: generateSigningKey(),
  };
  const running: Projector[] = [];
  const start = (args: string[] = []) => {
    const projector = startProjector(db.client.schema, env, [
      '--batch-size=50',
      '--lock-poll-ms=200',
      ...args,
    ]);
    running.push(projector);
    return projector;
  };

  const checkpoints = async (): Promise<Record<string, number>> => {
    const rows = await db.client.query<{ name: string; position: number }>(
      'SELECT name, position FROM processor_checkpoints WHERE name = ANY($1::text[])',
      [NAMES],
    );
    return Object.fromEntries(rows.map((row) => [row.name, Number(row.position)]));
  };

  /** Which process holds each projection's advisory lock (by the lock connection's application name). */
  const lockHolders = async (): Promise<Record<string, string>> => {
    const { rows } = await admin.query<{ name: string; holder: string }>(
      `SELECT k.name, a.application_name AS holder
         FROM pg_locks l
         JOIN pg_stat_activity a ON a.pid = l.pid
         JOIN (SELECT name, hashtextextended('passerelle.' || $1 || '.projection.' || name, 0) AS key
                 FROM unnest($2::text[]) AS name) k
           ON k.key = ((l.classid::bigint << 32) | l.objid::bigint)
        WHERE l.locktype = 'advisory' AND l.granted`,
      [db.client.schema, NAMES],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.holder]));
  };

  /** Waits until one process holds every projection's lock; returns its application name. */
  const heldBy = async (projector: Projector, timeoutMs = 30_000): Promise<string> => {
    const expected = `passerelle:projector:${projector.child.pid}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const holders = await lockHolders();
      if (NAMES.every((name) => holders[name] === expected)) return expected;
      if (Date.now() > deadline) {
        throw new Error(
          `locks held by ${JSON.stringify(holders)}, not ${expected}\n${projector.output.join('')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const caughtUp = async (timeoutMs = 60_000): Promise<void> => {
    // The last appended position (the readable head can lag behind while any transaction is open).
    const [{ head }] = (await db.client.query<{ head: number }>(
      'SELECT coalesce(max(global_position), 0)::integer AS head FROM events',
    )) as [{ head: number }];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const positions = await checkpoints().catch(() => ({}) as Record<string, number>);
      if (NAMES.every((name) => (positions[name] ?? 0) >= head)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `not caught up with ${head}: ${JSON.stringify(positions)}\n${running.flatMap((p) => p.output).join('')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** The read models equal a rebuild from the log, and no event was applied twice or skipped. */
  const expectExactlyOnce = async (): Promise<void> => {
    const streams = await db.client.query<{ stream_id: string; events: number; last_revision: number }>(
      'SELECT stream_id, events, last_revision FROM rm_streams',
    );
    const lengths = await db.client.query<{ stream_id: string; length: number }>(
      'SELECT stream_id, count(*)::integer AS length FROM events GROUP BY stream_id',
    );
    expect(Object.fromEntries(streams.map((s) => [s.stream_id, Number(s.events)]))).toEqual(
      Object.fromEntries(lengths.map((s) => [s.stream_id, s.length])),
    );
    for (const row of streams) expect(Number(row.events)).toBe(row.last_revision + 1);
    const activity = await db.client.query<{ n: number }>('SELECT count(*)::integer AS n FROM rm_activity');
    const domainEvents = await db.client.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM events WHERE stream_id LIKE 'partnership-%' OR stream_id LIKE 'organization-%'",
    );
    expect(activity[0]!.n).toBe(domainEvents[0]!.n);
    for (const projection of READ_MODEL_PROJECTIONS) {
      const report = await checkConsistency({ client: db.client, store: db.store, projection });
      expect(report).toMatchObject({ name: projection.name, ok: true, differences: [] });
    }
    for (const id of world.partnerships.slice(0, 20)) {
      const events = await db.store.readStream(streamIdFor.partnership(id));
      const [row] = await db.client.query<{ state: unknown; revision: number }>(
        'SELECT state, revision FROM rm_partnerships WHERE id = $1',
        [id],
      );
      expect(row).toEqual({
        state: fold(
          partnershipDecider,
          events.map((e) => upcast(e) as unknown as PartnershipEvent),
        ),
        revision: events.length - 1,
      });
    }
  };

  beforeAll(async () => {
    db = await openTestStore('postgres', 'rm_projector');
    world = new World(db.store);
    await world.registerOrganizations();
    await world.run(walk(600, 11));
    admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map(kill));
  });

  afterAll(async () => {
    await admin?.end();
    await db?.cleanup();
  });

  it('is killed with SIGKILL inside a batch transaction, restarts, and applies every event exactly once', async () => {
    const first = start();
    await heldBy(first);
    await caughtUp();

    // Let the next batches move their checkpoints but not write all their rows: a SHARE lock on the live
    // tables of the projections that follow partnerships (through their views) admits each batch's fenced
    // UPDATE of its checkpoint, which comes first, and stops its writes. A table lock takes no transaction
    // id, so the events appended meanwhile stay readable. The organisations' projection has nothing to
    // write for these events and goes on.
    const WRITING = ['partnerships', 'activity', 'streams'];
    const index = world.partnerships.findIndex((id) => world.stateOf(id).status === 'active');
    const blocked = world.partnerships[index]!;
    await admin.query('BEGIN');
    await admin.query(
      `LOCK TABLE ${WRITING.map((name) => `"${db.client.schema}".rm_${name}`).join(', ')} IN SHARE MODE`,
    );
    const before = await checkpoints();
    const revisionOf = async () =>
      (
        await db.client.query<{ revision: number }>('SELECT revision FROM rm_partnerships WHERE id = $1', [
          blocked,
        ])
      )[0]!.revision;
    const revision = await revisionOf();
    await world.run(walk(40, 23));
    await world.apply({ kind: 'suspend', p: index });
    await world.run(walk(40, 29));
    expect((await db.store.readStream(streamIdFor.partnership(blocked))).length).toBeGreaterThan(
      revision + 1,
    );

    // Each of those projections' batch transactions waits there, its checkpoint moved (it has a
    // transaction id) and its rows not all written.
    const lockerPid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    let waiting: { pid: number; xid: string | null; query: string }[] = [];
    for (let i = 0; i < 300 && waiting.length < WRITING.length; i++) {
      waiting = await db.client.query<{ pid: number; xid: string | null; query: string }>(
        'SELECT pid, backend_xid::text AS xid, query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
        [lockerPid],
      );
      if (waiting.length < WRITING.length) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      expect(waiting).toHaveLength(WRITING.length);
      for (const transaction of waiting) {
        expect(transaction.xid).not.toBeNull();
        expect(transaction.query).toMatch(/rm_(partnerships|activity|streams)_g\d+/);
      }
      await kill(first);
    } finally {
      await admin.query('ROLLBACK');
    }
    // Nothing of the interrupted batches is visible: rows and checkpoints move together or not at all.
    const after = await checkpoints();
    for (const name of WRITING) expect(after[name]).toBe(before[name]);
    expect(await revisionOf()).toBe(revision);

    start();
    await caughtUp();
    await expectExactlyOnce();
  });

  it('survives being killed at random moments while the log grows', async () => {
    for (let round = 0; round < 4; round++) {
      const projector = start();
      const writing = world.run(walk(80, 100 + round));
      await new Promise((resolve) => setTimeout(resolve, 1500 + round * 400));
      await kill(projector);
      await writing;
    }
    start();
    await caughtUp();
    await expectExactlyOnce();
  });

  it('runs each projection in one instance at a time; a standby takes over when the active one dies', async () => {
    const a = start();
    await heldBy(a);
    await caughtUp();
    const b = start();
    // The second instance is up and polling for the locks, every 200 ms, in vain.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    expect(b.child.exitCode).toBeNull();
    await heldBy(a, 0);

    await kill(a);
    await world.run(walk(60, 41));
    await heldBy(b);
    await caughtUp(30_000);
    expect(b.child.exitCode).toBeNull();
    await expectExactlyOnce();
  });
});
