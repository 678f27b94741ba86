import type { Remote } from './remote';
import { summarise, type Sample, type Summary } from './stats';

/** One side of a comparison: how to run one measured round of it, and an unmeasured warm-up. */
export interface Contender {
  label: string;
  run(round: number): Promise<Sample>;
  /** Default: one round, discarded (JIT, pools, caches). */
  warmup?(): Promise<unknown>;
}

/** A contender whose rounds are calls to a system in its own process. */
export function remote(
  label: string,
  system: Remote,
  method: string,
  args: (round: number) => unknown,
  warmup?: unknown,
): Contender {
  return {
    label,
    run: (round) => system.call<Sample>(method, args(round)),
    warmup: () => system.call(method, warmup ?? args(0)),
  };
}

/**
 * Runs the contenders' rounds in turn (A B C, B C A, C A B…) after one warm-up each, so that
 * whatever else the machine does lands on all of them alike. Returns each one's rounds together.
 */
export async function alternate(
  contenders: readonly Contender[],
  rounds: number,
  log: (line: string) => void,
): Promise<Map<string, Summary>> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.label, []]));
  for (const contender of contenders) await (contender.warmup ?? (() => contender.run(0)))();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length]!;
      const sample = await contender.run(round);
      samples.get(contender.label)!.push(sample);
      const rate = (sample.ops * 1000) / sample.elapsedMs;
      log(`  round ${round + 1}/${rounds} ${contender.label}: ${Math.round(rate).toLocaleString('en-US')}/s`);
    }
  }
  return new Map([...samples].map(([label, list]) => [label, summarise(list)]));
}
