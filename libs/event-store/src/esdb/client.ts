/**
 * The only file that imports the EventStoreDB client package. Moving to `@kurrent/kurrentdb-client`
 * means changing the import below and {@link toAppendExpectedRevision} (whose append option is
 * called `streamState` there); every other file in this folder imports from here.
 */
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  streamNameFilter,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  AppendResult as EsdbAppendResult,
  AppendToStreamOptions,
  Position as EsdbPosition,
  ReadAllOptions as EsdbReadAllOptions,
  ReadStreamOptions as EsdbReadStreamOptions,
  RecordedEvent as EsdbRecordedEvent,
  ResolvedEvent,
} from '@eventstore/db-client';
import type { ExpectedRevision } from '../event-store.port';

export {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  streamNameFilter,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
};
export type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EsdbAppendResult,
  EsdbPosition,
  EsdbReadAllOptions,
  EsdbReadStreamOptions,
  EsdbRecordedEvent,
  ResolvedEvent,
};

/** The append options as this client version names them. */
export type EsdbAppendOptions = AppendToStreamOptions;

/** The port's expected revision in the client's terms: the one place that knows the option's shape. */
export function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`Expected revision must be a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

/** Append options carrying an expected revision (`expectedRevision` here, `streamState` in the KurrentDB client). */
export function appendOptions(expected: ExpectedRevision): EsdbAppendOptions {
  return { expectedRevision: toAppendExpectedRevision(expected) };
}

/** What the adapter uses of the client: the calls it makes, nothing else. */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

/** Every call goes to the leader: a follower would answer reads from its own, possibly stale, copy. */
export const ON_LEADER = { requiresLeader: true } as const;

/**
 * A node that is not the leader refused a call made with `requiresLeader`; the client has already
 * reconnected to the leader it named (its `handleError`), so the call can be made again.
 */
export function isNotLeader(error: unknown): boolean {
  return error instanceof NotLeaderError;
}

/**
 * An append that failed this way may have been stored all the same: the server drops a copy of a
 * write it has not indexed yet and lets it time out ("IdempotentNotReady"), and a lost connection
 * or a cancelled call says nothing about the write.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return (
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof UnknownError
  );
}

/** gRPC INVALID_ARGUMENT "Trying to read from an invalid position.": no record starts there. */
export function isInvalidPosition(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof UnknownError && code === 3;
}

/**
 * A subscription that ended this way can be opened again from its last event: the connection or the
 * node went away, or the server dropped it ("consumer too slow", EventStoreDB 22.x and 23.x).
 */
export function isResumable(error: unknown): boolean {
  return isNotLeader(error) || (isOutcomeUnknown(error) && !isInvalidPosition(error));
}
