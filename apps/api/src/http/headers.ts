import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers helmet sets (Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options…),
 * worked out once: they depend on nothing in the request.
 */
export function helmetHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const collector = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    removeHeader: (name: string) => {
      const lower = name.toLowerCase();
      for (let i = headers.length - 1; i >= 0; i--)
        if (headers[i]![0].toLowerCase() === lower) headers.splice(i, 1);
    },
  };
  let done = false;
  helmet()({} as IncomingMessage, collector as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not finish at once');
  return headers;
}

/**
 * Every answer carries helmet's headers, the live streams and files sent past Fastify's reply included
 * (they are set on Node's response, which every way of answering writes through).
 */
export function securityHeaders(fastify: FastifyInstance): void {
  const headers = helmetHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

/** Whether `etag` is one of the tags an If-None-Match header lists (weak comparison, as RFC 9110 asks). */
export function matchesIfNoneMatch(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted);
}

function notModified(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (reply.statusCode < 200 || reply.statusCode >= 300) return false;
  const ifNoneMatch = request.headers['if-none-match'];
  const etag = reply.getHeader('etag');
  if (typeof ifNoneMatch !== 'string' || typeof etag !== 'string') return false;
  // A client that asks for no cache gets the full answer.
  if (/(?:^|,)\s*no-cache\s*(?:,|$)/.test(request.headers['cache-control'] ?? '')) return false;
  return matchesIfNoneMatch(ifNoneMatch, etag);
}

/** A GET whose answer carries the ETag the client already holds is answered 304 Not Modified, without a body. */
export function answerNotModified(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!notModified(request, reply)) return done(null, payload);
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    reply.removeHeader('transfer-encoding');
    done(null, null);
  });
}
