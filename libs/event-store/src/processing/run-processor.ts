import type { SqlExecutor } from '@passerelle/database';
import type { EventStore, RecordedEvent } from '../event-store.port';
import { CheckpointMovedError, ClaimedCheckpoint, ProcessorCheckpoints } from './checkpoints';
import { Lease, LeaseLostError, LockProvider } from './locks';
import { describeError, ProcessorLogger } from './logger';
import { sleep } from './sleep';

interface ProcessorBase {
  /** Its checkpoint row. */
  name: string;
  /** What the logs call it, e.g. `Projection partnerships`. */
  label: string;
  /** The lease it runs under (one active instance per lock name). */
  lockName: string;
  /** Events per batch. */
  batchSize: number;
  /** Under the lease, before the checkpoint is claimed (a projection rebuilds here if its version changed). */
  setUp?(): Promise<void>;
}

/** Applies each batch inside the transaction that moves its checkpoint: exactly once. */
export interface Projector extends ProcessorBase {
  kind: 'projector';
  apply(tx: SqlExecutor, events: readonly RecordedEvent[], after: number): Promise<void>;
}

/**
 * Acts on each batch before its checkpoint moves: what it does is done again if the process dies in
 * between, so it must be idempotent (deterministic ids).
 */
export interface Reactor extends ProcessorBase {
  kind: 'reactor';
  react(events: readonly RecordedEvent[], after: number): Promise<void>;
}

export type Processor = Projector | Reactor;

/** What the owner of a processor hears of it (status pages, progress, timers tied to the lease). */
export interface ProcessorObserver {
  /** Whether this instance holds the lease and follows the log. */
  active?(active: boolean): void;
  /** The checkpoint this instance starts from, then after every committed batch. */
  position?(position: number): void;
  failed?(error: unknown, retryInMs: number): void;
}

export interface RunProcessorOptions {
  processor: Processor;
  store: EventStore;
  checkpoints: ProcessorCheckpoints;
  locks: LockProvider;
  logger: ProcessorLogger;
  /** Stops the processor (it finishes its batch and releases its lease). */
  signal: AbortSignal;
  observer?: ProcessorObserver;
  /** First delay after a failure; doubles up to `maxRetryDelayMs`. Defaults 500 ms and 30 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

type Outcome = 'stopped' | 'lost' | 'moved';

/**
 * The one loop every processor runs: take the lease, claim the checkpoint (fencing out any earlier
 * holder), subscribe from it, commit each batch with a fenced checkpoint write, and race the
 * subscription against the lease being lost and the stop signal. A moved checkpoint means following
 * again under the same lease; a lost lease means stepping back and queueing for it again; an error means
 * releasing it and trying again after a back-off. Resolves once `signal` aborts.
 */
export async function runProcessor(options: RunProcessorOptions): Promise<void> {
  const { processor, locks, logger, signal, observer } = options;
  const firstDelay = options.retryDelayMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  let delay = firstDelay;
  while (!signal.aborted) {
    const lease = await locks.acquire(processor.lockName, signal);
    if (!lease) return;
    observer?.active?.(true);
    try {
      let outcome: Outcome = 'moved';
      while (outcome === 'moved' && !signal.aborted) outcome = await follow(options, lease);
      delay = firstDelay;
      if (outcome === 'lost') logger.warn(`${processor.label}: lock lost, stepping back`);
    } catch (error) {
      observer?.failed?.(error, delay);
      logger.error(`${processor.label} failed: ${describeError(error)}; retrying in ${delay} ms`);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, maxDelay);
    } finally {
      observer?.active?.(false);
      await lease.release();
    }
  }
}

async function follow(options: RunProcessorOptions, lease: Lease): Promise<Outcome> {
  const { processor, store, checkpoints, signal, observer } = options;
  let leaseLost = false;
  void lease.lost.then(() => (leaseLost = true));
  await processor.setUp?.();
  const claimed: ClaimedCheckpoint = await checkpoints.claim(processor.name);
  let position = claimed.position;
  observer?.position?.(position);

  const handle = async (events: RecordedEvent[]): Promise<void> => {
    if (leaseLost) throw new LeaseLostError(`${processor.label}: lock lost`);
    const from = position;
    const to = Math.max(from, events[events.length - 1]!.position);
    if (processor.kind === 'projector') {
      await checkpoints.advance(claimed, from, to, (tx) => processor.apply(tx, events, from));
    } else {
      await processor.react(events, from);
      await checkpoints.advance(claimed, from, to);
    }
    position = to;
    observer?.position?.(position);
  };

  const subscription = store.subscribeToAll({ after: position, batchSize: processor.batchSize }, handle);
  const stopped = new Promise<Outcome>((resolve) => {
    if (signal.aborted) resolve('stopped');
    signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    return await Promise.race([
      subscription.done.then(
        (): Outcome => 'stopped',
        (error: unknown): Outcome => {
          if (error instanceof CheckpointMovedError) return 'moved';
          if (error instanceof LeaseLostError) return 'lost';
          throw error;
        },
      ),
      lease.lost.then((): Outcome => 'lost'),
      stopped,
    ]);
  } finally {
    await subscription.stop().catch(() => undefined);
  }
}
