import { performance } from 'node:perf_hooks';
import type { Sample } from './stats';

/**
 * `concurrency` workers take operations 0…total-1 one at a time, each starting the next as soon as
 * its last one settled (a closed loop, as a pool of clients would). One latency per operation.
 * `op` may return how many units of work it did (default 1) and whether it had to retry (conflicts).
 */
export async function closedLoop(
  concurrency: number,
  total: number,
  op: (index: number, worker: number) => Promise<OpResult | void>,
): Promise<Sample> {
  const latenciesMs: number[] = new Array<number>(total);
  let next = 0;
  let ops = 0;
  let conflicts = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async (_, worker) => {
      for (let index = next++; index < total; index = next++) {
        const t0 = performance.now();
        const result = await op(index, worker);
        latenciesMs[index] = performance.now() - t0;
        ops += result?.units ?? 1;
        conflicts += result?.conflicts ?? 0;
      }
    }),
  );
  return { ops, elapsedMs: performance.now() - started, latenciesMs, conflicts };
}

export interface OpResult {
  units?: number;
  conflicts?: number;
}

/**
 * Starts `total` operations at a steady `perSecond`, whether or not earlier ones have finished
 * (an open loop: a slow system gets no respite, as with real users). Each operation reports the
 * latency it wants recorded, or undefined when it failed; `ops` counts those that did not.
 */
export async function openLoop(
  perSecond: number,
  total: number,
  op: (index: number) => Promise<number | undefined>,
): Promise<Sample> {
  const intervalMs = 1000 / perSecond;
  const latenciesMs: number[] = [];
  const running: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < total; index++) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(
      op(index).then((latency) => {
        if (latency !== undefined) latenciesMs.push(latency);
      }),
    );
  }
  await Promise.all(running);
  return { ops: latenciesMs.length, elapsedMs: performance.now() - started, latenciesMs };
}
