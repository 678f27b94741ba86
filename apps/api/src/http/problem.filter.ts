import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { IdempotencyKeyReusedError, StaleRevisionError } from '@passerelle/application';
import { unavailabilityOf } from '@passerelle/database';
import { DomainError } from '@passerelle/domain';
import { WrongExpectedRevisionError } from '@passerelle/event-store';
import type { FastifyInstance } from 'fastify';
import type { Answer, HttpRequest } from './answer';
import { problem, ProblemBody, ProblemError } from './problem';

/** The status each kind of domain refusal answers with. */
export const DOMAIN_STATUS = { rule: 409, not_found: 404, invalid: 400, forbidden: 403 } as const;

/**
 * Seconds a client waits before retrying while the database is unavailable: a PostgreSQL failover takes
 * 5–12 s (docs/decisions/0013), so a few retries span it.
 */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** A request Fastify refused itself before any route saw it (FST_ERR_…, a 4xx: a body over the limit…). */
function fastifyRefusal(error: unknown): HttpException | undefined {
  const { code, statusCode, message } = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  if (typeof code !== 'string' || !code.startsWith('FST_') || typeof statusCode !== 'number')
    return undefined;
  if (statusCode < 400 || statusCode >= 500) return undefined;
  return new HttpException(typeof message === 'string' ? message : 'Refused', statusCode);
}

/** The one place where errors become HTTP answers. */
export function toProblem(thrown: unknown): { body: ProblemBody; headers: Record<string, string> } {
  const error = fastifyRefusal(thrown) ?? thrown;
  if (error instanceof ProblemError) {
    return {
      body: problem(error.status, error.code, error.message, error.extensions),
      headers: error.headers,
    };
  }
  if (error instanceof StaleRevisionError) {
    return {
      body: problem(412, error.code, error.message, { currentRevision: error.actual }),
      headers: { ETag: `"${error.actual}"` },
    };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return { body: problem(422, error.code, error.message), headers: {} };
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.kind];
    return {
      body: problem(status, error.code, error.message, error.details ? { details: error.details } : {}),
      headers: {},
    };
  }
  // The primary is gone, restarting or read-only (a failover): nothing was decided, retry shortly.
  // Also an unwrapped driver error of that kind (a path that bypassed the SQL client).
  if (unavailabilityOf(error) !== undefined) {
    return {
      body: problem(503, 'store_unavailable', 'The event store is unavailable for a moment; retry shortly'),
      headers: { 'Retry-After': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) },
    };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return {
      body: problem(409, 'concurrency_conflict', 'The record changed concurrently; try again'),
      headers: {},
    };
  }
  if (error instanceof ThrottlerException) {
    return {
      body: problem(429, 'rate_limited', 'Too many requests; slow down'),
      headers: { 'Retry-After': '60' },
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    if (status === 503 && typeof response === 'object' && response && 'details' in response) {
      // A failed readiness check: keep every indicator's report.
      return {
        body: problem(503, 'not_ready', 'A dependency is not ready', { checks: response }),
        headers: {},
      };
    }
    if (status === 400) return { body: problem(400, 'validation', error.message), headers: {} };
    if (status === 413) {
      return {
        body: problem(413, 'body_too_large', 'The request body is larger than the configured limit'),
        headers: {},
      };
    }
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'http_error';
    return { body: problem(status, code, error.message), headers: {} };
  }
  return { body: problem(500, 'internal', 'An unexpected error occurred'), headers: {} };
}

export function sendProblem(response: Answer, request: HttpRequest, error: unknown, logger: Logger): void {
  const { body, headers } = toProblem(error);
  const unavailable = unavailabilityOf(error);
  if (unavailable !== undefined) logger.warn(`answered 503: the database is unavailable (${unavailable})`);
  // Any other 503 is a refusal the service chose (read models behind, not ready): no stack to look at.
  else if (body.status === 503) logger.warn(`answered 503: ${body.detail ?? body.title}`);
  else if (body.status >= 500)
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  // Part of an answer is gone already (a stream that failed): all that is left is to cut it.
  if (response.raw.headersSent) {
    response.raw.destroy();
    return;
  }
  void response
    .status(body.status)
    .headers(headers)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, instance: request.originalUrl }));
}

/**
 * Errors raised before a route's handler runs (a body that is not JSON or too large, text that cannot be
 * stored, Fastify's own refusals) are answered as problems too. Set before the routes are: Fastify gives
 * each route the error handler set when it was added.
 */
export function answerErrorsAsProblems(fastify: FastifyInstance): void {
  const logger = new Logger('Problem');
  fastify.setErrorHandler((error, request, reply) => sendProblem(reply, request, error, logger));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<Answer>(), http.getRequest<HttpRequest>(), error, this.logger);
  }
}
