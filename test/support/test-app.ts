import { AppConfig, loadConfig } from '@passerelle/config';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { freshPgliteTarball } from '@passerelle/database/testing';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { queuePrefixFor } from '@passerelle/notifications';
import { deleteQueueKeys } from '@passerelle/notifications/testing/queue-keys';
import { Client } from 'pg';
import request from 'supertest';
import { mintToken, SQL_CLIENT } from '@passerelle/application';
import type { SqlClient } from '@passerelle/database';
import type { Role } from '../../apps/api/src/auth/roles';
import { createApp, initApp, type PasserelleApp } from '../../apps/api/src/bootstrap';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestAppOptions {
  /** Run on PostgreSQL (a schema of its own) instead of a PGlite in a temporary directory. */
  postgres?: boolean;
  env?: Record<string, string>;
}

/**
 * The whole application on a fresh store, with tokens for each role and fixture builders
 * (`ctx.newOrganization()`, `ctx.newPartnership()`) that go through the HTTP API like a user would.
 */
export class TestApp {
  private constructor(
    readonly app: PasserelleApp,
    readonly config: AppConfig,
    private readonly dataDir: string,
    readonly tokens: Record<Role, string>,
    /** The PostgreSQL schema this app created for itself, dropped on close. */
    private readonly ownSchema?: string,
  ) {}

  static async start(options: TestAppOptions = {}): Promise<TestApp> {
    const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-test-'));
    const schema = `e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const config = loadConfig({
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_SECRET,
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent',
      ...(options.postgres
        ? {
            DATABASE_URL: POSTGRES_URL,
            DATABASE_SCHEMA: schema,
            DATA_KEY: randomBytes(32).toString('base64'),
            SIGNING_KEY: generateKeyPairSync('ed25519')
              .privateKey.export({ format: 'pem', type: 'pkcs8' })
              .toString(),
          }
        : {}),
      ...options.env,
    });
    if (!config.databaseUrl && !options.env?.DATA_DIR) {
      // The embedded store starts from a copy of a data directory initdb just made instead of running initdb;
      // the application still creates its schema and runs every migration on it.
      const pgdata = join(dataDir, 'pglite');
      mkdirSync(pgdata);
      const untar = spawnSync('tar', ['xf', await freshPgliteTarball(), '-C', pgdata], { encoding: 'utf8' });
      if (untar.status !== 0)
        throw new Error(`tar could not unpack the PGlite data directory: ${untar.stderr}`);
    }
    const app = await initApp(await createApp(config, { logger: false }));
    const tokens = {} as Record<Role, string>;
    for (const role of ['admin', 'officer', 'auditor', 'viewer'] as Role[]) {
      tokens[role] = await mintToken(TEST_SECRET, {
        sub: `test-${role}`,
        name: `Test ${role}`,
        roles: [role],
      });
    }
    const ownSchema = options.postgres && !options.env?.DATABASE_SCHEMA ? schema : undefined;
    return new TestApp(app, config, dataDir, tokens, ownSchema);
  }

  get store(): EventStore {
    return this.app.get(EVENT_STORE);
  }

  http() {
    return request(this.app.getHttpServer());
  }

  as(role: Role) {
    const token = this.tokens[role];
    const server = this.app.getHttpServer();
    const auth = (test: request.Test) => test.set('Authorization', `Bearer ${token}`);
    return {
      get: (url: string) => auth(request(server).get(url)),
      post: (url: string, body?: object) => auth(request(server).post(url)).send(body ?? {}),
    };
  }

  async newOrganization(
    overrides: Partial<OrganizationBody> = {},
  ): Promise<OrganizationBody & { id: string }> {
    const n = randomUUID().slice(0, 8);
    const country = overrides.country ?? 'FR';
    const body: OrganizationBody = {
      name: `${country === 'US' ? 'iHub' : 'Pôle'} ${n}`,
      kind: country === 'US' ? 'ihub' : 'pole',
      country,
      region: country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
      sectors: ['blue_economy'],
      contacts: [
        {
          name: `Contact ${n}`,
          email: `contact-${n}@example.${country === 'US' ? 'org' : 'fr'}`,
          language: country === 'US' ? 'en' : 'fr',
        },
      ],
      ...overrides,
    };
    const response = await this.as('officer').post('/api/organizations', body).expect(201);
    return { ...body, id: response.body.id };
  }

  /**
   * A Californian and a French party (plus the given extra organisations), and a partnership between them,
   * proposed on 4 January 2016 (`on`) so that history can be entered after it.
   */
  async newPartnership(
    extra: { us?: Partial<OrganizationBody>; fr?: Partial<OrganizationBody>; on?: string } = {},
  ) {
    const us = await this.newOrganization({ country: 'US', ...extra.us });
    const fr = await this.newOrganization({ country: 'FR', ...extra.fr });
    const response = await this.as('officer')
      .post('/api/partnerships', {
        title: 'Blue economy pilot',
        parties: [us.id, fr.id],
        sectors: ['blue_economy'],
        axes: ['business_development'],
        on: extra.on ?? '2016-01-04',
      })
      .expect(201);
    return { id: response.body.id as string, us, fr, result: response.body };
  }

  /**
   * Events committed to the log, leaving out the records of e-mails sent (the in-process worker appends
   * those on its own time), so a refused command can be shown to have appended nothing and an accepted
   * one to have appended. Counted in SQL, not through readAll: readAll shows the settled prefix only
   * (decision 0001), which a transaction open elsewhere on the server (another spec's) holds back for a
   * moment after a commit.
   */
  async eventCount(): Promise<number> {
    const [row] = await this.app
      .get<SqlClient>(SQL_CLIENT)
      .query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE stream_id NOT LIKE 'notifications-%'",
      );
    return row!.n;
  }

  /** Closes the app and removes what it left: its data directory, its schema, its queues in Redis. */
  async close(): Promise<void> {
    try {
      await this.app.close();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
      await deleteQueueKeys(
        this.config.redisUrl,
        `${queuePrefixFor(this.config)}:`,
        this.config.redisSentinel,
      );
      if (this.ownSchema) {
        const client = new Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${this.ownSchema}" CASCADE`).finally(() => client.end());
      }
    }
  }
}

export interface OrganizationBody {
  name: string;
  kind: string;
  country: string;
  region: string;
  sectors: string[];
  website?: string;
  contacts: { name: string; email: string; role?: string; language: 'en' | 'fr' }[];
}
