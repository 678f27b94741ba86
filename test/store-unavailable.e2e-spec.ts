import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { POSTGRES_URL, TestApp } from './support/test-app';

const STORE_UNAVAILABLE = 'urn:passerelle:problem:store_unavailable';

/**
 * What a client sees while the database fails over, rehearsed on the ordinary PostgreSQL: the app runs as a
 * role of its own, whose connections this test terminates, refuses (connection limit 0) or makes read-only.
 */
describe('Answers while the database is unavailable', () => {
  const role = `e2e_store_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;
  let ctx: TestApp;

  /** Terminates the app's connections (the pool's and its LISTEN connection), only those. */
  async function terminateAppConnections(): Promise<void> {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  }

  const organization = () => ({
    name: `Pôle ${randomUUID().slice(0, 8)}`,
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy'],
    contacts: [{ name: 'Contact', email: 'contact@example.fr', language: 'fr' }],
  });
  const register = (body: object, key: string) =>
    ctx.as('officer').post('/api/organizations', body).set('Idempotency-Key', key);

  /**
   * What a client does: retries on 503 with the same key. (A connection terminated while idle may not have
   * been noticed yet by the pool: the first query on it fails, and the pool drops it.)
   */
  async function registerRetrying(body: object, key: string) {
    for (let attempt = 1; ; attempt++) {
      const response = await register(body, key);
      if (response.status !== 503 || attempt === 20) return response;
      expect(response.body.type).toBe(STORE_UNAVAILABLE);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT CREATE ON DATABASE test TO ${role}`);
    ctx = await TestApp.start({
      postgres: true,
      env: { DATABASE_URL: POSTGRES_URL.replace('//postgres@', `//${role}@`), IN_PROCESS: 'none' },
    });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await admin.query(`REVOKE CREATE ON DATABASE test FROM ${role}`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  }, 60_000);

  afterEach(async () => {
    await admin.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    await admin.query(`ALTER ROLE ${role} RESET default_transaction_read_only`);
    await terminateAppConnections();
  });

  it('answers a command after its connections were terminated with 503 and Retry-After or with success, never 500', async () => {
    await register(organization(), randomUUID()).expect(201);
    await terminateAppConnections();
    const body = organization();
    const key = randomUUID();
    const first = await register(body, key);
    expect([201, 503]).toContain(first.status);
    if (first.status === 503) {
      expect(first.headers['retry-after']).toMatch(/^\d+$/);
      expect(first.body.type).toBe(STORE_UNAVAILABLE);
    }
    // The pool reconnected: the same request, retried with its key, is answered (once).
    const retried = await registerRetrying(body, key);
    expect(retried.status).toBe(201);
    if (first.status === 201) expect(retried.body.id).toBe(first.body.id);
  });

  it('answers 503 with Retry-After while no connection can be opened, reports the event store down, and recovers', async () => {
    await admin.query(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
    await terminateAppConnections();
    const body = organization();
    const key = randomUUID();
    const refused = await register(body, key);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.type).toBe(STORE_UNAVAILABLE);
    // Reads too.
    const read = await ctx.as('viewer').get('/api/organizations');
    expect({ status: read.status, type: read.body.type }).toEqual({ status: 503, type: STORE_UNAVAILABLE });
    const ready = await ctx.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.details.eventStore.status).toBe('down');

    await admin.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    const accepted = await registerRetrying(body, key);
    expect(accepted.status).toBe(201);
    expect(accepted.body.id).toEqual(expect.any(String));
    expect((await ctx.http().get('/health/ready')).body.checks?.details?.eventStore?.status ?? 'up').toBe(
      'up',
    );
  });

  it('answers 503 with Retry-After when the server takes no writes (read-only), nothing appended', async () => {
    await admin.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    await terminateAppConnections();
    const before = await ctx.eventCount();
    const body = organization();
    const key = randomUUID();
    const refused = await register(body, key);
    expect({ status: refused.status, type: refused.body.type }).toEqual({
      status: 503,
      type: STORE_UNAVAILABLE,
    });
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(await ctx.eventCount()).toBe(before);

    await admin.query(`ALTER ROLE ${role} RESET default_transaction_read_only`);
    await terminateAppConnections();
    expect((await registerRetrying(body, key)).status).toBe(201);
    expect(await ctx.eventCount()).toBeGreaterThan(before);
  });
});
