import { Logger } from '@nestjs/common';
import fastify, { type FastifyInstance } from 'fastify';
import { byteLimit, jsonBodies } from './body';
import { answerErrorsAsProblems } from './problem.filter';

/** A Fastify instance reading bodies as the API does, answering what its one route received. */
async function echo(limit = 1024): Promise<FastifyInstance> {
  const app = fastify({ bodyLimit: limit });
  answerErrorsAsProblems(app);
  jsonBodies(app);
  app.post('/echo', (request) => ({ body: request.body === undefined ? 'none' : request.body }));
  await app.ready();
  return app;
}

const post = (app: FastifyInstance, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/echo', payload, headers });

describe('jsonBodies', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    app = await echo();
  });
  afterAll(() => app.close());

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
    'application/merge-patch+json',
    'application/vnd.passerelle.v1+json; charset=utf-8',
  ])('reads a JSON object sent as %s', async (type) => {
    const answer = await post(app, '{"reason":"é"}', { 'content-type': type });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ body: { reason: 'é' } });
  });

  it('reads an array, and a blank body as an empty object', async () => {
    expect((await post(app, '[1,2]', { 'content-type': 'application/json' })).json()).toEqual({
      body: [1, 2],
    });
    expect((await post(app, '  ', { 'content-type': 'application/json' })).json()).toEqual({ body: {} });
  });

  it.each([
    ['not JSON', '{"reason": '],
    ['a number', '3'],
    ['a string', '"x"'],
    ['null', 'null'],
  ])('refuses %s with 400 malformed_json', async (_, payload) => {
    const answer = await post(app, payload, { 'content-type': 'application/json' });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer.json()).toMatchObject({ type: 'urn:passerelle:problem:malformed_json', instance: '/echo' });
  });

  it('refuses another charset and a compressed body with 415 unsupported_encoding', async () => {
    const latin1 = await post(app, '{}', { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json()).toMatchObject({
      type: 'urn:passerelle:problem:unsupported_encoding',
      detail: 'Unsupported charset "LATIN1"',
    });
    const gzip = await post(app, '{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(gzip.statusCode).toBe(415);
    expect(gzip.json()).toMatchObject({ detail: 'Unsupported content encoding "gzip"' });
  });

  it('refuses a body over the limit with 413 body_too_large, whatever its type', async () => {
    const big = JSON.stringify({ reason: 'x'.repeat(2000) });
    for (const type of ['application/json', 'text/plain']) {
      const answer = await post(app, big, { 'content-type': type });
      expect(answer.statusCode).toBe(413);
      expect(answer.json()).toMatchObject({ type: 'urn:passerelle:problem:body_too_large' });
    }
  });

  it('drops a body of another type: the route sees none', async () => {
    expect((await post(app, 'reason=x', { 'content-type': 'text/plain' })).json()).toEqual({ body: 'none' });
    expect(
      (await post(app, '{"a":1}', { 'content-type': 'application/x-www-form-urlencoded' })).json(),
    ).toEqual({
      body: 'none',
    });
  });
});

describe('byteLimit', () => {
  it('reads BODY_LIMIT as body-parser did, a kilobyte being 1,024 bytes', () => {
    expect(byteLimit('512b')).toBe(512);
    expect(byteLimit('100kb')).toBe(102_400);
    expect(byteLimit('1MB')).toBe(1_048_576);
    expect(() => byteLimit('1gb')).toThrow('Not a byte size');
  });
});
