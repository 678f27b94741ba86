import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { TEST_SECRET, TestApp } from './support/test-app';

const problem = (code: string) => `urn:passerelle:problem:${code}`;

describe('HTTP conventions: validation, auth, concurrency, idempotency', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start({ env: { BODY_LIMIT: '2kb' } });
  });
  afterAll(() => ctx.close());

  /** Runs a request and checks that nothing was appended. */
  async function refusedWithoutEvents(
    run: () => Promise<{ status: number; body: { type: string } }>,
    status: number,
    code: string,
  ) {
    const before = await ctx.eventCount();
    const response = await run();
    expect({ status: response.status, type: response.body.type }).toEqual({ status, type: problem(code) });
    expect(await ctx.eventCount()).toBe(before);
  }

  it('refuses malformed JSON, unknown fields and wrong types with 400', async () => {
    const { id } = await ctx.newPartnership();
    await refusedWithoutEvents(
      () =>
        ctx
          .as('officer')
          .post(`/api/partnerships/${id}/suspension`)
          .set('Content-Type', 'application/json')
          .send('{"reason": '),
      400,
      'malformed_json',
    );
    await refusedWithoutEvents(
      () => ctx.as('officer').post(`/api/partnerships/${id}/suspension`, { reason: 'x', extra: true }),
      400,
      'validation',
    );
    const wrongType = await ctx.as('officer').post(`/api/partnerships/${id}/agreements`, {
      title: 'T',
      termMonths: '12',
      signatories: ['not-a-uuid'],
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'signatories',
      'termMonths',
    ]);
    await refusedWithoutEvents(
      () =>
        ctx.as('officer').post(`/api/partnerships/${id}/agreements`, {
          title: 'T',
          termMonths: 121,
          signatories: [randomUUID(), randomUUID()],
        }),
      400,
      'validation',
    );
  });

  it('answers 401 without a valid token and 403 for a role that may not act', async () => {
    const body = {
      title: 'x',
      parties: [randomUUID(), randomUUID()],
      sectors: ['blue_economy'],
      axes: ['investment'],
    };
    const none = await ctx.http().post('/api/partnerships').send(body);
    expect(none.status).toBe(401);
    expect(none.body.type).toBe(problem('unauthenticated'));
    const alg = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'], exp: 9999999999 })).toString(
      'base64url',
    );
    expect(
      (
        await ctx
          .http()
          .get('/api/organizations/' + randomUUID())
          .set('Authorization', `Bearer ${alg}.${claims}.`)
      ).status,
    ).toBe(401);
    const otherKey = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    expect(
      (
        await ctx
          .http()
          .get('/api/organizations/' + randomUUID())
          .set('Authorization', `Bearer ${otherKey}`)
      ).status,
    ).toBe(401);
    const expired = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect(
      (
        await ctx
          .http()
          .get('/api/organizations/' + randomUUID())
          .set('Authorization', `Bearer ${expired}`)
      ).status,
    ).toBe(401);
    for (const role of ['viewer', 'auditor'] as const) {
      await refusedWithoutEvents(() => ctx.as(role).post('/api/partnerships', body), 403, 'forbidden');
    }
    expect((await ctx.as('viewer').get(`/api/partnerships/${randomUUID()}/history`)).status).toBe(403);
  });

  it('answers 404 for an unknown partnership, meeting or organisation', async () => {
    await refusedWithoutEvents(
      () => ctx.as('officer').post(`/api/partnerships/${randomUUID()}/suspension`, { reason: 'r' }),
      404,
      'partnership.not_found',
    );
    const { id } = await ctx.newPartnership();
    const unknownMeeting = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings/${randomUUID()}/cancel`, { reason: 'r' });
    expect(unknownMeeting.status).toBe(404);
    expect((await ctx.as('viewer').get(`/api/organizations/${randomUUID()}`)).status).toBe(404);
    expect((await ctx.as('viewer').get(`/api/partnerships/${randomUUID()}/state`)).status).toBe(404);
  });

  it('refuses a party list without both sides, and unregistered parties, with 409', async () => {
    const a = await ctx.newOrganization({ country: 'FR' });
    const b = await ctx.newOrganization({ country: 'FR' });
    const body = {
      title: 'French only',
      parties: [a.id, b.id],
      sectors: ['blue_economy'],
      axes: ['investment'],
    };
    const response = await ctx.as('officer').post('/api/partnerships', body);
    expect(response.status).toBe(409);
    const unknown = await ctx
      .as('officer')
      .post('/api/partnerships', { ...body, parties: [a.id, randomUUID()] });
    expect([404, 409]).toContain(unknown.status);
  });

  it('refuses a second organisation with the same name in the same country, whatever its case', async () => {
    const first = await ctx.newOrganization({ country: 'FR', name: 'Pôle Unique' });
    expect(first.id).toBeDefined();
    await refusedWithoutEvents(
      () =>
        ctx.as('officer').post('/api/organizations', {
          name: '  pôle   UNIQUE ',
          kind: 'pole',
          country: 'FR',
          region: 'Normandie',
          sectors: [],
          contacts: [{ name: 'C', email: 'c@example.fr', language: 'fr' }],
        }),
      409,
      'organization.name_taken',
    );
    const sameNameOtherCountry = await ctx.newOrganization({ country: 'US', name: 'Pôle Unique' });
    expect(sameNameOtherCountry.id).toBeDefined();
  });

  it('reserves no name for a registration it refuses', async () => {
    const body = (name: string, extra: object = {}) => ({
      name,
      kind: 'pole',
      country: 'FR',
      region: 'Normandie',
      sectors: [],
      contacts: [{ name: 'Accueil', email: 'accueil@example.fr', language: 'fr' }],
      ...extra,
    });
    // Blank once trimmed: refused by the organisation's rules, after the name could have been reserved.
    await refusedWithoutEvents(
      () => ctx.as('officer').post('/api/organizations', body('Pôle Blanc', { region: '   ' })),
      400,
      'validation.required',
    );
    await refusedWithoutEvents(
      () =>
        ctx
          .as('officer')
          .post(
            '/api/organizations',
            body('Pôle Blanc', { contacts: [{ name: ' ', email: 'a@example.fr', language: 'fr' }] }),
          ),
      400,
      'validation.required',
    );
    // An id already registered, under another name.
    const existing = await ctx.newOrganization({ country: 'FR' });
    await refusedWithoutEvents(
      () => ctx.as('officer').post('/api/organizations', body('Pôle Second Nom', { id: existing.id })),
      409,
      'organization.already_registered',
    );
    // None of those names was taken.
    await ctx.as('officer').post('/api/organizations', body('Pôle Blanc')).expect(201);
    await ctx.as('officer').post('/api/organizations', body('Pôle Second Nom')).expect(201);
  });

  it('answers 422, not 500, to a registration replayed with its key but another name', async () => {
    const key = `register-${randomUUID()}`;
    const body = (name: string) => ({
      name,
      kind: 'ihub',
      country: 'US',
      region: 'California',
      sectors: ['blue_economy'],
      contacts: [{ name: 'Desk', email: 'desk@example.org', language: 'en' }],
    });
    const first = await ctx
      .as('officer')
      .post('/api/organizations', body('Replay iHub'))
      .set('Idempotency-Key', key)
      .expect(201);
    const replay = await ctx
      .as('officer')
      .post('/api/organizations', body('Replay iHub'))
      .set('Idempotency-Key', key)
      .expect(201);
    expect(replay.body).toEqual(first.body);
    await refusedWithoutEvents(
      () => ctx.as('officer').post('/api/organizations', body('Other iHub')).set('Idempotency-Key', key),
      422,
      'idempotency_key_reused',
    );
    // The other name stays free.
    await ctx.as('officer').post('/api/organizations', body('Other iHub')).expect(201);
  });

  it('answers 412 to a stale If-Match and carries the ETag of the stream revision', async () => {
    const { id } = await ctx.newPartnership();
    const state = await ctx.as('officer').get(`/api/partnerships/${id}/state`).expect(200);
    expect(state.headers.etag).toBe('"0"');
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/suspension`, { reason: 'a' })
      .set('If-Match', '"0"')
      .expect(200);
    await refusedWithoutEvents(
      () => ctx.as('officer').post(`/api/partnerships/${id}/resumption`, {}).set('If-Match', '"0"'),
      412,
      'stale_revision',
    );
    await ctx.as('officer').post(`/api/partnerships/${id}/resumption`, {}).set('If-Match', '"1"').expect(200);
  });

  it('returns the first answer to a replayed Idempotency-Key and 422 to the same key with another body', async () => {
    const { id } = await ctx.newPartnership();
    const key = `suspend-${randomUUID()}`;
    const first = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/suspension`, { reason: 'first' })
      .set('Idempotency-Key', key)
      .expect(200);
    const count = await ctx.eventCount();
    const replay = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/suspension`, { reason: 'first' })
      .set('Idempotency-Key', key)
      .expect(200);
    expect(replay.body).toEqual(first.body);
    expect(await ctx.eventCount()).toBe(count);
    await refusedWithoutEvents(
      () =>
        ctx
          .as('officer')
          .post(`/api/partnerships/${id}/suspension`, { reason: 'second' })
          .set('Idempotency-Key', key),
      422,
      'idempotency_key_reused',
    );
    // A proposal replayed without a client id names the same partnership.
    const { us, fr } = await ctx.newPartnership();
    const body = {
      title: 'Replayed',
      parties: [us.id, fr.id],
      sectors: ['blue_economy'],
      axes: ['investment'],
    };
    const p1 = await ctx
      .as('officer')
      .post('/api/partnerships', body)
      .set('Idempotency-Key', 'propose-1')
      .expect(201);
    const p2 = await ctx
      .as('officer')
      .post('/api/partnerships', body)
      .set('Idempotency-Key', 'propose-1')
      .expect(201);
    expect(p2.body).toEqual(p1.body);
  });

  it('decides a concurrent write again on the fresh state when there is no If-Match', async () => {
    const { id, us } = await ctx.newPartnership();
    const schedule = (n: number) =>
      ctx.as('officer').post(`/api/partnerships/${id}/meetings`, {
        startsAt: `2031-0${n}-01T10:00:00Z`,
        attendees: [us.contacts[0]!.email],
      });
    const responses = await Promise.all([1, 2, 3].map(schedule));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.revision)).size).toBe(3);
    const state = await ctx.as('officer').get(`/api/partnerships/${id}/state`).expect(200);
    expect(state.body.meetings).toHaveLength(3);
  });

  it('answers 413 to a body over the limit', async () => {
    const { id } = await ctx.newPartnership();
    await refusedWithoutEvents(
      () => ctx.as('officer').post(`/api/partnerships/${id}/suspension`, { reason: 'x'.repeat(5000) }),
      413,
      'body_too_large',
    );
  });

  it('serves OpenAPI and health without a token', async () => {
    const doc = await ctx.http().get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/partnerships', '/api/partnerships/{id}/meetings']),
    );
    await ctx.http().get('/health').expect(200);
    const ready = await ctx.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
  });
});

describe('rate limit', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => ctx.close());

  it('answers 429 with Retry-After past the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await ctx.as('viewer').get(`/api/organizations/${randomUUID()}`)).status);
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await ctx.as('viewer').get(`/api/organizations/${randomUUID()}`);
    expect(limited.body.type).toBe(problem('rate_limited'));
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
