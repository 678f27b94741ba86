import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problem';

/** `application/json` and every `application/*+json`, with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The `charset` parameter of a Content-Type, lower-cased; undefined when there is none. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/** Refuses what the parser below cannot read: a charset other than UTF-8, or a compressed body. */
function refuseUnreadable(request: FastifyRequest): void {
  const charset = charsetOf(request.headers['content-type'] ?? '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemError(415, 'unsupported_encoding', `Unsupported charset "${charset.toUpperCase()}"`);
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new ProblemError(415, 'unsupported_encoding', `Unsupported content encoding "${encoding}"`);
  }
}

/**
 * The request bodies the API reads: JSON objects and arrays (a blank body is `{}`), in UTF-8, uncompressed,
 * up to Fastify's `bodyLimit` (413 past it). Any other content type is read up to the same limit and
 * dropped, so its route sees no body and its validation says what is missing.
 */
export function jsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string' }, (request, text, done) => {
    try {
      refuseUnreadable(request);
      const source = (text as string).trim();
      if (source === '') return done(null, {});
      const parsed: unknown = JSON.parse(source);
      if (parsed === null || typeof parsed !== 'object') {
        throw new ProblemError(400, 'malformed_json', 'The request body must be a JSON object or array');
      }
      done(null, parsed);
    } catch (error) {
      done(
        error instanceof ProblemError
          ? error
          : new ProblemError(400, 'malformed_json', 'The request body is not valid JSON'),
      );
    }
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
}

/** BODY_LIMIT (`100kb`, `1mb`, `512b`) in bytes, a kilobyte being 1,024 bytes. */
export function byteLimit(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) throw new Error(`Not a byte size: ${limit}`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}
