import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERASED } from '@passerelle/domain';
import type { EventStore } from '@passerelle/event-store';
import {
  DataKeyRing,
  openDataKeys,
  PersonalDataEventStore,
  SigningKeyRing,
  SqlPersonKeyStore,
  STORED_EVENT_STORE,
  trustedSigners,
  verifyExport,
  verifyIntegrity,
} from '@passerelle/privacy';
import { Client } from 'pg';
import { EmbeddedKeyRotation } from '../apps/api/src/privacy/key-rotation/embedded-key-rotation';
import { POSTGRES_URL, TEST_SECRET, TestApp } from './support/test-app';
import { sqlOf } from './trust-support';

/**
 * `npm run rotate-keys` while the service serves a steady load of commands: no request fails, every
 * event still decrypts, every head signed before still verifies — on PostgreSQL (processes restarted
 * one by one with both keys, the script interrupted and run again) and on the embedded default
 * (PGlite: the script stages new key files, the service completes the rotation as it starts).
 */
const ROOT = join(__dirname, '..');
/** Enough keys for the script, one key per batch, to be interrupted after its first. */
const SEEDED_PEOPLE = 120;

const dataKey = () => randomBytes(32).toString('base64');
const signingKey = () =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

interface Outcome {
  path: string;
  status: number;
}

/**
 * Commands from a few concurrent clients, each to one of the running processes: organisations with a
 * new contact each (a new person, so a new key to wrap), and now and then a signed head.
 */
class Load {
  readonly outcomes: Outcome[] = [];
  /** Organisation id → the contact it was registered with. */
  readonly contacts = new Map<string, { name: string; email: string }>();
  private running = true;
  private readonly inFlight = new Map<TestApp, number>();
  private readonly workers: Promise<void>[];

  constructor(
    private targets: TestApp[],
    clients = 3,
  ) {
    this.workers = Array.from({ length: clients }, (_, n) => this.work(n));
  }

  serveFrom(targets: TestApp[]): void {
    this.targets = targets;
  }

