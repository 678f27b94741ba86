import { generateDataKey, generateSigningKey } from '@passerelle/privacy';
import { walk, World } from '@passerelle/read-models/testing/world';
import { get as httpGet, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestApp } from './support/test-app';

describe.each([
  ['pglite', false],
  ['postgres', true],
] as const)('rebuilding a read model while it serves (%s)', (_name, postgres) => {
  let ctx: TestApp;
  let world: World;
  beforeAll(async () => {
    const keys = { DATA_KEY: generateDataKey(), SIGNING_KEY: generateSigningKey() };
    ctx = await TestApp.start(postgres ? { postgres, env: keys } : {});
    // A log of a few thousand events, decided by the domain and written through the application's store.
    world = new World(ctx.store);
    await world.registerOrganizations();
    await world.run(walk(postgres ? 6000 : 2500, 17));
    await ctx.as('viewer').get(`/api/partnerships?minPosition=${world.lastPosition}`).timeout(60_000);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers every read with 200 during the rebuild, and serves the new generation after the swap', async () => {
    const viewer = ctx.as('viewer');
    const before = await viewer.get('/api/partnerships?limit=200').expect(200);
    const pipelineBefore = await viewer.get('/api/dashboard/pipeline').expect(200);
    const id = world.partnerships[3]!;
    const detailBefore = await viewer.get(`/api/partnerships/${id}`).expect(200);

    let rebuilding = true;
    const statuses: number[] = [];
    const readLoop = (async () => {
      const paths = [
        '/api/partnerships?limit=20',
        `/api/partnerships/${id}`,
        '/api/dashboard/pipeline',
        '/api/dashboard/matrix',
      ];
      for (let i = 0; rebuilding; i++) {
        const response = await viewer.get(paths[i % paths.length]!);
        statuses.push(response.status);
      }
    })();
    // On PostgreSQL commands keep coming while the rebuild runs (embedded, one connection serves all).
    const writing = postgres ? world.run(walk(100, 19)) : Promise.resolve();
    const rebuild = await ctx.as('admin').post('/api/projections/partnerships/rebuild').timeout(120_000);
    rebuilding = false;
    await Promise.all([readLoop, writing]);

    expect(rebuild.status).toBe(200);
    expect(rebuild.body).toMatchObject({ name: 'partnerships', previousGeneration: 1, generation: 2 });
    expect(statuses.length).toBeGreaterThanOrEqual(postgres ? 4 : 2);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    // Same answers as before (plus what was written meanwhile), now from the new tables.
    await viewer.get(`/api/partnerships?minPosition=${world.lastPosition}`).expect(200);
    const after = await viewer.get('/api/partnerships?limit=200').expect(200);
    expect(after.body.total).toBeGreaterThanOrEqual(before.body.total);
    const detailAfter = await viewer.get(`/api/partnerships/${id}`).expect(200);
    if (detailAfter.body.revision === detailBefore.body.revision)
      expect(detailAfter.body).toEqual(detailBefore.body);
    expect((await viewer.get('/api/dashboard/pipeline').expect(200)).body.total).toBeGreaterThanOrEqual(
      pipelineBefore.body.total,
    );
    const status = await ctx.as('admin').get('/api/projections').expect(200);
    expect(status.body.projections).toContainEqual(
      expect.objectContaining({ name: 'partnerships', generation: 2 }),
    );
    // The live read models, after the swap and the writes, equal a fresh rebuild from the log.
    const verify = await ctx.as('auditor').get('/api/audit/verify').timeout(120_000).expect(200);
    expect(verify.body.readModels.map((r: { name: string; ok: boolean }) => [r.name, r.ok])).toEqual([
      ['organizations', true],
      ['partnerships', true],
      ['activity', true],
      ['streams', true],
    ]);
  });

  it('refuses the operator endpoints to everyone but admins', async () => {
    await ctx.as('officer').post('/api/projections/partnerships/rebuild').expect(403);
    await ctx.as('auditor').get('/api/projections').expect(403);
    await ctx.as('admin').post('/api/projections/nothing/rebuild').expect(404);
  });
});

describe('live changes as server-sent events', () => {
  let ctx: TestApp;
  let base: string;
  beforeAll(async () => {
    ctx = await TestApp.start();
    await new Promise<void>((resolve) => ctx.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(ctx.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => ctx.close());

  /** Opens the stream and collects its `data:` messages until `count` have come. */
  function collect(path: string, headers: Record<string, string>, count: number) {
    let response: IncomingMessage | undefined;
    const messages: { id: string | null; data: Record<string, unknown> }[] = [];
    const opened = new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpGet(
        `${base}${path}`,
        { headers: { Accept: 'text/event-stream', ...headers } },
        (res) => {
          response = res;
          resolve(res);
        },
      );
      request.on('error', reject);
    });
    const done = opened.then(
      (res) =>
        new Promise<typeof messages>((resolve) => {
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let boundary: number;
            while ((boundary = buffer.indexOf('\n\n')) >= 0) {
              const frame = buffer.slice(0, boundary);
              buffer = buffer.slice(boundary + 2);
              const id = /^id: ?(.*)$/m.exec(frame)?.[1] ?? null;
              const data = /^data: ?(.*)$/m.exec(frame)?.[1];
              if (data && !/^event: ?heartbeat/m.test(frame)) messages.push({ id, data: JSON.parse(data) });
              if (messages.length >= count) {
                res.destroy();
                resolve(messages);
              }
            }
          });
        }),
    );
    return { opened, done, close: () => response?.destroy() };
  }

  it('tells a viewer holding only an access_token in the URL what changed, once projected', async () => {
    const stream = collect(`/api/stream?access_token=${ctx.tokens.viewer}`, {}, 2);
    const opened = await stream.opened;
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toMatch(/^text\/event-stream/);
    const { id, result } = await ctx.newPartnership();
    const messages = await stream.done;
    expect(messages.map((m) => m.data.type)).toEqual(['OrganizationRegistered', 'OrganizationRegistered']);
    // The partnership's proposal follows; a dashboard reconnecting with Last-Event-ID gets what it missed.
    const resumed = collect(
      '/api/dashboard/stream',
      {
        Authorization: `Bearer ${ctx.tokens.viewer}`,
        'Last-Event-ID': messages[1]!.id!,
      },
      1,
    );
    expect((await resumed.opened).statusCode).toBe(200);
    expect(await resumed.done).toEqual([
      {
        id: String(result.position),
        data: {
          position: result.position,
          type: 'PartnershipProposed',
          streamId: `partnership-${id}`,
          partnershipId: id,
          organizationId: null,
        },
      },
    ]);
  });

  it('refuses the stream without a token', async () => {
    const stream = collect('/api/stream', {}, 1);
    const response = await stream.opened;
    expect(response.statusCode).toBe(401);
    stream.close();
  });
});
