/**
 * Checkpoint codec between the port's global position (one JS number) and an EventStoreDB `$all`
 * position (`{ commit, prepare }`, two byte offsets into the transaction log).
 *
 * Why one number is enough. Every event appended through the gRPC API — the only way this adapter,
 * or any client since EventStoreDB 20, writes — is stored as an implicitly committed prepare
 * record, and the server reports such an event at `{ commit: L, prepare: L }` where L is the log
 * position of the event's own record (server `AllReader`: `new CommitEventRecord(eventRecord,
 * prepare.LogPosition)`; an append answers the position of the last record it wrote). So the
 * events of one append do not share a position: each has its own, increasing, and commit equals
 * prepare. The number is that prepare position; resuming from it rebuilds `{ commit: n, prepare: n }`,
 * which is exactly the position of the checkpointed event.
 *
 * Exclusive or inclusive. A catch-up subscription from a position starts after it (the .NET client
 * names it `FromAll.After`); a read of `$all` from a position includes the event at it (the server
 * keeps records whose position is `>=` the one asked for). The adapter drops every event at or
 * before the checkpoint on its side, which is right under either rule.
 *
 * Only record boundaries can be read from. A checkpoint handed out by the store is one, so it is
 * sent as is and costs no read to resolve. Any other number (the port allows "strictly after 41"
 * when events sit at 40 and 97) is refused by the server (INVALID_ARGUMENT), and only then resolved
 * by the adapter to the last record at or before it (see EsdbEventStore).
 *
 * What does not fit. Explicit transactions of the legacy TCP API put a commit record after their
 * prepares, so their events share one commit position and their prepare order is not `$all` order.
 * Such events cannot be placed on one number without skipping or repeating one, so
 * {@link toGlobalPosition} refuses them instead of guessing; a store written only through gRPC never
 * holds one. Positions above 2^53 (a 9-petabyte log) are refused the same way.
 */
import type { EsdbPosition } from './client';

export class UnsupportedPositionError extends Error {
  readonly code = 'unsupported_position';
  constructor(readonly position: EsdbPosition) {
    super(
      `EventStoreDB position {commit: ${position.commit}, prepare: ${position.prepare}} cannot be expressed as one ` +
        'global position: ' +
        (position.commit === NO_POSITION || position.prepare === NO_POSITION
          ? 'the server gave the event no position (EventStoreDB before 22.6 on stream reads, or an event of an explicit transaction of the legacy TCP API); this adapter needs EventStoreDB 22.6 or later and events written through gRPC'
          : position.commit !== position.prepare
            ? 'commit and prepare differ (an explicit transaction written through the legacy TCP API)'
            : 'it is beyond Number.MAX_SAFE_INTEGER'),
    );
  }
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** What the client shows for the server's "no position" (-1 as an unsigned 64-bit number). */
const NO_POSITION = 2n ** 64n - 1n;

/** The port's global position of an event EventStoreDB reports at `position`. */
export function toGlobalPosition(position: EsdbPosition): number {
  if (position.commit !== position.prepare || position.prepare < 0n || position.prepare > MAX) {
    throw new UnsupportedPositionError(position);
  }
  return Number(position.prepare);
}

/** The EventStoreDB position of the event whose global position is `globalPosition`. */
export function toEsdbPosition(globalPosition: number): EsdbPosition {
  if (!Number.isSafeInteger(globalPosition) || globalPosition < 0) {
    throw new RangeError(`A global position is a non-negative integer, got ${globalPosition}`);
  }
  const value = BigInt(globalPosition);
  return { commit: value, prepare: value };
}

/** Whether `position` lies strictly after the checkpoint (`undefined`/`null`: every position does). */
export function isAfterCheckpoint(position: number, checkpoint: number | null | undefined): boolean {
  return checkpoint === undefined || checkpoint === null || position > checkpoint;
}
