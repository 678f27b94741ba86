/** The SQL client every table lives in (PGlite or PostgreSQL), migrated; see openSqlClient, migrateAll. */
export const SQL_CLIENT = Symbol('SQL_CLIENT');
/** The log and its personal-data layer as one value (see openEventStores); the tokens below are its parts. */
export const EVENT_STORES = Symbol('EVENT_STORES');
/** The master key that names people and requests (subjectOf, requestDigest); see openDataKeys. */
export const MASTER_KEY = Symbol('MASTER_KEY');
/** Seals and opens the copies of personal values kept outside the log (read models, notifications). */
export const PERSONAL_VALUES = Symbol('PERSONAL_VALUES');
/** Every DATA_KEY this process holds (DATA_KEY, and DATA_KEY_PREVIOUS during a rotation). */
export const DATA_KEY_RING = Symbol('DATA_KEY_RING');
/**
 * The keyed digest of a request kept in event metadata (MasterKey.requestDigest), so the command side
 * tells a replay from a reused Idempotency-Key without holding the master key.
 */
export const REQUEST_DIGEST = Symbol('REQUEST_DIGEST');
export type RequestDigest = (requestHash: string) => string;
