import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { migrate, type SqlClient, type SqlExecutor } from '@passerelle/database';
import { createTestSqlClient, TEST_DATABASE_URL, type TestSqlClient } from '@passerelle/database/testing';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { eventStoreMigrations } from '../sql/migrations';
import { SqlEventStore } from '../sql/sql-event-store';
import {
  CheckpointMovedError,
  ClaimedCheckpoint,
  processorCheckpointMigrations,
  ProcessorCheckpoints,
  SqlProcessorCheckpoints,
  writeProcessorCheckpoint,
} from './checkpoints';
import { LeaseLostError, LocalLocks, LockProvider, PostgresAdvisoryLocks } from './locks';
import type { ProcessorLogger } from './logger';
import { Processor, runProcessor } from './run-processor';

const newEvent = (): NewEvent => ({ id: randomUUID(), type: 'Tested', version: 1, data: {}, metadata: {} });

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Remembers what the processor logged, to check it says the same thing whichever way a lease is lost. */
class RecordingLogger implements ProcessorLogger {
  readonly lines: string[] = [];
  log = (message: string) => void this.lines.push(message);
  warn = (message: string) => void this.lines.push(message);
  error = (message: string) => {
    this.lines.push(message);
    console.error(message); // a failure is never expected here: show it beside the test that timed out
  };
}

/** The checkpoints, with each advance's outcome recorded (a refused late batch shows here). */
class WatchedCheckpoints implements ProcessorCheckpoints {
  readonly refused: unknown[] = [];
  constructor(private readonly inner: ProcessorCheckpoints) {}
  claim(name: string) {
    return this.inner.claim(name);
  }
  position(name: string) {
    return this.inner.position(name);
  }
  async advance(
    claimed: ClaimedCheckpoint,
    from: number,
    to: number,
    within?: (tx: SqlExecutor) => Promise<void>,
  ) {
    try {
      await this.inner.advance(claimed, from, to, within);
    } catch (error) {
      this.refused.push(error);
      throw error;
    }
  }
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
  logger: RecordingLogger;
  checkpoints: WatchedCheckpoints;
}

