/** What one round of a benchmark measured: how much work, how long it took, and each operation's latency. */
export interface Sample {
  /** Units of work done (appends, events read, commands…). */
  ops: number;
  elapsedMs: number;
  /** One entry per timed operation (an append, a batch read, a request…). */
  latenciesMs: number[];
  /** Operations retried after losing a race (read-modify-append). */
  conflicts?: number;
}

export interface Summary {
  ops: number;
  elapsedMs: number;
  /** ops per second over every round together. */
  rate: number;
  p50: number;
  p99: number;
  conflicts: number;
  rounds: number;
}

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The rounds of one system together: total work over total time, latency percentiles over every operation. */
export function summarise(samples: readonly Sample[]): Summary {
  const ops = samples.reduce((sum, s) => sum + s.ops, 0);
  const elapsedMs = samples.reduce((sum, s) => sum + s.elapsedMs, 0);
  const latencies = Float64Array.from(samples.flatMap((s) => s.latenciesMs)).sort();
  return {
    ops,
    elapsedMs,
    rate: elapsedMs > 0 ? (ops * 1000) / elapsedMs : Number.NaN,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    conflicts: samples.reduce((sum, s) => sum + (s.conflicts ?? 0), 0),
    rounds: samples.length,
  };
}
