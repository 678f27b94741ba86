import { generateDataKey, generateSigningKey } from '@passerelle/privacy';
import { MIN_POSITION_WAIT_MS } from '../apps/api/src/read-models/min-position.interceptor';
import { ReadModels } from '../apps/api/src/read-models/read-models.service';
import { TestApp } from './support/test-app';

const problem = (code: string) => `urn:passerelle:problem:${code}`;

/** An officer takes a fresh partnership to an executed agreement; returns ids and the last position. */
async function executedAgreement(ctx: TestApp) {
  const officer = ctx.as('officer');
  const { id, us, fr } = await ctx.newPartnership();
  const meeting = await officer
    .post(`/api/partnerships/${id}/meetings`, {
      startsAt: '2024-05-02T17:00:00Z',
      attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
    })
    .expect(201);
  await officer
    .post(`/api/partnerships/${id}/meetings/${meeting.body.meetingId}/outcome`, {
      heldAt: '2024-05-02T17:00:00Z',
      outcome: 'interested',
    })
    .expect(200);
  const agreement = await officer
    .post(`/api/partnerships/${id}/agreements`, {
      title: 'Cluster agreement',
      termMonths: 120,
      signatories: [us.id, fr.id],
      on: '2024-05-20',
    })
    .expect(201);
  await officer
    .post(`/api/partnerships/${id}/agreements/${agreement.body.agreementId}/signatures`, {
      organizationId: us.id,
      signerName: 'Signer US',
      signedAt: '2024-06-01',
    })
    .expect(200);
  const last = await officer
    .post(`/api/partnerships/${id}/agreements/${agreement.body.agreementId}/signatures`, {
      organizationId: fr.id,
      signerName: 'Signer FR',
      signedAt: '2024-06-03',
    })
    .expect(200);
  return {
    id,
    us,
    fr,
    agreementId: agreement.body.agreementId as string,
    position: last.body.position as number,
  };
}

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('read your writes over HTTP on %s', (_name, postgres) => {
  let ctx: TestApp;
  beforeAll(async () => {
    const keys = { DATA_KEY: generateDataKey(), SIGNING_KEY: generateSigningKey() };
    ctx = await TestApp.start(postgres ? { postgres, env: keys } : {});
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('shows a command in the read models as soon as ?minPosition is its position', async () => {
    const officer = ctx.as('officer');
    const { id, us, fr } = await ctx.newPartnership();
    for (let round = 0; round < 10; round++) {
      const meeting = await officer
        .post(`/api/partnerships/${id}/meetings`, {
          startsAt: `2031-0${(round % 9) + 1}-02T17:00:00Z`,
          attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
        })
        .expect(201);
      const read = await ctx
        .as('viewer')
        .get(`/api/partnerships/${id}?minPosition=${meeting.body.position}`)
        .expect(200);
      expect(read.headers.etag).toBe(`"${meeting.body.revision}"`);
      expect(read.body.meetings).toHaveLength(round + 1);
      expect(Number(read.headers['read-model-position'])).toBeGreaterThanOrEqual(meeting.body.position);
    }
  });

  it('waits for a position past the end of the log, and answers once a write reaches it', async () => {
    const head = await ctx.store.headPosition();
    const progress = ctx.app.get(ReadModels).progress;
    const waitersBefore = progress.waiters();
    const read = ctx
      .as('viewer')
      .get(`/api/dashboard/pipeline?minPosition=${head + 1}`)
      .then((r) => r);
    // The read is held before anything is written past the head: a write reaches it.
    for (const deadline = Date.now() + 4000; progress.waiters() === waitersBefore;) {
      if (Date.now() > deadline) throw new Error('the read never waited for its position');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await ctx.newOrganization();
    const response = await read;
    expect(response.status).toBe(200);
    expect(Number(response.headers['read-model-position'])).toBeGreaterThan(head);
  });

  it('answers 503 with Retry-After after 5 s when nothing reaches the position', async () => {
    const head = await ctx.store.headPosition();
    const started = Date.now();
    const response = await ctx
      .as('viewer')
      .get(`/api/dashboard/pipeline?minPosition=${head + 1_000_000}`)
      .expect(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(MIN_POSITION_WAIT_MS - 50);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({
      type: problem('read_model_behind'),
      minPosition: head + 1_000_000,
    });
  });

  it('refuses a minPosition that is not a position', async () => {
    const response = await ctx.as('viewer').get('/api/partnerships?minPosition=soon').expect(400);
    expect(response.body).toMatchObject({ type: problem('validation'), errors: [{ field: 'minPosition' }] });
  });
});

describe('read models, dashboards and audit over HTTP, by role', () => {
  let ctx: TestApp;
  let deal: Awaited<ReturnType<typeof executedAgreement>>;
  beforeAll(async () => {
    ctx = await TestApp.start();
    deal = await executedAgreement(ctx);
  });
  afterAll(() => ctx.close());

  it('lets a viewer list, filter and page partnerships and read one with its revision as ETag', async () => {
    const viewer = ctx.as('viewer');
    const other = await ctx.newPartnership();
    const all = await viewer
      .get(`/api/partnerships?minPosition=${other.result.position}&limit=1`)
      .expect(200);
    expect(all.body).toMatchObject({ total: 2, limit: 1, offset: 0, items: [{ id: other.id }] });
    const next = await viewer.get(`/api/partnerships?limit=1&cursor=${all.body.nextCursor}`).expect(200);
    expect(next.body.items.map((p: { id: string }) => p.id)).toEqual([deal.id]);
    expect(next.body.nextCursor).toBeNull();

    const signed = await viewer.get('/api/partnerships?stage=agreement_signed').expect(200);
    expect(signed.body.items).toEqual([
      expect.objectContaining({
        id: deal.id,
        stage: 'agreement_signed',
        parties: [
          expect.objectContaining({ id: deal.us.id, name: deal.us.name, country: 'US' }),
          expect.objectContaining({ id: deal.fr.id, name: deal.fr.name, country: 'FR' }),
        ],
        counts: { meetings: 1, agreements: 1, projects: 0, mous: 0 },
      }),
    ]);
    const byOrganization = await viewer.get(`/api/partnerships?organizationId=${other.us.id}`).expect(200);
    expect(byOrganization.body.items.map((p: { id: string }) => p.id)).toEqual([other.id]);
    expect((await viewer.get('/api/partnerships?q=BLUE%20econ').expect(200)).body.total).toBe(2);
    expect((await viewer.get('/api/partnerships?q=%25').expect(200)).body.total).toBe(0);
    expect((await viewer.get('/api/partnerships?sector=aerospace').expect(200)).body.total).toBe(0);
    await viewer.get('/api/partnerships?stage=nowhere').expect(400);
    await viewer.get('/api/partnerships?cursor=bm90IGEgY3Vyc29y').expect(400);

    const detail = await viewer.get(`/api/partnerships/${deal.id}`).expect(200);
    expect(detail.body).toMatchObject({
      id: deal.id,
      title: 'Blue economy pilot',
      stage: 'agreement_signed',
      parties: [deal.us.id, deal.fr.id],
      sectors: ['blue_economy'],
      axes: ['business_development'],
      meetings: [expect.objectContaining({ status: 'held', outcome: 'interested' })],
      agreements: [expect.objectContaining({ status: 'executed', executedOn: '2024-06-03' })],
      projects: [],
      mous: [],
      revision: 6,
      stageReachedOn: {
        proposed: expect.any(String),
        introduced: '2024-05-02',
        agreement_signed: '2024-06-03',
      },
    });
    expect(detail.headers.etag).toBe('"6"');
    await viewer.get(`/api/partnerships/${deal.id}`).set('If-None-Match', '"6"').expect(304);
    const state = await ctx.as('officer').get(`/api/partnerships/${deal.id}/state`).expect(200);
    const { revision, position, asOf, ...folded } = state.body;
    expect(detail.body).toMatchObject({ ...folded, revision, position });
    expect(asOf).toEqual(expect.any(String));

    const missing = await viewer.get('/api/partnerships/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.type).toBe(problem('partnership.not_found'));
  });

  it('lets a viewer read the organisation directory with filters', async () => {
    const viewer = ctx.as('viewer');
    const french = await viewer.get('/api/organizations?country=fr').expect(200);
    expect(french.body.items.every((o: { country: string }) => o.country === 'FR')).toBe(true);
    expect(french.body.items).toContainEqual(expect.objectContaining({ id: deal.fr.id, partnerships: 1 }));
    expect(french.body.items[0]).not.toHaveProperty('contacts');
    const named = await viewer.get(`/api/organizations?q=${encodeURIComponent(deal.us.name)}`).expect(200);
    expect(named.body).toMatchObject({ total: 1, items: [{ id: deal.us.id, kind: 'ihub' }] });
    expect((await viewer.get('/api/organizations?kind=pole&sector=aerospace').expect(200)).body.total).toBe(
      0,
    );
  });

  it('shows a viewer the pipeline, the matrix, the activity in plain words and what is coming up', async () => {
    const viewer = ctx.as('viewer');
    const pipeline = await viewer.get('/api/dashboard/pipeline').expect(200);
    expect(pipeline.body.stages).toMatchObject({
      proposed: 1,
      agreement_signed: 1,
      introduced: 0,
      withdrawn: 0,
    });
    expect(pipeline.body.conversion).toMatchObject({
      'proposed→introduced': 0.5,
      'introduced→agreement_signed': 1,
    });
    expect(pipeline.body.medianDaysBetweenStages['introduced→agreement_signed']).toBe(32);

    const matrix = await viewer.get('/api/dashboard/matrix').expect(200);
    expect(matrix.body.cells).toContainEqual({
      californiaId: deal.us.id,
      franceId: deal.fr.id,
      partnerships: 1,
      active: 1,
      bySector: { blue_economy: 1 },
    });
    expect(matrix.body.california).toContainEqual(
      expect.objectContaining({ id: deal.us.id, name: deal.us.name }),
    );

    const activity = await viewer.get(`/api/dashboard/activity?partnershipId=${deal.id}&limit=3`).expect(200);
    expect(activity.body.items[0].text).toBe(
      `${deal.us.name} and ${deal.fr.name} executed the agreement «Cluster agreement»`,
    );
    expect(activity.body.items[1].text).toBe(`${deal.fr.name} signed the agreement «Cluster agreement»`);
    const older = await viewer
      .get(`/api/dashboard/activity?partnershipId=${deal.id}&before=${activity.body.nextBefore}`)
      .expect(200);
    expect(older.body.items.at(-1).text).toBe(
      `${deal.us.name} and ${deal.fr.name} proposed the partnership «Blue economy pilot»`,
    );
    expect(older.body.nextBefore).toBeNull();

    const upcoming = await viewer.get('/api/dashboard/upcoming').expect(200);
    expect(upcoming.body).toMatchObject({ now: expect.any(String), meetings: [], pendingSignatures: [] });
  });

  it('filters the pipeline and the matrix by party and by region, and refuses a malformed filter', async () => {
    const viewer = ctx.as('viewer');
    const all = (await viewer.get('/api/dashboard/pipeline').expect(200)).body.total as number;
    expect(all).toBeGreaterThan(1);
    const byParty = await viewer.get(`/api/dashboard/pipeline?organizationId=${deal.us.id}`).expect(200);
    expect(byParty.body).toMatchObject({ total: 1, stages: { agreement_signed: 1, proposed: 0 } });
    const region = encodeURIComponent("provence-alpes-côte d'azur");
    expect((await viewer.get(`/api/dashboard/pipeline?region=${region}`).expect(200)).body.total).toBe(all);
    expect((await viewer.get('/api/dashboard/pipeline?region=Bretagne').expect(200)).body.total).toBe(0);
    const matrix = await viewer.get(`/api/dashboard/matrix?organizationId=${deal.fr.id}`).expect(200);
    expect(matrix.body.cells).toEqual([
      expect.objectContaining({ californiaId: deal.us.id, franceId: deal.fr.id }),
    ]);
    for (const query of ['organizationId=nope', `region=${'x'.repeat(201)}`, 'axis=diplomacy']) {
      const refused = await viewer.get(`/api/dashboard/pipeline?${query}`).expect(400);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('says the activity in French to a reader who asks with ?lang=fr or Accept-Language, and refuses other languages', async () => {
    const viewer = ctx.as('viewer');
    const url = `/api/dashboard/activity?partnershipId=${deal.id}`;
    const q = (title: string) => `«\u00a0${title}\u00a0»`;
    const { us, fr } = deal;
    const french = await viewer.get(`${url}&lang=fr`).expect(200);
    expect(french.headers['content-language']).toBe('fr');
    expect(french.headers.vary).toMatch(/Accept-Language/i);
    expect(french.body.items.map((item: { text: string }) => item.text)).toEqual([
      `${us.name} et ${fr.name} ont conclu l’accord ${q('Cluster agreement')}`,
      `${fr.name} a signé l’accord ${q('Cluster agreement')}`,
      `${us.name} a signé l’accord ${q('Cluster agreement')}`,
      `L’accord ${q('Cluster agreement')} du partenariat ${q('Blue economy pilot')} attend les signatures d’${us.name} et ${fr.name}`,
      `Les parties du partenariat ${q('Blue economy pilot')} se sont réunies le 2 mai 2024 et souhaitent aller plus loin`,
      `${us.name} et ${fr.name} se rencontreront le 2 mai 2024 pour la réunion d’introduction du partenariat ${q('Blue economy pilot')}`,
      `${us.name} et ${fr.name} ont proposé le partenariat ${q('Blue economy pilot')}`,
    ]);

    const negotiated = await viewer.get(url).set('Accept-Language', 'fr-FR,fr;q=0.9').expect(200);
    expect(negotiated.headers['content-language']).toBe('fr');
    expect(negotiated.body.items).toEqual(french.body.items);
    // ?lang wins over the header; a header that prefers neither language, like none, gives English.
    const english = await viewer.get(`${url}&lang=en`).set('Accept-Language', 'fr-FR,fr;q=0.9').expect(200);
    expect(english.headers['content-language']).toBe('en');
    expect(english.body.items.at(-3).text).toBe(
      `The parties of «Blue economy pilot» met on 2 May 2024 and want to go further`,
    );
    const german = await viewer.get(url).set('Accept-Language', 'de-DE,de;q=0.9').expect(200);
    expect(german.body.items).toEqual(english.body.items);
    expect((await viewer.get(url).expect(200)).body.items).toEqual(english.body.items);

    const refused = await viewer.get(`${url}&lang=de`).expect(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: problem('validation'),
      errors: [{ field: 'lang', messages: [expect.stringContaining('lang')] }],
    });
  });

  it('documents the language of the activity in OpenAPI', async () => {
    const doc = await ctx.http().get('/api/docs/openapi.json').expect(200);
    const parameters = doc.body.paths['/api/dashboard/activity'].get.parameters as {
      name: string;
      in: string;
      schema?: { enum?: string[] };
    }[];
    expect(parameters).toContainEqual(
      expect.objectContaining({
        name: 'lang',
        in: 'query',
        schema: expect.objectContaining({ enum: ['en', 'fr'] }),
      }),
    );
    expect(parameters).toContainEqual(expect.objectContaining({ name: 'Accept-Language', in: 'header' }));
  });

  it('gives GO-Biz and French diplomacy their feedback report as JSON and CSV', async () => {
    const viewer = ctx.as('viewer');
    const report = await viewer.get('/api/reports/feedback?from=2024-01-01&to=2024-12-31').expect(200);
    expect(report.body.totals).toMatchObject({ meetingsHeld: 1, agreementsExecuted: 1, mousExecuted: 0 });
    expect(report.body.partnerships).toContainEqual(
      expect.objectContaining({ partnershipId: deal.id, stageReached: 'agreement_signed' }),
    );
    const csv = await viewer
      .get('/api/reports/feedback?from=2024-01-01&to=2024-12-31&format=csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'partnership_id,title,california_parties,france_parties,sectors,stage,stage_reached,meetings_held,agreements_executed,mous_executed,projects,budgets',
    );
    expect(lines.find((line) => line.startsWith(deal.id))).toContain(`${deal.us.name},${deal.fr.name}`);
    await viewer.get('/api/reports/feedback?from=2024-12-31&to=2024-01-01').expect(400);
  });

  it('refuses the audit log and verification to viewers and officers', async () => {
    for (const role of ['viewer', 'officer'] as const) {
      for (const path of ['/api/audit/events', '/api/audit/verify']) {
        const response = await ctx.as(role).get(path).expect(403);
        expect(response.body.type).toBe(problem('forbidden'));
      }
    }
    await ctx.http().get('/api/dashboard/pipeline').expect(401);
  });

  it('lets an auditor page through and export the global log, filtered', async () => {
    const auditor = ctx.as('auditor');
    const head = await ctx.eventCount();
    const first = await auditor.get('/api/audit/events?limit=3').expect(200);
    expect(first.body.events.map((e: { position: number }) => e.position)).toEqual([1, 2, 3].slice(0, 3));
    const rest = await auditor.get(`/api/audit/events?after=${first.body.nextAfter}&limit=1000`).expect(200);
    expect(first.body.events.length + rest.body.events.length).toBe(head);
    expect(rest.body.nextAfter).toBeNull();

    const signatures = await auditor
      .get('/api/audit/events?type=AgreementSigned,AgreementExecuted')
      .expect(200);
    expect(signatures.body.events.map((e: { type: string }) => e.type)).toEqual([
      'AgreementSigned',
      'AgreementSigned',
      'AgreementExecuted',
    ]);
    expect(signatures.body.events[0]).toMatchObject({
      streamId: `partnership-${deal.id}`,
      metadata: { actor: { sub: 'test-officer' } },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await auditor.get('/api/audit/events?actor=nobody').expect(200)).body.events).toEqual([]);
    const future = await auditor.get('/api/audit/events?from=2999-01-01T00:00:00Z').expect(200);
    expect(future.body.events).toEqual([]);

    const exported = await ctx.as('admin').get('/api/audit/events?format=jsonl').expect(200);
    expect(exported.headers['content-type']).toMatch(/^application\/jsonl/);
    const lines = exported.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(head);
    expect(lines.map((e: { position: number }) => e.position)).toEqual(
      [...lines.map((e) => e.position)].sort((a, b) => a - b),
    );
  });

  it('reads a forgotten person as erased in the read models as soon as forget answers, with no rebuild', async () => {
    const email = deal.us.contacts[0]!.email;
    const attendees = async () =>
      (await ctx.as('viewer').get(`/api/partnerships/${deal.id}`).expect(200)).body.meetings[0].attendees.map(
        (a: { email: string }) => a.email,
      );
    expect(await attendees()).toContain(email);
    const forgotten = await ctx.as('admin').post('/api/people/forget', { email });
    expect([200, 201]).toContain(forgotten.status);
    // The rows keep the address sealed under the person's key, which is gone: nothing to wait for.
    expect(await attendees()).toEqual(['[erased]', deal.fr.contacts[0]!.email]);
    const status = await ctx.as('admin').get('/api/projections').expect(200);
    expect(status.body.projections).toContainEqual(
      expect.objectContaining({ name: 'partnerships', generation: 1 }),
    );
  });

  it('lets an auditor verify the log and the read models', async () => {
    const response = await ctx.as('auditor').get('/api/audit/verify').expect(200);
    expect(response.body).toMatchObject({
      ok: true,
      checkedEvents: await ctx.eventCount(),
      problems: [],
    });
    expect(response.body.readModels.map((r: { name: string; ok: boolean }) => [r.name, r.ok])).toEqual([
      ['organizations', true],
      ['partnerships', true],
      ['activity', true],
      ['streams', true],
    ]);
  });
});
