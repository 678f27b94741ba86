import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@passerelle/event-store';

/** The partnership stream a benchmark writes to, as the application names them. */
export const newStreamId = (): string => `partnership-${randomUUID()}`;

const ACTOR = { sub: 'officer-7', name: 'Olivia Officer', roles: ['officer'] };
const REQUEST_HASH = 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c';

/**
 * The event every write benchmark appends, shaped as the command path writes a suspension: about
 * 500 bytes of data and metadata. Raw INSERTs and Emmett get exactly the same type, data and metadata.
 */
export function suspensionEvent(streamId: string): NewEvent {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'PartnershipSuspended',
    version: 1,
    data: {
      partnershipId: streamId.slice('partnership-'.length),
      reason: 'Funding cycle postponed until the regional council votes the 2026 budget',
      fromStage: 'introduced',
      occurredAt: new Date().toISOString(),
    },
    metadata: {
      actor: ACTOR,
      correlationId: randomUUID(),
      causationId: commandId,
      commandId,
      requestHash: REQUEST_HASH,
    },
  };
}

/** A 32-bit mix of an operation's index: which stream it touches, the same for every system measured. */
export function pick(index: number, seed: number, count: number): number {
  let x = (index ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) % count;
}
