import { Client } from 'pg';

/** Held while a process runs a projection; `lost` settles when the lock can no longer be trusted. */
export interface Lease {
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

/** One active instance per projection: the runner takes the projection's lock before subscribing. */
export interface LockProvider {
  /** Waits (polling) until the lock is ours; resolves undefined if `signal` aborts first. */
  acquire(name: string, signal: AbortSignal): Promise<Lease | undefined>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Within one process (the embedded PGlite default: no other process can open its data directory).
 * Waiters are served in turn.
 */
export class LocalLocks implements LockProvider {
  private readonly held = new Map<string, Promise<void>>();

  async acquire(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    while (this.held.has(name)) {
      if (signal.aborted) return undefined;
      await Promise.race([this.held.get(name), sleep(1000, signal)]);
    }
    if (signal.aborted) return undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held.set(name, released);
    return {
      lost: new Promise<void>(() => undefined),
      release: async () => {
        if (this.held.get(name) === released) this.held.delete(name);
        release();
      },
    };
  }
}

export interface PostgresLocksOptions {
  databaseUrl: string;
  /** Locks are per schema: two deployments sharing a database do not exclude each other. */
  schema: string;
  /** How often a waiting instance retries; default 1 s. */
  pollMs?: number;
  applicationName?: string;
}

/**
 * A session advisory lock per projection, each held on a connection of its own. When the holder dies
 * its connection closes and PostgreSQL releases the lock; a waiting instance takes over on its next poll.
 */
export class PostgresAdvisoryLocks implements LockProvider {
  constructor(private readonly options: PostgresLocksOptions) {}

  async acquire(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    const key = `passerelle.${this.options.schema}.${name}`;
    const pollMs = this.options.pollMs ?? 1000;
    while (!signal.aborted) {
      const client = new Client({
        connectionString: this.options.databaseUrl,
        keepAlive: true,
        application_name: (this.options.applicationName ?? `passerelle:lock:${name}`).slice(0, 63),
      });
      let markLost!: () => void;
      const lost = new Promise<void>((resolve) => (markLost = resolve));
      client.on('error', () => markLost());
      client.on('end', () => markLost());
      try {
        await client.connect();
        while (!signal.aborted) {
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
            [key],
          );
          if (rows[0]?.locked) {
            return {
              lost,
              release: async () => {
                await client.end().catch(() => undefined);
              },
            };
          }
          await Promise.race([sleep(pollMs, signal), lost]);
          if (await Promise.race([lost.then(() => true), Promise.resolve(false)])) break;
        }
      } catch {
        // The database is unreachable: try again after the poll interval.
      }
      await client.end().catch(() => undefined);
      await sleep(pollMs, signal);
    }
    return undefined;
  }
}
