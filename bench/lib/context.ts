import type { SystemName } from '../systems';
import type { Scratch } from './postgres';
import { Remote } from './remote';

/** How much work each benchmark does: `full` for the figures in docs/performance.md, `quick` for CI. */
export interface Sizes {
  /** Measured rounds per system, after a warm-up of a quarter of a round. */
  rounds: number;
  append: { ops: number; concurrency: number };
  readModifyAppend: { ops: number; concurrency: number; streams: number };
  /** The domain log read by read-all and rebuilt by rebuild. */
  log: { events: number; batchSize: number };
  pglite: { ops: number; concurrency: number };
  http: { seconds: number; connections: number; partnerships: number };
  /** `lighterPerSecond`: also measured, for the log only, at a rate the machine may sustain (0: not). */
  lag: { perSecond: number; commands: number; lighterPerSecond: number };
  /** The embedded default at an offered rate (open loop): proposals per second, and how many. */
  embedded: { perSecond: number; commands: number };
  /**
   * Growth curves: log sizes on PostgreSQL and PGlite (GROWTH_SIZES, GROWTH_PGLITE_SIZES override them),
   * requests timed per measurement, and the long partnerships (how many, how many events each).
   */
  growth: { sizes: number[]; pgliteSizes: number[]; samples: number; long: number; longLength: number };
  /** Meetings scheduled, each inviting `contacts` contacts of each of the two parties. */
  notifications: { meetings: number; contacts: number };
}

export const SIZES: Record<'full' | 'quick', Sizes> = {
  full: {
    rounds: 3,
    append: { ops: 6000, concurrency: 16 },
    readModifyAppend: { ops: 6000, concurrency: 16, streams: 500 },
    log: { events: 200_000, batchSize: 1000 },
    pglite: { ops: 2000, concurrency: 16 },
    http: { seconds: 10, connections: 32, partnerships: 640 },
    lag: { perSecond: 200, commands: 3000, lighterPerSecond: 50 },
    embedded: { perSecond: 20, commands: 400 },
    growth: {
      sizes: [10_000, 100_000, 1_000_000],
      pgliteSizes: [10_000, 100_000, 1_000_000],
      samples: 200,
      long: 2,
      longLength: 5000,
    },
    notifications: { meetings: 40, contacts: 25 },
  },
  quick: {
    rounds: 1,
    append: { ops: 600, concurrency: 16 },
    readModifyAppend: { ops: 600, concurrency: 16, streams: 500 },
    log: { events: 5000, batchSize: 1000 },
    pglite: { ops: 200, concurrency: 16 },
    http: { seconds: 1.5, connections: 32, partnerships: 96 },
    lag: { perSecond: 200, commands: 200, lighterPerSecond: 0 },
    embedded: { perSecond: 20, commands: 60 },
    growth: { sizes: [2_000, 10_000], pgliteSizes: [2_000], samples: 40, long: 1, longLength: 500 },
    notifications: { meetings: 4, contacts: 10 },
  },
};

/** What every suite gets: the sizes, the server, somewhere to put what it creates, and a log. */
export interface BenchContext {
  sizes: Sizes;
  databaseUrl: string;
  scratch: Scratch;
  /** Where PGlite directories go (removed at the end). */
  tmpDir: string;
  log(line: string): void;
  /** Opens a system in its own process (CPU-profiled when asked for). */
  open(name: SystemName, params: unknown): Promise<Remote>;
}

/** Runs `work` with the systems opened, closing them whatever happens. */
export async function using<T>(
  remotes: Promise<Remote>[],
  work: (opened: Remote[]) => Promise<T>,
): Promise<T> {
  const settled = await Promise.allSettled(remotes);
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await work(opened);
  } finally {
    await Promise.all(opened.map((remote) => remote.close().catch(() => undefined)));
  }
}
