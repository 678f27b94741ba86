import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import request from 'supertest';
import { createLogger, requestLogging } from './request-logging';

type Line = Record<string, unknown> & { level: number; msg: string; req?: Record<string, unknown> };

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Fastify application logging into `lines` at `level`, requests slow from `slowMs` (by default never in a test). */
async function application(level: string, slowMs = 600_000) {
  const lines: Line[] = [];
  const logger = createLogger(level, { write: (line: string) => lines.push(JSON.parse(line) as Line) });
  const app: FastifyInstance = fastify();
  requestLogging(logger, slowMs)(app);
  const answer =
    (
      handler: (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, log: Logger) => unknown,
    ) =>
    (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) =>
      handler(req, reply, logger);
  app.get(
    '/api/things/:id',
    answer(async (req, reply, log) => {
      await tick();
      log.warn('looked at a thing');
      return reply.status(200).send({ id: req.params.id, requestId: req.id });
    }),
  );
  app.get(
    '/api/slow',
    answer(async (_req, reply) => {
      await wait(60);
      return reply.send({});
    }),
  );
  app.get(
    '/api/stream',
    answer(async (_req, reply) => {
      // As Nest writes a live stream, past the reply; securityHeaders has set headers on it before.
      reply.hijack();
      reply.raw.setHeader('x-content-type-options', 'nosniff');
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write(': open\n\n');
      await wait(60);
      reply.raw.end();
    }),
  );
  app.get(
    '/api/broken',
    answer((_req, reply) => reply.status(500).send({})),
  );
  app.get(
    '/health',
    answer((_req, reply) => reply.send({ status: 'ok' })),
  );
  await app.ready();
  return { app: app.server, lines, close: () => app.close() };
}

describe('requestLogging', () => {
  it('logs each completed request with its number, request, answer and time, and lines written meanwhile carry the request', async () => {
    const { app, lines } = await application('info');
    const first = await request(app)
      .get('/api/things/7?full=1')
      .set('authorization', 'Bearer secret-token')
      .expect(200);
    const second = await request(app).get('/api/things/8').expect(200);
    expect(second.body.requestId).toBe(first.body.requestId + 1);

    const warned = lines.filter((line) => line.msg === 'looked at a thing');
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(warned.map((line) => line.req?.id)).toEqual([first.body.requestId, second.body.requestId]);
    expect(completed).toHaveLength(2);
    const [line] = completed;
    expect(line).toMatchObject({
      level: 30,
      req: {
        id: first.body.requestId,
        method: 'GET',
        url: '/api/things/7?full=1',
        query: { full: '1' },
        headers: { authorization: '[Redacted]' },
      },
      res: { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' } },
    });
    expect(typeof line!.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('logs a 5xx at error, a slow request at warn, and probes not at all', async () => {
    const { app, lines } = await application('info', 40);
    await request(app).get('/api/broken').expect(500);
    await request(app).get('/api/slow').expect(200);
    await request(app).get('/health').expect(200);
    expect(lines.map((line) => [line.level, line.msg, (line.req as { url: string }).url])).toEqual([
      [50, 'request errored', '/api/broken'],
      [40, 'request completed', '/api/slow'],
    ]);
    expect(lines[0]).toMatchObject({
      err: { message: 'failed with status code 500' },
      res: { statusCode: 500 },
    });
  });

  it('at warn, logs only failures and slow requests; a long event stream is not slow', async () => {
    const { app, lines } = await application('warn');
    await request(app).get('/api/things/1').expect(200);
    await request(app).get('/api/broken').expect(500);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'looked at a thing'],
      [50, 'request errored'],
    ]);
    // Slow from 40 ms: the 60 ms request is, the 60 ms event stream is not.
    const slow = await application('warn', 40);
    await request(slow.app).get('/api/stream').expect(200);
    await request(slow.app).get('/api/slow').expect(200);
    expect(slow.lines.map((line) => [line.level, line.msg, (line.req as { url: string }).url])).toEqual([
      [40, 'request completed', '/api/slow'],
    ]);
  });

  it('when silent, writes nothing and still numbers requests', async () => {
    const { app, lines } = await application('silent');
    const first = await request(app).get('/api/things/1').expect(200);
    await request(app).get('/api/broken').expect(500);
    const third = await request(app).get('/api/things/2').expect(200);
    expect(third.body.requestId).toBe(first.body.requestId + 2);
    expect(lines).toEqual([]);
  });
});
