/**
 * The event store port. Adapters: SQL (PGlite and PostgreSQL) and EventStoreDB/KurrentDB.
 * Revisions are 0-based per stream (as in EventStoreDB); global positions grow along the log.
 */
export const EVENT_STORE = Symbol('EVENT_STORE');

/** `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no check; a number: the stream's current revision must equal it. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

/**
 * Who acted, as the log records it in an event's metadata. The application's `Actor` (its identity, roles
 * and role checks) lives in @passerelle/application.
 */
export interface ActorRecord {
  sub: string;
  name?: string;
  roles: string[];
  org?: string;
}

export interface EventMetadata {
  actor?: ActorRecord;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
  /** The command that produced the event; event ids derive from it. */
  commandId?: string;
  /** Keyed digest (HMAC from DATA_KEY) of the request that carried the command, to tell a replay from a reused key. */
  requestHash?: string;
  [key: string]: unknown;
}

export interface NewEvent {
  id: string;
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: number;
  recordedAt: Date;
  /** Hash chained to the previous event of the stream (see hash-chain.ts). */
  hash: string;
}

export interface AppendResult {
  /** Revision of the last event of the append (or of the stream, when nothing was appended). */
  revision: number;
  /** Global position of the last event of the append. */
  position: number;
  /** false when every event id was already in the stream: a retried append that changed nothing. */
  appended: boolean;
  /**
   * Each appended event's data as a read of the stream would give it now, from a store that writes
   * data other than it was given (the personal-data layer: a forgotten person's fields as "[erased]").
   * Absent from a store that writes the data as given.
   */
  readBack?: readonly Record<string, unknown>[];
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the end. */
  fromRevision?: number;
  /** Inclusive bound in the direction of reading. */
  toRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the start. */
  after?: number;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. null or absent: from the start. */
  after?: number | null;
  batchSize?: number;
}

/** Handles one batch; the next batch is not delivered until the promise settles. */
export type BatchHandler = (events: RecordedEvent[]) => Promise<void>;

export interface Subscription {
  /** Resolves when the subscription has stopped; rejects with the error that stopped it, if any. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface EventStore {
  appendToStream(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  /** An empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One batch of the global log, in position order, only positions no reader can be overtaken on. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from the checkpoint, then follow live. Every event exactly once, in position order. */
  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription;
  /** Position of the last event a reader can see (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * Position of the last committed event, which readers may not see yet: an append answered is at or below
   * it at once, while `headPosition` can wait for older transactions to end. Adapters whose head is exact
   * need not provide it (`headPosition` stands in).
   */
  lastCommittedPosition?(): Promise<number>;
  close(): Promise<void>;
}
