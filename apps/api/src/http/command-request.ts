import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { canonicalJson, type CommandContext, deterministicUuid, sha256 } from '@passerelle/application';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { headerOf, pathOf } from './answer';
import { ProblemError } from './problem';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(-?\d{1,15})"?\s*$/.exec(header);
  if (!match) throw new ProblemError(400, 'invalid_if_match', 'If-Match must be an ETag such as "3"');
  return Number(match[1]);
}

/**
 * The command's context from the request: actor, If-Match, Idempotency-Key. The command id derives from the
 * key, the actor and the target, so a repeat of the same request is recognised wherever it lands.
 */
export const CommandRequest = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandContext => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const actor = request.actor;
    if (!actor) throw new Error('CommandRequest used on a public route');
    const key = headerOf(request, 'idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ProblemError(
        400,
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
      );
    }
    const target = `${request.method} ${pathOf(request)}`;
    const requestHash = sha256(canonicalJson({ target, body: request.body ?? {} }));
    const correlation = headerOf(request, 'x-correlation-id') ?? headerOf(request, 'x-request-id');
    return {
      actor,
      commandId: key ? deterministicUuid('command', actor.sub, target, key) : randomUUID(),
      ...(key ? { idempotencyKey: key } : {}),
      requestHash,
      correlationId: correlation && correlation.length <= 200 ? correlation : randomUUID(),
      ifMatch: parseIfMatch(headerOf(request, 'if-match')),
    };
  },
);
