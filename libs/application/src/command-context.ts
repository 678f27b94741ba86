import type { Actor } from '@passerelle/event-store';

/** What the HTTP edge knows about a command besides its body. */
export interface CommandContext {
  actor: Actor;
  /** Derived from the Idempotency-Key when there is one, random otherwise. */
  commandId: string;
  idempotencyKey?: string;
  /** Hash of method, path and body: the same key with another request is refused. */
  requestHash: string;
  correlationId: string;
  /** The stream revision the client read (If-Match); absent: decide again on fresh state when a write races. */
  ifMatch?: number;
}

export interface CommandResult {
  id: string;
  revision: number;
  position: number;
}
