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
 * An EventStoreDB / KurrentDB event store for `connectionString`: `esdb://node1:2113,node2:2113,…`
 * (every node of a cluster, each one a gossip seed) or `esdb+discover://one-dns-name:2113`. The
 * client connects lazily: call {@link checkEsdbConnection} to find out at boot whether the server
 * answers.
 */
export function createEsdbEventStore(
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): EsdbEventStore {
  let client: EventStoreDBClient;
  try {
    refuseUnsafeSettings(connectionString);
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new EventStoreConnectionError(
      'malformed',
      `EVENTSTORE_CONNECTION_STRING is malformed: ${oneLine(error)} (expected esdb://node1:2113,node2:2113,node3:2113 or esdb+discover://cluster-dns-name:2113)`,
      { cause: error },
    );
  }
  return new EsdbEventStore(client, options);
}

/**
 * Settings the client accepts but that would hurt silently:
 * - `esdb+discover://` with several hosts: this client uses the first one only (it logs "Using
 *   first"), so the cluster is unreachable whenever that node is down; `esdb://` takes every host
 *   as a gossip seed;
 * - `throwOnAppendFailure=false`: failed appends resolve instead of throwing, with a wrong revision.
 */
function refuseUnsafeSettings(connectionString: string): void {
  const discover = /^esdb\+discover:\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(connectionString);
  if (discover && discover[1]!.includes(',')) {
    throw new Error(
      'esdb+discover:// uses only its first host with this client; list every node with esdb://node1:2113,node2:2113,node3:2113',
    );
  }
  const query = connectionString.split('?')[1] ?? '';
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    if (key.toLowerCase() === 'throwonappendfailure' && value.toLowerCase() !== 'true') {
      throw new Error('throwOnAppendFailure must stay true: a failed append would be taken for a stored one');
    }
  }
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
