export { toAppendExpectedRevision } from './client';
export { checkEsdbConnection, createEsdbEventStore, EventStoreConnectionError } from './connection';
export type { EventStoreConnectionProblem } from './connection';
export { EsdbEventStore } from './esdb-event-store';
export type { EsdbEventStoreOptions } from './esdb-event-store';
export { APPEND_METADATA_KEY, HASH_METADATA_KEY, VERSION_METADATA_KEY } from './event-codec';
export { isAfterCheckpoint, toEsdbPosition, toGlobalPosition, UnsupportedPositionError } from './position';
