import fastify, { type FastifyInstance } from 'fastify';
import { answerNotModified, helmetHeaders, matchesIfNoneMatch, securityHeaders } from './headers';

describe('helmetHeaders', () => {
  it("are helmet's, worked out without a request", () => {
    const names = helmetHeaders().map(([name]) => name.toLowerCase());
    expect(names).toEqual(
      expect.arrayContaining([
        'content-security-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
      ]),
    );
    expect(names).not.toContain('x-powered-by');
  });
});

describe('matchesIfNoneMatch', () => {
  it.each([
    ['"3"', '"3"', true],
    ['W/"3"', '"3"', true],
    ['"1", "3"', '"3"', true],
    ['*', '"3"', true],
    ['"4"', '"3"', false],
    ['"30"', '"3"', false],
  ])('%s against %s: %s', (header, etag, expected) => {
    expect(matchesIfNoneMatch(header, etag)).toBe(expected);
  });
});

describe('securityHeaders and answerNotModified', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = fastify();
    securityHeaders(app);
    answerNotModified(app);
    app.get('/thing', (_request, reply) => reply.header('ETag', '"7"').send({ revision: 7 }));
    app.post('/thing', (_request, reply) => reply.header('ETag', '"7"').send({ revision: 7 }));
    app.get('/raw', (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.end('raw');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers 304 without a body when the client holds the current ETag', async () => {
    const answer = await app.inject({ method: 'GET', url: '/thing', headers: { 'if-none-match': '"7"' } });
    expect(answer.statusCode).toBe(304);
    expect(answer.body).toBe('');
    expect(answer.headers.etag).toBe('"7"');
    expect(answer.headers['content-type']).toBeUndefined();
  });

  it('answers in full to another ETag, to no-cache, and to anything but GET and HEAD', async () => {
    const other = await app.inject({ method: 'GET', url: '/thing', headers: { 'if-none-match': '"6"' } });
    expect([other.statusCode, other.json()]).toEqual([200, { revision: 7 }]);
    const noCache = await app.inject({
      method: 'GET',
      url: '/thing',
      headers: { 'if-none-match': '"7"', 'cache-control': 'no-cache' },
    });
    expect(noCache.statusCode).toBe(200);
    const post = await app.inject({ method: 'POST', url: '/thing', headers: { 'if-none-match': '"7"' } });
    expect(post.statusCode).toBe(200);
  });

  it("sets helmet's headers on every answer, one written past the reply too", async () => {
    for (const url of ['/thing', '/raw']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });
});
