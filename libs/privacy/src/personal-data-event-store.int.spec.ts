import { randomUUID } from 'node:crypto';
import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { ERASED } from '@passerelle/domain';
import {
  type EventStore,
  eventStoreMigrations,
  type RecordedEvent,
  SqlEventStore,
  verifyChain,
} from '@passerelle/event-store';
import { describeEventStoreContract } from '@passerelle/event-store/testing/event-store.contract';
import { CachedPersonKeyStore } from './cached-person-key-store';
import { generateDataKey, MasterKey } from './master-key';
import { PersonalDataEventStore } from './personal-data-event-store';
import { privacyMigrations } from './sql/migrations';
import { SqlPersonKeyStore } from './sql/sql-person-key-store';
import { domainEvent, registered, signed } from './testing/personal-events';

const scheduled = (attendees: { email: string; name: string | null }[]) =>
  domainEvent('IntroductionMeetingScheduled', {
    partnershipId: randomUUID(),
    meetingId: randomUUID(),
    startsAt: '2026-01-05T17:00:00.000Z',
    endsAt: '2026-01-05T18:00:00.000Z',
    timezone: 'Europe/Paris',
    location: null,
    videoUrl: null,
    agenda: 'Introductions',
    attendees: attendees.map((a) => ({ ...a, language: null, organizationId: null })),
    sequence: 0,
    invitations: true,
    occurredAt: '2025-03-10T09:00:00.000Z',
  });

