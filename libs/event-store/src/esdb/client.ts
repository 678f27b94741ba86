/**
 * The only file that imports the EventStoreDB client package. Moving to `@kurrent/kurrentdb-client`
 * means changing the import below and {@link toAppendExpectedRevision} (whose append option is
 * called `streamState` there); every other file in this folder imports from here.
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  StreamNotFoundError,
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
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  StreamNotFoundError,
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
