import { randomUUID } from 'node:crypto';
import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { currentVersionOf, ERASED, OrganizationRegistered, streamIdFor } from '@passerelle/domain';
import {
  CachedStreams,
  EventStore,
  eventStoreMigrations,
  ReadStreamOptions,
  SqlEventStore,
} from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  generateDataKey,
  MasterKey,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import { AggregateStreams } from './aggregate-streams';
import { OrganizationDirectory } from './organization-directory';

describe.each(['pglite', 'postgres'] as const)('OrganizationDirectory on %s', (dialect) => {
  const master = MasterKey.fromText(generateDataKey());
  let test: TestSqlClient;
  let stored: SqlEventStore;

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'org_directory');
    await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
    stored = new SqlEventStore(test.client, { pollIntervalMs: 10_000 });
  });

  afterAll(async () => {
    await stored.close();
    await test.cleanup();
  });

  /** The API's stack: personal data over kept streams over the log; reads reaching the log counted. */
  const process = () => {
    const reads: string[] = [];
    const counted: EventStore = {
      appendToStream: (streamId, events, expected) => stored.appendToStream(streamId, events, expected),
      readStream: (streamId: string, options?: ReadStreamOptions) => {
        reads.push(streamId);
        return stored.readStream(streamId, options);
      },
      readAll: (options) => stored.readAll(options),
      subscribeToAll: (options, handler) => stored.subscribeToAll(options, handler),
      headPosition: () => stored.headPosition(),
      close: async () => undefined,
    };
    const keys = new CachedPersonKeyStore(new SqlPersonKeyStore(test.client, master), {
      erasuresElsewhere: dialect === 'postgres',
    });
    const events = new PersonalDataEventStore(
      new CachedStreams(counted, { maxEvents: 1000 }),
      keys,
      (kind, value) => master.subjectOf(kind, value),
    );
    return { reads, keys, events, directory: new OrganizationDirectory(new AggregateStreams(events)) };
  };

  const register = async (events: EventStore, email: string, id = randomUUID()): Promise<string> => {
    const event: OrganizationRegistered = {
      type: 'OrganizationRegistered',
      data: {
        organizationId: id,
        name: `Pôle ${id}`,
        kind: 'pole',
        country: 'FR',
        region: 'Bretagne',
        sectors: ['blue_economy'],
        website: null,
        contacts: [{ name: 'Inès Morel', email, role: null, language: 'fr' }],
        occurredAt: new Date().toISOString(),
      },
    };
    await events.appendToStream(
      streamIdFor.organization(id),
      [
        {
          id: randomUUID(),
          type: event.type,
          version: currentVersionOf(event.type),
          data: event.data,
          metadata: {},
        },
      ],
      'no_stream',
    );
    return id;
  };

  it('reads an organisation once, and opens its contacts again at every use: a forget shows at once', async () => {
    const here = process();
    const email = `ines-${randomUUID()}@pole.example.fr`;
    const id = await register(here.events, email);
    const contacts = async () => (await here.directory.factsFor({ ids: [id], contacts: true }))[id]?.contacts;

    expect(await contacts()).toEqual([{ email, name: 'Inès Morel', language: 'fr' }]);
    expect(await contacts()).toEqual([{ email, name: 'Inès Morel', language: 'fr' }]);
    expect(here.reads.filter((stream) => stream === streamIdFor.organization(id))).toHaveLength(1);

    // Forgotten by another process on PostgreSQL (its own key cache), by this one on PGlite.
    const forgetting = dialect === 'postgres' ? process().keys : here.keys;
    await forgetting.forget(master.subjectOf('email', email));
    expect(await contacts()).toEqual([{ email: ERASED, name: ERASED, language: 'fr' }]);
    expect(here.reads.filter((stream) => stream === streamIdFor.organization(id))).toHaveLength(1);
  });

  it('does not remember an organisation not registered yet', async () => {
    const here = process();
    const id = randomUUID();
    expect(await here.directory.factsFor({ ids: [id], contacts: true })).toEqual({});
    await register(here.events, `later-${randomUUID()}@pole.example.fr`, id);
    expect(Object.keys(await here.directory.factsFor({ ids: [id], contacts: true }))).toEqual([id]);
  });
});
