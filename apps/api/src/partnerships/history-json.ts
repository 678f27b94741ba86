import { upcast } from '@passerelle/domain';
import type { RecordedEvent } from '@passerelle/event-store';

/**
 * Each event's entry of a `/history` answer, written once per event object. The events of a long
 * stream come from the stream cache as the same objects request after request, and the personal-data
 * layer returns an event unchanged when it has nothing to open: those are serialised once. An event
 * whose personal fields were opened is a new object at every read, so what it says follows its keys.
 * Upcasting happens here, with this process's code: the entries die with the process (decision 0018).
 */
const entries = new WeakMap<RecordedEvent, string>();

function entryOf(event: RecordedEvent): string {
  let entry = entries.get(event);
  if (entry === undefined) {
    const current = upcast(event);
    entry = JSON.stringify({
      id: event.id,
      type: current.type,
      version: current.version,
      storedVersion: event.version,
      data: current.data,
      metadata: event.metadata,
      revision: event.revision,
      position: event.position,
      recordedAt: event.recordedAt.toISOString(),
      hash: event.hash,
    });
    entries.set(event, entry);
  }
  return entry;
}

/** The `History` document of a stream, as JSON: `{ id, revision, events: [...] }`. */
export function historyJson(id: string, revision: number, events: readonly RecordedEvent[]): string {
  const parts = new Array<string>(events.length);
  for (let index = 0; index < events.length; index++) parts[index] = entryOf(events[index]!);
  return `{"id":${JSON.stringify(id)},"revision":${revision},"events":[${parts.join(',')}]}`;
}
