/** A system under test, as its own process serves it: named methods taking one plain argument. */
export interface BenchSystem {
  close(): Promise<void>;
  [method: string]: (args: never) => Promise<unknown>;
}

/** A closed-loop load: `ops` operations, `concurrency` at a time. `seed` picks the streams touched. */
export interface Load {
  ops: number;
  concurrency: number;
  seed?: number;
}

export interface StreamsLoad {
  streams: number;
}

export interface ReadAllLoad {
  batchSize: number;
}
