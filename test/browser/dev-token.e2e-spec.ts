import { DEVELOPMENT_JWT_SECRET, loadConfig } from '@passerelle/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp, initApp, type PasserelleApp } from '../../apps/api/src/bootstrap';
import { TokenVerifier } from '../../apps/api/src/auth/token-verifier';
import { TestApp } from '../support/test-app';

/** The development sign-in exists only while the built-in development secret is in use. */
describe('POST /api/dev/token', () => {
  describe('with JWT_SECRET set', () => {
    let ctx: TestApp;
    beforeAll(async () => {
      ctx = await TestApp.start();
    });
    afterAll(() => ctx.close());

    it('does not exist', async () => {
      const minted = await ctx.http().post('/api/dev/token').send({ role: 'admin' });
      expect(minted.status).toBe(404);
      expect(minted.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(minted.body.token).toBeUndefined();
      expect((await ctx.http().get('/api/dev')).status).toBe(404);
    });

    it('leaves the API and health routes to the API', async () => {
      const unknown = await ctx.http().get('/api/no-such-route');
      expect(unknown.status).toBe(404);
      expect(unknown.text).not.toContain('<div id="app">');
      expect((await ctx.http().get('/health')).body).toMatchObject({ status: 'ok' });
    });
  });

  describe('on the development secret', () => {
    let app: PasserelleApp;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'passerelle-dev-token-'));
      const config = loadConfig({
        DATA_DIR: dataDir,
        DEMO_DATA: 'false',
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'silent',
      });
      expect(config.jwt).toMatchObject({ usingDevelopmentSecret: true, secret: DEVELOPMENT_JWT_SECRET });
      app = await initApp(await createApp(config, { logger: false }));
    });
    afterAll(async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('mints a token for the chosen role that the API accepts', async () => {
      expect((await request(app.getHttpServer()).get('/api/dev')).body).toEqual({
        roles: ['admin', 'officer', 'auditor', 'viewer'],
        organizations: [],
      });
      const minted = await request(app.getHttpServer())
        .post('/api/dev/token')
        .send({ role: 'auditor' })
        .expect(201);
      const actor = await app.get(TokenVerifier).verify(minted.body.token);
      expect(actor).toMatchObject({ sub: 'dev-auditor', roles: ['auditor'] });
    });

    it('mints a token acting for the chosen organisation, one of those it lists', async () => {
      const server = app.getHttpServer();
      const admin = await request(server).post('/api/dev/token').send({ role: 'admin' }).expect(201);
      const registered = await request(server)
        .post('/api/organizations')
        .set('Authorization', `Bearer ${admin.body.token}`)
        .send({
          name: 'Pôle Mer Méditerranée',
          kind: 'pole',
          country: 'FR',
          region: "Provence-Alpes-Côte d'Azur",
          sectors: ['blue_economy'],
          contacts: [{ name: 'Bruno Martin', email: 'bruno@polemer.example.fr', language: 'fr' }],
        })
        .expect(201);
      const id = registered.body.id as string;
      await request(server)
        .get(`/api/organizations?minPosition=${registered.body.position}`)
        .set('Authorization', `Bearer ${admin.body.token}`)
        .expect(200);
      expect((await request(server).get('/api/dev')).body.organizations).toEqual([
        { id, name: 'Pôle Mer Méditerranée', country: 'FR' },
      ]);
      const minted = await request(server)
        .post('/api/dev/token')
        .send({ role: 'officer', organizationId: id })
        .expect(201);
      expect(minted.body).toMatchObject({ role: 'officer', organizationId: id });
      expect(await app.get(TokenVerifier).verify(minted.body.token)).toMatchObject({
        roles: ['officer'],
        org: id,
      });
      const staff = await request(server).post('/api/dev/token').send({ role: 'officer' }).expect(201);
      expect(await app.get(TokenVerifier).verify(staff.body.token)).not.toHaveProperty('org');
      const refused = await request(server)
        .post('/api/dev/token')
        .send({ role: 'officer', organizationId: 'pole-mer' })
        .expect(400);
      expect(refused.body.errors).toEqual([
        { field: 'organizationId', messages: [expect.stringContaining('organizationId')] },
      ]);
    });

    it('refuses an unknown role beside the field', async () => {
      const refused = await request(app.getHttpServer())
        .post('/api/dev/token')
        .send({ role: 'root' })
        .expect(400);
      expect(refused.body.errors).toEqual([{ field: 'role', messages: [expect.stringContaining('role')] }]);
    });
  });
});
