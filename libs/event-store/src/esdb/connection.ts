import { EventStoreDBClient } from './client';
import { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';

export type EventStoreConnectionProblem = 'malformed' | 'unreachable';

/** EVENTSTORE_CONNECTION_STRING cannot be used: it does not parse, or no server answers at it. */
export class EventStoreConnectionError extends Error {
  readonly code = 'event_store_connection';
  constructor(
    readonly reason: EventStoreConnectionProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An EventStoreDB / KurrentDB event store for `connectionString` (`esdb://…` or
 * `esdb+discover://…`). The client connects lazily: call {@link checkEsdbConnection} to find out
 * at boot whether the server answers.
 */
export function createEsdbEventStore(
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): EsdbEventStore {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new EventStoreConnectionError(
      'malformed',
      `EVENTSTORE_CONNECTION_STRING is malformed: ${oneLine(error)} (expected esdb://host:2113 or esdb+discover://host1:2113,host2:2113)`,
      { cause: error },
    );
  }
  return new EsdbEventStore(client, options);
}

/** Reads the last event of `$all` within `timeoutMs` to prove the server answers. */
export async function checkEsdbConnection(store: EsdbEventStore, timeoutMs = 5000): Promise<void> {
  try {
    await store.probe(timeoutMs);
  } catch (error) {
    throw new EventStoreConnectionError(
      'unreachable',
      `EventStoreDB did not answer at EVENTSTORE_CONNECTION_STRING: ${oneLine(error)}`,
      { cause: error },
    );
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