/** The log once it holds the event: readers see an append when older transactions on the server have ended. */
async function readAllWith(store: EventStore, id: string): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = await store.readAll({ after: 0, maxCount: 1000 });
    if (log.some((event) => event.id === id) || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['pglite', 'postgres'] as const)('PersonalDataEventStore over SQL on %s', (dialect) => {
  const master = MasterKey.fromText(generateDataKey());
  let test: TestSqlClient;
  let stored: SqlEventStore;
  let keys: SqlPersonKeyStore;
  let cached: CachedPersonKeyStore;
  let store: PersonalDataEventStore;

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'pii_store');
    await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
    stored = new SqlEventStore(test.client, { pollIntervalMs: 100 });
    keys = new SqlPersonKeyStore(test.client, master);
    cached = new CachedPersonKeyStore(keys, { ttlMs: 60_000 });
    store = new PersonalDataEventStore(stored, cached, (kind, value) => master.subjectOf(kind, value));
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await test.cleanup();
  }, 30_000);

  const rawRow = async (id: string) => {
    const [row] = await test.client.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM events WHERE event_id = $1',
      [id],
    );
    return row!.data;
  };

  it('stores names and addresses encrypted, chains the hash over what is stored, and reads them back in clear', async () => {
    const streamId = `organization-${randomUUID()}`;
    const contacts = [
      { name: 'Bruno Martin', email: 'bruno@polemer.example.fr' },
      { name: 'Inès Roux', email: 'ines@polemer.example.fr' },
    ];
    const written = registered(streamId.slice('organization-'.length), contacts);
    await store.appendToStream(streamId, [written], 'no_stream');

    const raw = JSON.stringify(await rawRow(written.id));
    for (const text of ['Bruno', 'bruno@', 'Inès', 'ines@', 'polemer.example.fr'])
      expect(raw).not.toContain(text);
    const [storedContact] = (await rawRow(written.id)).contacts as Record<string, string>[];
    expect(storedContact).toEqual({
      name: expect.stringMatching(/^pii:v1:[0-9a-f-]{36}:[\w-]+:[\w-]+$/),
      email: expect.stringMatching(/^pii:v1:/),
      role: 'Director',
      language: 'fr',
    });
    // Both fields of one contact are under that contact's key.
    expect(storedContact!.name!.split(':')[2]).toBe(storedContact!.email!.split(':')[2]);

    const asStored = await stored.readStream(streamId);
    expect(verifyChain(asStored)).toBeNull();
    const [read] = await store.readStream(streamId);
    expect(read!.data).toEqual(written.data);
    expect(read!.hash).toBe(asStored[0]!.hash);
    expect(verifyChain([read!])).toBe(read); // the hash is over the ciphertext, not over what is read
  });

  it('keeps a null attendee name null, and gives one key per person however the name is written', async () => {
    const meeting = scheduled([
      { email: 'alice@ihub.example.org', name: 'Alice Walker' },
      { email: 'observer@diplomatie.example.fr', name: null },
    ]);
    const first = signed('Claire Durand');
    const second = signed('  claire  DURAND ');
    await store.appendToStream(`partnership-${randomUUID()}`, [meeting, first, second], 'no_stream');
    const attendees = (await rawRow(meeting.id)).attendees as Record<string, unknown>[];
    expect(attendees[1]).toEqual(
      expect.objectContaining({ name: null, email: expect.stringMatching(/^pii:v1:/) }),
    );
    const keyOf = async (id: string) => ((await rawRow(id)).signerName as string).split(':')[2];
    expect(await keyOf(first.id)).toBe(await keyOf(second.id));
    const log = await readAllWith(store, second.id);
    const ids = new Map(log.map((e) => [e.id, e]));
    expect(ids.get(meeting.id)!.data).toEqual(meeting.data);
    expect(ids.get(second.id)!.data.signerName).toBe('  claire  DURAND ');
  });

  it('reads a forgotten person as erased everywhere, leaves the others alone and the chain intact', async () => {
    const streamId = `organization-${randomUUID()}`;
    const written = registered(streamId.slice('organization-'.length), [
      { name: 'Dan Lee', email: 'dan@oceanrobotics.example.com' },
      { name: 'Eve Petit', email: 'eve@sousmarine.example.fr' },
    ]);
    const meeting = scheduled([{ email: 'DAN@oceanrobotics.example.com', name: 'Dan Lee' }]);
    await store.appendToStream(streamId, [written, meeting], 'no_stream');
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: await store.headPosition() }, async (batch) => {
      seen.push(...batch);
    });

    await keys.forget(master.subjectOf('email', 'dan@oceanrobotics.example.com'));
    const cache = new CachedPersonKeyStore(keys);
    const fresh = new PersonalDataEventStore(stored, cache, (kind, value) => master.subjectOf(kind, value));

    const [org, held] = await fresh.readStream(streamId);
    expect(org!.data.contacts).toEqual([
      { name: ERASED, email: ERASED, role: 'Director', language: 'fr' },
      { name: 'Eve Petit', email: 'eve@sousmarine.example.fr', role: 'Director', language: 'fr' },
    ]);
    expect((held!.data.attendees as Record<string, unknown>[])[0]).toEqual(
      expect.objectContaining({ name: ERASED, email: ERASED }),
    );
    const fromLog = (await readAllWith(fresh, written.id)).find((e) => e.id === written.id)!;
    expect(fromLog.data).toEqual(org!.data);
    expect(verifyChain(await stored.readStream(streamId))).toBeNull();

    // Written after the forget: nothing of Dan is stored, not even encrypted, and no key is made.
    const later = signed('Frank Moreau');
    const again = scheduled([{ email: 'dan@oceanrobotics.example.com', name: 'Dan Lee' }]);
    await fresh.appendToStream(streamId, [again, later], 1);
    expect(((await rawRow(again.id)).attendees as Record<string, unknown>[])[0]).toEqual(
      expect.objectContaining({ name: ERASED, email: ERASED }),
    );
    expect(await keys.getOrCreateKey(master.subjectOf('email', 'dan@oceanrobotics.example.com'))).toBeNull();

    const deadline = Date.now() + 5000;
    while (!seen.some((e) => e.id === later.id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await subscription.stop();
    const delivered = seen.find((e) => e.id === later.id)!;
    expect(delivered.data.signerName).toBe('Frank Moreau');
    expect((seen.find((e) => e.id === again.id)!.data.attendees as Record<string, unknown>[])[0]!.email).toBe(
      ERASED,
    );
  });

  it('reads an altered or unknown ciphertext as erased, and a value stored in clear as it is', async () => {
    const streamId = `partnership-${randomUUID()}`;
    const tampered = signed('Gaëlle Blanc');
    await store.appendToStream(streamId, [tampered], 'no_stream');
    const value = (await rawRow(tampered.id)).signerName as string;
    const altered = value.slice(0, -3) + (value.endsWith('AAA') ? 'BBB' : 'AAA');
    await test.client.query(
      `UPDATE events SET data = jsonb_set(data, '{signerName}', to_jsonb($1::text)) WHERE event_id = $2`,
      [altered, tampered.id],
    );
    const legacy = signed('Written Before Encryption');
    await stored.appendToStream(streamId, [legacy], 0);
    const [first, second] = await new PersonalDataEventStore(stored, keys, (kind, text) =>
      master.subjectOf(kind, text),
    ).readStream(streamId);
    expect(first!.data.signerName).toBe(ERASED);
    expect(second!.data.signerName).toBe('Written Before Encryption');
  });

  it('erases at once in this process a value it has just decrypted and keeps in memory', async () => {
    const streamId = `partnership-${randomUUID()}`;
    await store.appendToStream(streamId, [signed('Irène Fabre'), signed('Jules Marchand')], 'no_stream');
    const before = await store.readStream(streamId);
    expect(before.map((e) => e.data.signerName)).toEqual(['Irène Fabre', 'Jules Marchand']);
    await cached.forget(master.subjectOf('name', 'Irène Fabre'));
    const after = await store.readStream(streamId);
    expect(after.map((e) => e.data.signerName)).toEqual([ERASED, 'Jules Marchand']);
  });

  it('erases at once in this process a value it has just encrypted, never read back', async () => {
    const streamId = `partnership-${randomUUID()}`;
    await store.appendToStream(streamId, [signed('Odile Ferrand'), signed('Paul Vidal')], 'no_stream');
    await cached.forget(master.subjectOf('name', 'Odile Ferrand'));
    const after = await store.readStream(streamId);
    expect(after.map((e) => e.data.signerName)).toEqual([ERASED, 'Paul Vidal']);
  });

  it('answers a retried append with its first result, though the ciphertext differs each time', async () => {
    const streamId = `partnership-${randomUUID()}`;
    const once = signed('Hugo Lambert');
    const first = await store.appendToStream(streamId, [once], 'no_stream');
    const retried = await store.appendToStream(streamId, [once], 'no_stream');
    expect(retried).toEqual({ ...first, appended: false });
    expect(await store.readStream(streamId)).toHaveLength(1);
  });
});

// The decorator is an event store like any other: the adapters' contract holds through it.
describeEventStoreContract('PersonalDataEventStore over SQL on PGlite', async () => {
  const { client, cleanup } = await createTestSqlClient('pglite', 'pii_contract');
  await migrate(client, [...eventStoreMigrations, ...privacyMigrations]);
  const master = MasterKey.fromText(generateDataKey());
  const store = new PersonalDataEventStore(
    new SqlEventStore(client, { pollIntervalMs: 10_000 }),
    new CachedPersonKeyStore(new SqlPersonKeyStore(client, master)),
    (kind, value) => master.subjectOf(kind, value),
  );
  return {
    store,
    async cleanup() {
      await store.close();
      await cleanup();
    },
  };
});
