import { createHash } from 'node:crypto';
import type { NewEvent } from './event-store.port';

/** What the first event of every stream chains from. */
export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = Pick<NewEvent, 'id' | 'type' | 'version' | 'data' | 'metadata'>;

/**
 * JSON with object keys sorted (by UTF-16 code units), no whitespace. The value first goes through
 * JSON.stringify/parse, so it is hashed exactly as it is stored: `undefined` members dropped,
 * dates as ISO strings, -0 as 0.
 */
export function canonicalJson(value: unknown): string {
  const serialised = JSON.stringify(value);
  if (serialised === undefined) throw new TypeError('Value has no JSON representation');
  return sortedJson(JSON.parse(serialised));
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The text an event contributes to its hash: canonical JSON of id, type, version, data and metadata. */
export function canonicalEventJson(event: HashedFields): string {
  const { id, type, version, data, metadata } = event;
  return canonicalJson({ id, type, version, data, metadata });
}

/** sha256 (hex) of the previous event's hash followed by the event's canonical JSON (UTF-8). */
export function chainHash(previousHash: string, event: HashedFields): string {
  return createHash('sha256').update(previousHash).update(canonicalEventJson(event)).digest('hex');
}

/**
 * Recomputes the chain over a stream's events, read in revision order, and returns the first
 * event whose stored hash does not match (it, or an event before it, was altered, removed or
 * reordered), or null when the whole chain holds. Start from `previousHash` to verify a stream
 * read from a revision other than 0.
 */
export function verifyChain<E extends HashedFields & { hash: string }>(
  events: readonly E[],
  previousHash: string = GENESIS_HASH,
): E | null {
  let expectedPrevious = previousHash;
  for (const event of events) {
    if (event.hash !== chainHash(expectedPrevious, event)) return event;
    expectedPrevious = event.hash;
  }
  return null;
}