  /** Until no request is in flight to this process. */
  async drained(app: TestApp): Promise<void> {
    while ((this.inFlight.get(app) ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Until at least this many more commands were answered. */
  async answered(more: number): Promise<void> {
    const target = this.outcomes.length + more;
    while (this.running && this.outcomes.length < target)
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  get failures(): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.status < 200 || outcome.status >= 300);
  }

  private async work(worker: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const app = this.targets[(worker + n) % this.targets.length]!;
      this.inFlight.set(app, (this.inFlight.get(app) ?? 0) + 1);
      try {
        if (n % 10 === 9) {
          const response = await app.as('auditor').post('/api/audit/heads');
          this.outcomes.push({ path: 'heads', status: response.status });
        } else {
          const id = randomUUID();
          const contact = { name: `Contact ${id.slice(0, 8)}`, email: `c-${id.slice(0, 8)}@example.fr` };
          const response = await app.as('officer').post('/api/organizations', organization(id, contact));
          this.outcomes.push({ path: 'organizations', status: response.status });
          if (response.status === 201) this.contacts.set(id, contact);
        }
      } catch (error) {
        this.outcomes.push({ path: String(error), status: 0 });
      } finally {
        this.inFlight.set(app, this.inFlight.get(app)! - 1);
      }
    }
  }
}

const organization = (id: string, contact: { name: string; email: string }) => ({
  id,
  name: `Pôle ${id}`,
  kind: 'pole',
  country: 'FR',
  region: 'Occitanie',
  sectors: ['aerospace'],
  contacts: [{ ...contact, language: 'fr' }],
});

/** Every organisation registered reads back from the log with its contact, none erased. */
async function expectEveryContactInLog(
  store: EventStore,
  contacts: Map<string, { name: string; email: string }>,
) {
  const seen = new Map<string, { name: string; email: string }>();
  for (let after = 0; ;) {
    const batch = await store.readAll({ after, maxCount: 1000 });
    if (batch.length === 0) break;
    for (const event of batch) {
      if (event.type !== 'OrganizationRegistered') continue;
      const data = event.data as { organizationId: string; contacts: { name: string; email: string }[] };
      seen.set(data.organizationId, { name: data.contacts[0]!.name, email: data.contacts[0]!.email });
    }
    after = batch[batch.length - 1]!.position;
  }
  expect(contacts.size).toBeGreaterThan(30);
  const unreadable = [...contacts].filter(([id, contact]) => {
    const read = seen.get(id);
    return read?.name !== contact.name || read.email !== contact.email;
  });
  expect(unreadable).toEqual([]);
  expect([...seen.values()].filter((contact) => contact.email === ERASED)).toEqual([]);
}

/** Every organisation registered reads back with its contact, through the log and through the read model. */
async function expectEveryContactReadable(
  app: TestApp,
  contacts: Map<string, { name: string; email: string }>,
) {
  await expectEveryContactInLog(app.store, contacts);
  const [id, contact] = [...contacts].at(-1)!;
  const organizationRead = await app.as('officer').get(`/api/organizations/${id}?minPosition=0`).expect(200);
  expect(organizationRead.body.contacts[0]).toEqual(expect.objectContaining(contact));
}

/** A head signed now (by the key in use), then the report: every head, old key or new, verifies. */
async function expectEveryHeadVerified(app: TestApp, signers: number) {
  await app.as('auditor').post('/api/audit/heads').expect(200);
  const report = (await app.as('auditor').get('/api/audit/integrity').expect(200)).body;
  expect(report).toEqual(expect.objectContaining({ ok: true, mismatches: 0 }));
  expect(report.heads).toEqual(expect.objectContaining({ failed: 0, failures: [] }));
  expect(report.heads.checked).toBeGreaterThanOrEqual(signers);
  const keys = await sqlOf(app).query('SELECT DISTINCT public_key FROM signed_heads');
  expect(keys).toHaveLength(signers);
  // The rotations travel with the evidence: an auditor who kept only the first key reaches the last head.
  const [first] = await sqlOf(app).query<{ public_key: string }>(
    'SELECT public_key FROM signed_heads ORDER BY position LIMIT 1',
  );
  const listed = (await app.as('auditor').get('/api/audit/heads').expect(200)).body;
  expect(listed.successions).toHaveLength(signers - 1);
  expect(listed.successions[0]).toEqual(expect.objectContaining({ previous: first!.public_key }));
  const exported = (await app.as('auditor').get('/api/audit/export').expect(200)).text;
  const offline = await verifyExport(exported.split('\n').filter(Boolean), {
    trustedKeys: [first!.public_key],
  });
  expect(offline).toEqual(expect.objectContaining({ ok: true, failureCount: 0 }));
  expect(offline.keys.map((key) => key.trust)).toEqual(['pinned', ...Array(signers - 1).fill('successor')]);
}

async function seed(app: TestApp, contacts: Map<string, { name: string; email: string }>, people: number) {
  for (let n = 0; n < people; n++) {
    const id = randomUUID();
    const contact = { name: `Seeded ${id.slice(0, 8)}`, email: `s-${id.slice(0, 8)}@example.fr` };
    await app.as('officer').post('/api/organizations', organization(id, contact)).expect(201);
    contacts.set(id, contact);
  }
  await app.as('auditor').post('/api/audit/heads').expect(200);
}

/** `npm run rotate-keys` as an operator runs it; `interruptAfterProgress`: Ctrl-C at its first batch. */
function rotateKeysScript(
  env: Record<string, string>,
  interruptAfterProgress = false,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/rotate-keys.ts', '--batch-size', '1'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env }, stdio: 'pipe' },
    );
    let output = '';
    let interrupted = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptAfterProgress && !interrupted && output.includes('re-wrapped:')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('key rotation under load', () => {
  it('on PostgreSQL: restart with both keys, rotate (interrupted, then resumed), restart with the new keys only', async () => {
    const schema = `e2e_rotation_${randomBytes(6).toString('hex')}`;
    const [oldData, newData, oldSigning, newSigning] = [dataKey(), dataKey(), signingKey(), signingKey()];
    const base = { DATABASE_SCHEMA: schema, SIGNED_HEAD_INTERVAL_SECONDS: '0' };
    const started: TestApp[] = [];
    const start = async (env: Record<string, string>) => {
      const app = await TestApp.start({ postgres: true, env: { ...base, ...env } });
      started.push(app);
      return app;
    };
    try {
      const before = await start({ DATA_KEY: oldData, SIGNING_KEY: oldSigning });
      const contacts = new Map<string, { name: string; email: string }>();
      await seed(before, contacts, SEEDED_PEOPLE);
      const load = new Load([before]);
      await load.answered(10);

      // Every process restarted, one at a time, with the new keys and the old ones as previous.
      const both = {
        DATA_KEY: newData,
        DATA_KEY_PREVIOUS: oldData,
        SIGNING_KEY: newSigning,
        SIGNING_KEY_PREVIOUS: oldSigning,
      };
      const during = await start(both);
      load.serveFrom([before, during]);
      await load.answered(10);
      load.serveFrom([during]);
      await load.drained(before);
      await before.close();

      const scriptEnv = { DATABASE_URL: POSTGRES_URL, JWT_SECRET: TEST_SECRET, ...base, ...both };
      const interrupted = await rotateKeysScript(scriptEnv, true);
      expect(interrupted).toEqual({ code: 1, output: expect.stringContaining('Interrupted') });
      await load.answered(10);
      const resumed = await rotateKeysScript(scriptEnv);
      expect(resumed).toEqual({
        code: 0,
        output: expect.stringContaining('DATA_KEY: resumed and completed'),
      });
      await load.answered(20);

      // The old keys put away: a process with the new keys only.
      const after = await start({ DATA_KEY: newData, SIGNING_KEY: newSigning });
      load.serveFrom([after]);
      await load.drained(during);
      await during.close();
      await load.answered(10);
      await load.stop();

      expect(load.failures).toEqual([]);
      for (const [id, contact] of load.contacts) contacts.set(id, contact);
      await expectEveryContactReadable(after, contacts);
      await expectEveryHeadVerified(after, 2);
      const again = await rotateKeysScript(scriptEnv);
      expect(again.output).toContain('DATA_KEY: already in use');
    } finally {
      for (const app of started) await app.close().catch(() => undefined);
      const sql = new Client({ connectionString: POSTGRES_URL });
      await sql.connect();
      await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => sql.end());
    }
  }, 600_000);

  it('on the embedded default: the script stages new key files, the service completes the rotation as it starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-rotation-'));
    const started: TestApp[] = [];
    const start = async () => {
      const app = await TestApp.start({ env: { DATA_DIR: dataDir, SIGNED_HEAD_INTERVAL_SECONDS: '0' } });
      started.push(app);
      return app;
    };
    try {
      const before = await start();
      const contacts = new Map<string, { name: string; email: string }>();
      await seed(before, contacts, 30);

      const staged = await rotateKeysScript({ DATA_DIR: dataDir });
      expect(staged.code).toBe(0);
      expect(readdirSync(join(dataDir, 'keys')).sort()).toEqual(
        ['data.key', 'data.previous.key', 'signing.key', 'signing.previous.key'].sort(),
      );
      // The one process on its database is restarted; it rotates while it serves.
      await before.close();
      const during = await start();
      const load = new Load([during]);
      await during.app.get(EmbeddedKeyRotation).whenDone();
      await load.answered(20);
      await load.stop();
      expect(load.failures).toEqual([]);
      const files = readdirSync(join(dataDir, 'keys'));
      expect(files.filter((file) => file.endsWith('.previous.key'))).toEqual([]);
      expect(files.filter((file) => /^(data|signing)\.retired-.*\.key$/.test(file))).toHaveLength(2);

      for (const [id, contact] of load.contacts) contacts.set(id, contact);
      await expectEveryContactReadable(during, contacts);
      await expectEveryHeadVerified(during, 2);

      // The new key files alone open everything: the old ones, moved aside, are no longer needed.
      const keysDir = join(dataDir, 'keys');
      const sql = sqlOf(during);
      const newOnly = DataKeyRing.fromText(readFileSync(join(keysDir, 'data.key'), 'utf8'));
      const master = await openDataKeys(sql, newOnly);
      const store = new PersonalDataEventStore(
        during.app.get<EventStore>(STORED_EVENT_STORE),
        new SqlPersonKeyStore(sql, newOnly),
        (kind, value) => master.subjectOf(kind, value),
      );
      await expectEveryContactInLog(store, contacts);
      const signing = SigningKeyRing.fromText(readFileSync(join(keysDir, 'signing.key'), 'utf8'));
      const report = await verifyIntegrity(
        during.app.get<EventStore>(STORED_EVENT_STORE),
        sql,
        await trustedSigners(sql, signing.publicKeys),
      );
      expect(report).toEqual(expect.objectContaining({ ok: true }));
      expect(report.heads.checked).toBeGreaterThanOrEqual(2);
    } finally {
      for (const app of started) await app.close().catch(() => undefined);
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});
