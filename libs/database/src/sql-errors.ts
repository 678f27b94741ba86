/** SQLSTATE codes the adapters react to. */
export const SqlState = {
  uniqueViolation: '23505',
  deadlockDetected: '40P01',
  duplicateSchema: '42P06',
  readOnlySqlTransaction: '25006',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
} as const;

/** The SQLSTATE of an error raised by either client (both expose it as `code`). */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The database is gone or cannot take writes right now — its primary is failing over, restarting or
 * read-only — and the same request is expected to succeed a few seconds later, on a fresh connection.
 * Raised by the SQL client in place of the driver's error (kept as `cause`); the API answers it with
 * `503` and `Retry-After`.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`The database is unavailable: ${reason}`, options);
  }
}

/** The server's refusals that mean "not now, elsewhere or later", not "this statement is wrong". */
const UNAVAILABLE_SQLSTATES = new Set<string>([
  SqlState.readOnlySqlTransaction, // a demoted primary, or a replica behind the write address
  SqlState.adminShutdown, // pg_terminate_backend, a fast shutdown, a failover
  SqlState.crashShutdown,
  SqlState.cannotConnectNow, // starting up, in recovery
  '53300', // too_many_connections: a restarted server refusing while clients reconnect
]);

/** Socket-level failures: the server (or the proxy before it) is not there or went away. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** node-postgres reports a lost or never-made connection with plain errors and these messages. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i, // "Connection terminated", "… unexpectedly", "… due to connection timeout"
  /timeout exceeded when trying to connect/i,
  /^Query read timeout/i,
  /is not queryable/i, // "Client has encountered a connection error and is not queryable"
  /^Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/**
 * Why `error` means the database is unavailable (the reason, for logs), or undefined when it is any
 * other error. The one place that decides it: SQLSTATE class 08 (connection exception), the codes above,
 * socket errors and node-postgres's own connection messages.
 */
export function unavailabilityOf(error: unknown): string | undefined {
  if (error instanceof StoreUnavailableError) return error.reason;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  // Before the SQLSTATE: EPIPE has the shape of one.
  if (typeof code === 'string' && UNAVAILABLE_ERRNOS.has(code)) return code;
  const state = sqlStateOf(error);
  if (state !== undefined) {
    if (state.startsWith('08') || UNAVAILABLE_SQLSTATES.has(state)) return `SQLSTATE ${state}`;
    return undefined;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message)))
    return message;
  // A connect that failed on every address (Node's AggregateError) is unavailable if its parts are.
  const parts = (error as { errors?: unknown }).errors;
  if (Array.isArray(parts) && parts.length > 0 && parts.every((part) => unavailabilityOf(part)))
    return unavailabilityOf(parts[0]);
  return undefined;
}

/** `error` as a StoreUnavailableError when it means the database is unavailable, else unchanged. */
export function asStoreUnavailable(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = unavailabilityOf(error);
  return reason === undefined ? error : new StoreUnavailableError(reason, { cause: error });
}
