/**
 * Refusals of the application layer: above the domain's rules (DomainError), below HTTP. The API's
 * problem filter maps each to its status and stable problem type, as it maps DomainError.
 */
export abstract class ApplicationError extends Error {
  abstract readonly code: string;
}

/** If-Match named a revision the stream has moved past (HTTP 412, with the current revision as ETag). */
export class StaleRevisionError extends ApplicationError {
  readonly code = 'stale_revision';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`If-Match names revision ${expected} but the current revision is ${actual}`);
  }
}

/** An Idempotency-Key already used with another request (HTTP 422). */
export class IdempotencyKeyReusedError extends ApplicationError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used with a different request');
  }
}
