import type { NewEvent } from '../event-store.port';
import { GENESIS_HASH, verifyChain } from '../hash-chain';
import type { EsdbRecordedEvent } from './client';
import {
  APPEND_METADATA_KEY,
  appendIdOf,
  assertWritable,
  chainEvents as chainEventsFor,
  HASH_METADATA_KEY,
  isSystemEvent,
  RESERVATION_EVENT_TYPE,
  reservationStreamOf,
  reservedFor,
  toRecordedEvent,
  VERSION_METADATA_KEY,
  type ChainedEvent,
} from './event-codec';

const APPEND_ID = '11111111-2222-4333-8444-555555555555';
const chainEvents = (previousHash: string, events: NewEvent[]) =>
  chainEventsFor(previousHash, events, APPEND_ID);

const newEvent = (n: number, overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'PartnershipProposed',
  version: 2,
  data: { title: `Partnership ${n}`, sectors: ['aerospace'], nested: { b: 1, a: [1, 2] } },
  metadata: {
    actor: { sub: 'officer-1', roles: ['officer'] },
    correlationId: `corr-${n}`,
    commandId: `cmd-${n}`,
  },
  ...overrides,
});

/** The record EventStoreDB hands back for an event sent as `chained`: JSON in, JSON out. */
function asReturnedByServer(chained: ChainedEvent, revision: number, logPosition: bigint): EsdbRecordedEvent {
  return {
    streamId: 'partnership-1',
    id: chained.id,
    isJson: true,
    revision: BigInt(revision),
    type: chained.type,
    created: new Date('2025-01-02T03:04:05.000Z'),
    data: JSON.parse(JSON.stringify(chained.data)) as Record<string, unknown>,
    metadata: JSON.parse(JSON.stringify(chained.storedMetadata)) as Record<string, unknown>,
    position: { commit: logPosition, prepare: logPosition },
  };
}

describe('EventStoreDB event layout', () => {
  it('stores the schema version, the chained hash and the append id under reserved metadata keys', () => {
    const [chained] = chainEvents(GENESIS_HASH, [newEvent(1)]);
    expect(chained!.storedMetadata).toMatchObject({
      ...newEvent(1).metadata,
      [VERSION_METADATA_KEY]: 2,
      [APPEND_METADATA_KEY]: APPEND_ID,
    });
    expect(chained!.storedMetadata[HASH_METADATA_KEY]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells which append call wrote an event', () => {
    const returned = asReturnedByServer(chainEvents(GENESIS_HASH, [newEvent(1)])[0]!, 0, 64n);
    expect(appendIdOf(returned)).toBe(APPEND_ID);
    expect(appendIdOf({ ...returned, metadata: {} })).toBeUndefined();
  });

  it('takes the store’s stream prefix off the stream name', () => {
    const returned = asReturnedByServer(chainEvents(GENESIS_HASH, [newEvent(1)])[0]!, 0, 64n);
    expect(toRecordedEvent({ ...returned, streamId: 'run42_partnership-1' }, 'run42_').streamId).toBe(
      'partnership-1',
    );
  });

  it('names the owner of a reserved event id', () => {
    const id = newEvent(1).id;
    expect(reservationStreamOf('run42_', id)).toBe(`passerelle.event-id-run42_${id}`);
    const reservation = {
      ...asReturnedByServer(chainEvents(GENESIS_HASH, [newEvent(1)])[0]!, 0, 64n),
      streamId: reservationStreamOf('', id),
      type: RESERVATION_EVENT_TYPE,
      data: { streamId: 'partnership-1' },
    } as EsdbRecordedEvent;
    expect(reservedFor(reservation)).toBe('partnership-1');
    expect(isSystemEvent(reservation)).toBe(true);
    expect(reservedFor({ ...reservation, type: 'PartnershipProposed' })).toBeUndefined();
    expect(reservedFor(undefined)).toBeUndefined();
  });

  it('reads back the caller’s metadata, version and a hash chain that verifies', () => {
    const first = chainEvents(GENESIS_HASH, [newEvent(1), newEvent(2)]);
    const firstRead = first.map((e, i) => toRecordedEvent(asReturnedByServer(e, i, BigInt(1000 + i * 200))));
    const second = chainEvents(firstRead.at(-1)!.hash, [newEvent(3)]);
    const all = [...firstRead, toRecordedEvent(asReturnedByServer(second[0]!, 2, 1400n))];

    expect(verifyChain(all)).toBeNull();
    expect(all.map((e) => e.metadata)).toEqual([
      newEvent(1).metadata,
      newEvent(2).metadata,
      newEvent(3).metadata,
    ]);
    expect(all.map((e) => e.version)).toEqual([2, 2, 2]);
    expect(all.map((e) => e.position)).toEqual([1000, 1200, 1400]);
    expect(all.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(all[0]!.recordedAt.toISOString()).toBe('2025-01-02T03:04:05.000Z');
  });

  it('breaks the chain when a stored event was altered', () => {
    const chained = chainEvents(GENESIS_HASH, [newEvent(1), newEvent(2)]);
    const returned = chained.map((e, i) => asReturnedByServer(e, i, BigInt(100 + i)));
    (returned[1]!.data as Record<string, unknown>).title = 'Tampered';
    const read = returned.map((e) => toRecordedEvent(e));
    expect(verifyChain(read)?.id).toBe(newEvent(2).id);
  });

  it('reads an event without the reserved keys as version 1 with an empty hash', () => {
    const foreign: EsdbRecordedEvent = {
      ...asReturnedByServer(chainEvents(GENESIS_HASH, [newEvent(1)])[0]!, 0, 64n),
      metadata: { correlationId: 'x' },
    };
    expect(toRecordedEvent(foreign)).toMatchObject({
      version: 1,
      hash: '',
      metadata: { correlationId: 'x' },
    });
  });

  it('never takes the position of the read for an event without its own (an explicit transaction shares it)', () => {
    const event = {
      ...asReturnedByServer(chainEvents(GENESIS_HASH, [newEvent(1)])[0]!, 0, 64n),
      position: undefined,
    };
    expect(() => toRecordedEvent(event)).toThrow(/22\.6 or later/);
  });

  it('refuses what would not round-trip', () => {
    expect(() => assertWritable('s', newEvent(1, { id: 'not-a-uuid' }))).toThrow(/lower-case UUID/);
    expect(() => assertWritable('s', newEvent(1, { id: '00000000-0000-4000-8000-00000000000A' }))).toThrow(
      /lower-case UUID/,
    );
    expect(() => assertWritable('s', newEvent(1, { version: 0 }))).toThrow(/version/);
    expect(() => assertWritable('s', newEvent(1, { metadata: { [HASH_METADATA_KEY]: 'x' } }))).toThrow(
      /reserved/,
    );
    expect(() => assertWritable('s', newEvent(1, { metadata: { [VERSION_METADATA_KEY]: 3 } }))).toThrow(
      /reserved/,
    );
    expect(() => assertWritable('s', newEvent(1))).not.toThrow();
  });

  it('recognises EventStoreDB’s own events', () => {
    expect(isSystemEvent({ type: '$metadata', streamId: '$$partnership-1' })).toBe(true);
    expect(isSystemEvent({ type: '$>', streamId: '$ce-partnership' })).toBe(true);
    expect(isSystemEvent({ type: 'Something', streamId: '$stats-127.0.0.1:2113' })).toBe(true);
    expect(isSystemEvent({ type: 'PartnershipProposed', streamId: 'partnership-1' })).toBe(false);
  });
});
