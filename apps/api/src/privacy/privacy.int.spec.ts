import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { loadConfig } from '@passerelle/config';
import { organizationDecider, personStreamId, RegisterOrganization, streamIdFor } from '@passerelle/domain';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  generateDataKey,
  MasterKey,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommandExecutor,
  ForgetPersonCommand,
  ForgetPersonHandler,
  loadMasterKey,
} from '@passerelle/application';
import { loadSigningKey } from './integrity/signing-key';

describe('keys from DATA_DIR on the embedded default', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'passerelle-keys-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates DATA_KEY and SIGNING_KEY once, readable by their owner only, and uses them again', () => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const master = loadMasterKey(config);
    const signing = loadSigningKey(config);
    for (const file of ['data.key', 'signing.key']) {
      expect(statSync(join(dataDir, 'keys', file)).mode & 0o777).toBe(0o600);
    }
    expect(loadMasterKey(config).fingerprint).toBe(master.fingerprint);
    expect(loadSigningKey(config).publicKeyText).toBe(signing.publicKeyText);
  });

  it('uses the configured keys rather than files', () => {
    const dataKey = generateDataKey();
    const config = loadConfig({ DATA_DIR: dataDir, DATA_KEY: dataKey });
    expect(loadMasterKey(config).fingerprint).toBe(MasterKey.fromText(dataKey).fingerprint);
    expect(() => statSync(join(dataDir, 'keys', 'data.key'))).toThrow();
  });
});

describe('forgetting a person', () => {
  const master = MasterKey.fromText(generateDataKey());
  let test: TestSqlClient;
  let store: PersonalDataEventStore;
  let handler: ForgetPersonHandler;
  let executor: CommandExecutor;
  const actor = { sub: 'admin-1', roles: ['admin'] };

  beforeAll(async () => {
    test = await createTestSqlClient('pglite', 'forget');
    await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
    const keys = new CachedPersonKeyStore(new SqlPersonKeyStore(test.client, master));
    store = new PersonalDataEventStore(new SqlEventStore(test.client), keys, (k, v) =>
      master.subjectOf(k, v),
    );
    executor = new CommandExecutor(store, { now: () => new Date() }, (hash) => master.requestDigest(hash));
    handler = new ForgetPersonHandler(keys, master, store, executor);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await test.cleanup();
  });

  it('records PersonForgotten under the keyed subject, once, without the address or a hash of the request', async () => {
    const first = await handler.execute(new ForgetPersonCommand('email', 'Alice@Example.org', actor, 'c-1'));
    const subject = master.subjectOf('email', 'alice@example.org');
    expect(first).toEqual({ id: subject, revision: 0, position: 1 });
    const again = await handler.execute(new ForgetPersonCommand('email', 'alice@example.org', actor, 'c-2'));
    expect(again).toEqual(first);
    const events = await store.readStream(personStreamId(subject));
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ subject, forgottenAt: expect.any(String) });
    expect(events[0]!.metadata).toEqual(
      expect.objectContaining({ actor, correlationId: 'c-1', commandId: expect.any(String) }),
    );
    expect(events[0]!.metadata.requestHash).toBeUndefined();
    expect(JSON.stringify(events[0])).not.toMatch(/alice/i);
  });

  it('tells a signer from a contact of the same spelling', async () => {
    const asName = await handler.execute(new ForgetPersonCommand('name', 'Alice@Example.org', actor, 'c-3'));
    expect(asName.id).not.toBe(master.subjectOf('email', 'alice@example.org'));
    expect(asName.id).toBe(master.subjectOf('name', 'alice@example.org'));
  });

  it('drops the states the command side kept, so a decision no longer sees the person in clear', async () => {
    const organizationId = '0b000000-0000-4000-8000-000000000001';
    const stream = streamIdFor.organization(organizationId);
    const seen: string[] = [];
    const register = (commandId: string) =>
      executor
        .execute(
          stream,
          organizationDecider,
          (state, now): RegisterOrganization => {
            seen.push(state.status === 'registered' ? state.contacts[0]!.email : '(none)');
            return {
              type: 'RegisterOrganization',
              data: {
                id: organizationId,
                name: 'Pôle Oubli',
                kind: 'pole',
                country: 'FR',
                region: 'Normandie',
                sectors: [],
                contacts: [{ name: 'Bob Martin', email: 'bob@example.fr', role: null, language: 'fr' }],
              },
              metadata: { now },
            };
          },
          { actor, commandId, requestHash: commandId, correlationId: commandId },
        )
        .catch((error: unknown) => error);
    await register('0b000000-0000-4000-8000-0000000000c1');
    // A second registration is refused: decided on the kept state (the registration as a read opens
    // it), then, as a refusal is never answered from unread state, again on the stream read (decision 26).
    await register('0b000000-0000-4000-8000-0000000000c2');
    await handler.execute(new ForgetPersonCommand('email', 'bob@example.fr', actor, 'c-4'));
    await register('0b000000-0000-4000-8000-0000000000c3');
    // After the forget no state is kept: the third decides once, on the stream read, and sees no address.
    expect(seen).toEqual(['(none)', 'bob@example.fr', 'bob@example.fr', '[erased]']);
  });
});
