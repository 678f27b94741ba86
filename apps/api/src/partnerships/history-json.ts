import { hasPersonalData, upcast } from '@passerelle/domain';
import type { RecordedEvent } from '@passerelle/event-store';

/**
 * Each event's entry of a `/history` answer, written once per event object. The events of a long
 * stream come from the stream cache as the same objects request after request, and the personal-data
 * layer returns an event unchanged when it has nothing to open: those are serialised once. An event
 * whose personal fields were opened is a new object at every read, so what it says follows its keys.
 * Upcasting happens here, with this process's code: the entries die with the process (decision 0018).
 */
const entries = new WeakMap<RecordedEvent, string>();

/** One event of a `/history` answer, as JSON. */
export function historyEntry(event: RecordedEvent): string {
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

/**
 * The entries of the last documents answered, joined, up to their first event with personal fields
 * (which may be opened differently at the next read): a stream read again gives the same event
 * objects, so only what follows them is joined. A few streams, the most recently answered.
 */
const joined = new Map<string, { events: readonly RecordedEvent[]; json: string }>();
const JOINED_STREAMS = 8;

/** The `History` document of a stream, as JSON: `{ id, revision, events: [...] }`. */
export function historyJson(id: string, revision: number, events: readonly RecordedEvent[]): string {
  const memo = joined.get(id);
  let start = 0;
  if (memo && memo.events.length <= events.length && memo.events.every((event, i) => event === events[i])) {
    start = memo.events.length;
  }
  let kept = start;
  while (kept < events.length && !hasPersonalData(events[kept]!.type)) kept++;
  const parts = new Array<string>(events.length - start);
  for (let index = start; index < events.length; index++) parts[index - start] = historyEntry(events[index]!);
  let body: string;
  if (kept > start) {
    const head = parts.slice(0, kept - start).join(',');
    const json = start > 0 ? `${memo!.json},${head}` : head;
    joined.delete(id);
    joined.set(id, { events: events.slice(0, kept), json });
    if (joined.size > JOINED_STREAMS) joined.delete(joined.keys().next().value!);
    body = kept < events.length ? `${json},${parts.slice(kept - start).join(',')}` : json;
  } else {
    const rest = parts.join(',');
    body = start > 0 ? (rest ? `${memo!.json},${rest}` : memo!.json) : rest;
  }
  return `{"id":${JSON.stringify(id)},"revision":${revision},"events":[${body}]}`;
}
