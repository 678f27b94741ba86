import { Client } from 'pg';
import { sleep } from './sleep';

/** Held while a process runs a processor; `lost` settles when the lock can no longer be trusted. */
export interface Lease {
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

/** One active instance per processor: it takes the processor's lock before subscribing. */
export interface LockProvider {
  /** Waits (polling) until the lock is ours; resolves undefined if `signal` aborts first. */
  acquire(name: string, signal: AbortSignal): Promise<Lease | undefined>;
}

/** The lease was lost (its connection died), or another instance has claimed the checkpoint since. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

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
  /**
   * How often the holder checks its lock connection still answers; default 5 s. A backend killed
   * cleanly (pg_terminate_backend, a restart) closes the socket at once; a primary that vanished
   * without a word (failover, network) is noticed by this check.
   */
  checkMs?: number;
  applicationName?: string;
}

/**
 * A session advisory lock per processor, each held on a connection of its own. When the holder dies
 * its connection closes and PostgreSQL releases the lock; a waiting instance takes over on its next poll.
 * The lock dies with its session, so the holder watches that session: an error, the end of the
 * connection or a check that fails or does not answer in time marks the lease lost, and the processor
 * steps back and queues for the lock again on a fresh connection.
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
      let isLost = false;
      let markLost!: () => void;
      const lost = new Promise<void>((resolve) => (markLost = resolve)).then(() => {
        isLost = true;
      });
      client.on('error', () => markLost());
      client.on('end', () => markLost());
      try {
        await client.connect();
        while (!signal.aborted) {
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
            [key],
          );
          if (rows[0]?.locked) return this.lease(client, lost, markLost);
          await Promise.race([sleep(pollMs, signal), lost]);
          if (isLost) break;
        }
      } catch {
        // The database is unreachable: try again after the poll interval.
      }
      await client.end().catch(() => undefined);
      await sleep(pollMs, signal);
    }
    return undefined;
  }

  private lease(client: Client, lost: Promise<void>, markLost: () => void): Lease {
    const checkMs = this.options.checkMs ?? 5000;
    let released = false;
    const check = setInterval(() => {
      const answered = client.query('SELECT 1').then(
        () => true,
        () => false,
      );
      const late = new Promise<boolean>((resolve) => setTimeout(resolve, checkMs, false).unref());
      void Promise.race([answered, late]).then((alive) => {
        if (alive || released) return;
        markLost();
        // Ends the session if it is still there, so the lock is not held by a connection we gave up on.
        void client.end().catch(() => undefined);
      });
    }, checkMs);
    check.unref();
    void lost.then(() => clearInterval(check));
    return {
      lost,
      release: async () => {
        released = true;
        clearInterval(check);
        await client.end().catch(() => undefined);
      },
    };
  }
}