describe.each(['pglite', 'postgres'] as const)('checkpointed processor on %s', (dialect) => {
  let db: TestSqlClient;
  let client: SqlClient;
  let store: SqlEventStore;

  beforeEach(async () => {
    db = await createTestSqlClient(dialect, 'processor', { maxConnections: 8 });
    client = db.client;
    await migrate(client, [...eventStoreMigrations, ...processorCheckpointMigrations]);
    await client.exec('CREATE TABLE seen (position bigint PRIMARY KEY)');
    store = new SqlEventStore(client, { pollIntervalMs: 200 });
  });
  /** Every processor a test started: stopped before its database goes, even when the test failed. */
  const started: Running[] = [];
  afterEach(async () => {
    // One left running would retry against the closed pool for ever, its back-off timer holding the
    // worker open after the run.
    await Promise.all(started.splice(0).map((running) => stop(running)));
    await store.close();
    await db.cleanup();
  });

  /** Appends `count` events; the position of the last (the head a reader may see can lag it a moment). */
  const append = async (count: number) => {
    let last = 0;
    for (let i = 0; i < count; i += 1) {
      last = (await store.appendToStream(`s-${i % 5}`, [newEvent()], 'any')).position;
    }
    // The store shows the settled prefix of the log only, which a transaction open elsewhere on the
    // server (another spec's) holds back a moment after these commits: the specs count on all of it.
    await waitFor(async () => (await store.headPosition()) >= last, 'the appended events settled');
    return last;
  };

  /** Records every position in `seen`, whose key refuses a repeat: the batch would roll back. */
  const projector = (name = 'tested'): Processor => ({
    kind: 'projector',
    name,
    label: `Projection ${name}`,
    lockName: `processor.${name}`,
    batchSize: 7,
    apply: async (tx, events) => {
      for (const event of events) await tx.query('INSERT INTO seen VALUES ($1)', [event.position]);
    },
  });

  const start = (processor: Processor, locks: LockProvider): Running => {
    const abort = new AbortController();
    const logger = new RecordingLogger();
    const checkpoints = new WatchedCheckpoints(new SqlProcessorCheckpoints(client));
    const done = runProcessor({
      processor,
      store,
      checkpoints,
      locks,
      logger,
      signal: abort.signal,
      retryDelayMs: 50,
    });
    const running = { abort, done, logger, checkpoints };
    started.push(running);
    return running;
  };
  const stop = async (running: Running) => {
    running.abort.abort();
    await running.done;
  };
  const seen = async () =>
    (await client.query<{ position: number }>('SELECT position FROM seen ORDER BY position')).map((row) =>
      Number(row.position),
    );
  const positions = async () =>
    (await store.readAll({ after: 0, maxCount: 10_000 })).map((event) => event.position);
  const checkpoint = () => new SqlProcessorCheckpoints(client).position('tested');

  it('applies every event once across a restart, its rows and checkpoint moving together', async () => {
    const locks = new LocalLocks();
    let head = await append(30);
    let running = start(projector(), locks);
    await waitFor(async () => (await checkpoint()) === head, 'the first 30 events');
    await stop(running);

    head = await append(20);
    running = start(projector(), locks);
    await waitFor(async () => (await checkpoint()) === head, 'the next 20 events');
    await stop(running);
    expect(await seen()).toEqual(await positions());
    expect(running.checkpoints.refused).toEqual([]);
  });

  it('refuses the batch of a holder whose checkpoint another instance has claimed since, and steps back', async () => {
    const locks = new LocalLocks();
    const head = await append(10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reacting = false;
    const reacted: number[][] = [];
    const running = start(
      {
        kind: 'reactor',
        name: 'tested',
        label: 'Reactor tested',
        lockName: 'processor.tested',
        batchSize: 100,
        react: async (events: readonly RecordedEvent[]) => {
          reacted.push(events.map((event) => event.position));
          if (reacted.length === 1) {
            reacting = true;
            await gate;
          }
        },
      },
      locks,
    );
    await waitFor(() => reacting, 'the first batch');
    // A successor claims the checkpoint while the first batch is in flight (its lease thought lost).
    const successor = await new SqlProcessorCheckpoints(client).claim('tested');
    expect(successor.position).toBe(0);
    release();

    await waitFor(() => running.checkpoints.refused.length > 0, 'the late batch refused');
    expect(running.checkpoints.refused[0]).toBeInstanceOf(LeaseLostError);
    await waitFor(
      () => running.logger.lines.includes('Reactor tested: lock lost, stepping back'),
      'the step back logged',
    );
    // It queued for the lease again, claimed afresh and dispatched the batch from the stored checkpoint.
    await waitFor(async () => (await checkpoint()) === head, 'the batch done under a new claim');
    await stop(running);
    expect(reacted).toEqual([await positions(), await positions()]);
  });

  it('notices its checkpoint set from outside, even where it already stood, and follows again from it', async () => {
    const locks = new LocalLocks();
    const head = await append(10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reacting = false;
    const reacted: number[][] = [];
    const running = start(
      {
        kind: 'reactor',
        name: 'tested',
        label: 'Reactor tested',
        lockName: 'processor.tested',
        batchSize: 100,
        react: async (events: readonly RecordedEvent[]) => {
          reacted.push(events.map((event) => event.position));
          if (reacted.length === 1) {
            reacting = true;
            await gate;
          }
        },
      },
      locks,
    );
    await waitFor(() => reacting, 'the first batch');
    // An operator (or a rebuild's swap) sets the checkpoint to 0, where the batch in flight started.
    await writeProcessorCheckpoint(client, 'tested', 0);
    release();

    await waitFor(() => running.checkpoints.refused.length > 0, 'the batch refused');
    expect(running.checkpoints.refused[0]).toBeInstanceOf(CheckpointMovedError);
    await waitFor(async () => (await checkpoint()) === head, 'the log followed again from the move');
    await stop(running);
    // Under the same lease: no step back, and the batch done again from where the checkpoint was set.
    expect(running.logger.lines).toEqual([]);
    expect(reacted).toEqual([await positions(), await positions()]);
    expect(running.checkpoints.refused).toHaveLength(1);
  });

  if (dialect !== 'postgres') return;

  const pgLocks = (applicationName: string, databaseUrl = TEST_DATABASE_URL) =>
    new PostgresAdvisoryLocks({
      databaseUrl,
      schema: client.schema,
      pollMs: 50,
      checkMs: 500,
      applicationName,
    });
  /** Kills the backends this test opened under `applicationName`, as a failover would. */
  const kill = async (applicationName: string): Promise<number> => {
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const rows = await admin.query<{ pid: number }>(
        `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid()`,
        [applicationName],
      );
      return rows.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  };
  const backendsOf = async (applicationName: string): Promise<number[]> =>
    (
      await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid',
        [applicationName],
      )
    ).map((row) => row.pid);

  it('re-acquires its lease on a fresh connection when the lock’s backend is killed, and goes on from its checkpoint', async () => {
    const name = `passerelle:test:${client.schema}:a`.slice(0, 63);
    let head = await append(25);
    const running = start(projector(), pgLocks(name));
    await waitFor(async () => (await checkpoint()) === head, 'the first 25 events');
    const [before] = await backendsOf(name);
    expect(before).toBeDefined();

    expect(await kill(name)).toBe(1);
    await waitFor(
      () => running.logger.lines.includes('Projection tested: lock lost, stepping back'),
      'the lost lock noticed',
    );
    await waitFor(async () => {
      const pids = await backendsOf(name);
      return pids.length === 1 && pids[0] !== before;
    }, 'the lock taken again on a new connection');
    head = await append(25);
    await waitFor(async () => (await checkpoint()) === head, 'the next 25 events');
    await stop(running);
    expect(await seen()).toEqual(await positions());
  });

  it('hands over to the standby when the holder’s session is killed, and fences the former holder’s late batch', async () => {
    const nameA = `passerelle:test:${client.schema}:holder`.slice(0, 63);
    const nameB = `passerelle:test:${client.schema}:standby`.slice(0, 63);
    const head = await append(12);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const reactedBy = { a: [] as number[], b: [] as number[] };
    const reactor = (who: 'a' | 'b'): Processor => ({
      kind: 'reactor',
      name: 'tested',
      label: `Reactor ${who}`,
      lockName: 'processor.tested',
      batchSize: 100,
      react: async (events) => {
        reactedBy[who].push(...events.map((event) => event.position));
        if (who === 'a') {
          holding = true;
          await gate;
        }
      },
    });
    const a = start(reactor('a'), pgLocks(nameA));
    await waitFor(() => holding, 'the holder in its first batch');
    const b = start(reactor('b'), pgLocks(nameB));
    await waitFor(async () => (await backendsOf(nameB)).length === 1, 'the standby waiting');

    expect(await kill(nameA)).toBe(1);
    await waitFor(async () => (await checkpoint()) === head, 'the standby done with the log');
    expect(reactedBy.b).toEqual(await positions());

    release();
    await waitFor(() => a.checkpoints.refused.length > 0, 'the former holder’s batch refused');
    expect(a.checkpoints.refused[0]).toBeInstanceOf(LeaseLostError);
    await waitFor(
      () => a.logger.lines.includes('Reactor a: lock lost, stepping back'),
      'the step back logged',
    );
    expect(await checkpoint()).toBe(head);
    const [row] = await client.query<{ epoch: number }>(
      "SELECT epoch FROM processor_checkpoints WHERE name = 'tested'",
    );
    expect(Number(row!.epoch)).toBe(2);
    await Promise.all([stop(a), stop(b)]);
  });

  /**
   * A TCP relay to PostgreSQL that can go silent: the lock connection then neither answers nor closes, as
   * when a primary vanishes from the network. `cut` ends the server side of the silent connections (the
   * old primary gone for good, its sessions and locks with it).
   */
  class SilentRelay {
    private server!: Server;
    private readonly pairs: { client: Socket; server: Socket; silent: boolean }[] = [];
    url = '';

    async open(): Promise<void> {
      const target = new URL(TEST_DATABASE_URL);
      const upstream = { port: Number(target.port || 5432), host: target.hostname };
      this.server = createServer((client) => {
        const server = connect(upstream.port, upstream.host);
        const pair = { client, server, silent: false };
        this.pairs.push(pair);
        client.on('data', (data) => void (pair.silent || server.write(data)));
        server.on('data', (data) => void (pair.silent || client.write(data)));
        client.on('error', () => server.destroy());
        server.on('error', () => client.destroy());
        client.on('close', () => pair.silent || server.destroy());
        server.on('close', () => pair.silent || client.destroy());
      });
      await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
      const { port } = this.server.address() as { port: number };
      target.hostname = '127.0.0.1';
      target.port = String(port);
      this.url = target.toString();
    }
    silence(): void {
      for (const pair of this.pairs) pair.silent = true;
    }
    cut(): void {
      for (const pair of this.pairs.filter((p) => p.silent)) pair.server.destroy();
    }
    async close(): Promise<void> {
      for (const pair of this.pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise((resolve) => this.server.close(resolve));
    }
  }

  it('notices a lock connection gone silent by its periodic check, stops, and resumes once the lock is free again', async () => {
    const relay = new SilentRelay();
    await relay.open();
    const name = `passerelle:test:${client.schema}:silent`.slice(0, 63);
    try {
      let head = await append(20);
      const running = start(projector(), pgLocks(name, relay.url));
      await waitFor(async () => (await checkpoint()) === head, 'the first 20 events');

      relay.silence();
      await waitFor(
        () => running.logger.lines.includes('Projection tested: lock lost, stepping back'),
        'the silent lock connection noticed by the check',
      );
      // Stepped back: nothing more is applied while the old session still holds the lock.
      head = await append(10);
      const stalled = await checkpoint();
      expect(stalled).toBeLessThan(head);

      relay.cut();
      await waitFor(async () => (await checkpoint()) === head, 'the next 10 events, under a new lease');
      await stop(running);
      expect(await seen()).toEqual(await positions());
    } finally {
      await relay.close();
    }
  });
});
