import { currentVersionOf } from '@passerelle/domain';
import { chainHash, GENESIS_HASH, RecordedEvent } from '@passerelle/event-store';

let eventCounter = 0;
const eventId = () => {
  eventCounter += 1;
  return `10000000-0000-4000-8000-${eventCounter.toString(16).padStart(12, '0')}`;
};

/**
 * Domain events as the store would hand them out: one stream, revisions from 0, global positions from
 * `firstPosition`, hash-chained, recorded at `recordedAt`.
 */
export function recorded(
  streamId: string,
  events: readonly { type: string; data: Record<string, unknown> }[],
  options: { firstPosition?: number; recordedAt?: Date; actor?: string } = {},
): RecordedEvent[] {
  let previous = GENESIS_HASH;
  return events.map((event, index) => {
    const fields = {
      id: eventId(),
      type: event.type,
      version: currentVersionOf(event.type),
      data: event.data,
      metadata: { actor: { sub: 'officer-1', name: options.actor ?? 'Olivia Officer', roles: ['officer'] } },
    };
    previous = chainHash(previous, fields);
    return {
      ...fields,
      streamId,
      revision: index,
      position: (options.firstPosition ?? 1) + index,
      recordedAt: options.recordedAt ?? new Date('2025-03-10T09:00:00.000Z'),
      hash: previous,
    };
  });
}
