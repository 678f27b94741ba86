import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { IdempotencyKeyReusedError, StaleRevisionError } from '@passerelle/application';
import { DomainError } from '@passerelle/domain';
import { WrongExpectedRevisionError } from '@passerelle/event-store';
import type { Request, Response } from 'express';
import { problem, ProblemBody, ProblemError } from './problem';

const DOMAIN_STATUS = { rule: 409, not_found: 404, invalid: 400, forbidden: 403 } as const;

/** The one place where errors become HTTP answers. */
export function toProblem(error: unknown): { body: ProblemBody; headers: Record<string, string> } {
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
  if (error instanceof WrongExpectedRevisionError) {
    return {
      body: problem(409, 'concurrency_conflict', 'The partnership changed concurrently; try again'),
      headers: {},
    };
  }
  if (error instanceof ThrottlerException) {
    return {
      body: problem(429, 'rate_limited', 'Too many requests; slow down'),
      headers: { 'Retry-After': '60' },
    };
  }
  const bodyParserError = error as { type?: string; status?: number; message?: string };
  if (bodyParserError?.type === 'entity.parse.failed') {
    return { body: problem(400, 'malformed_json', 'The request body is not valid JSON'), headers: {} };
  }
  if (bodyParserError?.type === 'entity.too.large') {
    return {
      body: problem(413, 'body_too_large', 'The request body is larger than the configured limit'),
      headers: {},
    };
  }
  if (bodyParserError?.type?.startsWith('charset.') || bodyParserError?.type?.startsWith('encoding.')) {
    return {
      body: problem(415, 'unsupported_encoding', bodyParserError.message ?? 'Unsupported encoding'),
      headers: {},
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
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'http_error';
    return { body: problem(status, code, error.message), headers: {} };
  }
  return { body: problem(500, 'internal', 'An unexpected error occurred'), headers: {} };
}

export function sendProblem(response: Response, request: Request, error: unknown, logger: Logger): void {
  const { body, headers } = toProblem(error);
  if (body.status >= 500)
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  response
    .status(body.status)
    .set(headers)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, instance: request.originalUrl }));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<Response>(), http.getRequest<Request>(), error, this.logger);
  }
}
