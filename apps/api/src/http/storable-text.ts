import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { invalidParameter } from './parameters';
import { ProblemError } from './problem';

/** A NUL, or half of a surrogate pair (not a character at all): PostgreSQL stores neither in text or jsonb. */
// eslint-disable-next-line no-control-regex -- finding the NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Any NUL or surrogate at all: one scan of a plain character class, the precise test only on a hit. */
// eslint-disable-next-line no-control-regex -- finding the NUL is the point
const SUSPECT = /[\u0000\ud800-\udfff]/;

const unstorableText = (text: string): boolean => SUSPECT.test(text) && UNSTORABLE.test(text);

/** One walk of a parsed JSON body or query: its strings and its keys, 64 levels deep at most. */
const unstorable = (value: unknown, depth = 0): boolean => {
  if (typeof value === 'string') return unstorableText(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (unstorable(item, depth + 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (unstorableText(key) || unstorable(object[key], depth + 1)) return true;
  }
  return false;
};

const REASON = 'may not contain NUL (U+0000) or half of a surrogate pair';

/**
 * Refuses, with 400, text that could never be stored: a NUL or a lone surrogate in a query parameter
 * (the 400 names it) or in the JSON body. Otherwise it would reach the database and come back as a 500.
 * Path parameters are checked by their routes (ids are UUIDs).
 */
export function refuseUnstorableText(
  request: FastifyRequest,
  _reply: FastifyReply,
  next: HookHandlerDoneFunction,
): void {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const parameter = Object.keys(query).find((name) => unstorableText(name) || unstorable(query[name]));
  if (parameter !== undefined) {
    next(invalidParameter(parameter, `${parameter} ${REASON}`));
    return;
  }
  if (unstorable(request.body)) {
    next(new ProblemError(400, 'validation', `Text ${REASON}`));
    return;
  }
  next();
}
