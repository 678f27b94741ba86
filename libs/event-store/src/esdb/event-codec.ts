/**
 * How a port event is laid out in EventStoreDB, and back. Data and metadata are JSON; the metadata
 * also carries reserved keys, stripped again on read:
 * - `$version`: the event's schema version;
 * - `$hash`: the stream's hash chain (hash-chain.ts), over the caller's fields only;
 * - `$append`: a random id of the append call that wrote the event, so that a call can tell its
 *   own write from a concurrent copy of the same append that EventStoreDB deduplicated.
 *
 * Event ids are unique across the log (the port's DuplicateEventIdError). EventStoreDB keeps no
 * index of event ids, so each id is reserved in a stream of its own, `passerelle.event-id-<id>`,
 * whose one event (type `$passerelle-event-id`, filtered out of `$all` reads like EventStoreDB's
 * own `$` events) names the stream that owns the id.
 */
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port';
import { chainHash } from '../hash-chain';
import type { EsdbRecordedEvent } from './client';
import { toGlobalPosition } from './position';

export const HASH_METADATA_KEY = '$hash';
export const VERSION_METADATA_KEY = '$version';
export const APPEND_METADATA_KEY = '$append';
const RESERVED_METADATA_KEYS = [HASH_METADATA_KEY, VERSION_METADATA_KEY, APPEND_METADATA_KEY];

export const RESERVATION_EVENT_TYPE = '$passerelle-event-id';

/** The stream that reserves `eventId` for one stream (`streamPrefix` keeps stores apart). */
export function reservationStreamOf(streamPrefix: string, eventId: string): string {
  return `passerelle.event-id-${streamPrefix}${eventId}`;
}

/** EventStoreDB prints ids back in lower case; ids are hashed as given, so only that form round-trips. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ChainedEvent extends NewEvent {
  /** The metadata as sent: the caller's, plus the reserved keys. */
  storedMetadata: Record<string, unknown>;
}

/** Links each new event to the one before it and lays out the metadata as it will be stored. */
export function chainEvents(previousHash: string, events: NewEvent[], appendId: string): ChainedEvent[] {
  let previous = previousHash;
  return events.map((event) => {
    const hash = chainHash(previous, event);
    previous = hash;
    return {
      ...event,
      storedMetadata: {
        ...event.metadata,
        [VERSION_METADATA_KEY]: event.version,
        [HASH_METADATA_KEY]: hash,
        [APPEND_METADATA_KEY]: appendId,
      },
    };
  });
}

/**
 * A port event from what EventStoreDB returned; `streamPrefix` is taken off the stream name. The
 * event's own position is the only one used: a read's commit position is shared by every event of
 * an explicit transaction, so it cannot stand in for it.
 */
export function toRecordedEvent(event: EsdbRecordedEvent, streamPrefix = ''): RecordedEvent {
  const position = event.position ? toGlobalPosition(event.position) : missingPosition(event);
  const stored = isRecord(event.metadata) ? event.metadata : {};
  const {
    [HASH_METADATA_KEY]: hash,
    [VERSION_METADATA_KEY]: version,
    [APPEND_METADATA_KEY]: _append,
    ...metadata
  } = stored;
  return {
    id: event.id,
    type: event.type,
    version: typeof version === 'number' ? version : 1,
    data: decodeData(event),
    metadata: metadata as EventMetadata,
    streamId: event.streamId.startsWith(streamPrefix)
      ? event.streamId.slice(streamPrefix.length)
      : event.streamId,
    revision: Number(event.revision),
    position,
    recordedAt: event.created,
    hash: typeof hash === 'string' ? hash : '',
  };
}

/** The id of the append call that wrote `event`, when this adapter wrote it. */
export function appendIdOf(event: EsdbRecordedEvent): string | undefined {
  const stored = isRecord(event.metadata) ? event.metadata[APPEND_METADATA_KEY] : undefined;
  return typeof stored === 'string' ? stored : undefined;
}

/** The stream named by a reservation event, if `event` is one. */
export function reservedFor(event: EsdbRecordedEvent | undefined): string | undefined {
  if (!event || event.type !== RESERVATION_EVENT_TYPE || !isRecord(event.data)) return undefined;
  const streamId = event.data.streamId;
  return typeof streamId === 'string' ? streamId : undefined;
}

function missingPosition(event: EsdbRecordedEvent): never {
  throw new Error(
    `EventStoreDB returned event ${event.id} of ${event.streamId} without a log position; ` +
      'this adapter needs EventStoreDB 22.6 or later',
  );
}

function decodeData(event: EsdbRecordedEvent): Record<string, unknown> {
  if (event.isJson) return isRecord(event.data) ? event.data : { value: event.data };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(event.data as Uint8Array).toString('utf8'));
    return isRecord(parsed) ? parsed : { value: parsed };
  } catch {
    return {};
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Events of EventStoreDB itself (`$>` links, `$metadata`, …, `$` streams) and id reservations. */
export function isSystemEvent(event: { type: string; streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Refuses what EventStoreDB or this layout cannot store faithfully, before anything is sent. */
export function assertWritable(streamId: string, event: NewEvent): void {
  if (!UUID.test(event.id)) {
    throw new TypeError(`Event id "${event.id}" for ${streamId} is not a lower-case UUID`);
  }
  if (!Number.isInteger(event.version) || event.version < 1) {
    throw new TypeError(`Event ${event.id}: version must be a positive integer, got ${event.version}`);
  }
  for (const key of RESERVED_METADATA_KEYS) {
    if (Object.prototype.hasOwnProperty.call(event.metadata, key)) {
      throw new TypeError(`Event ${event.id}: metadata key "${key}" is reserved by the EventStoreDB adapter`);
    }
  }
}
