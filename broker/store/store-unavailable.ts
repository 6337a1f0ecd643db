/**
 * Tells a database that cannot be reached right now (down, restarting, refusing connections, the
 * network gone) from a failing query: the first is answered 503 with Retry-After, so clients retry
 * with their idempotency key; the second stays a 500 and a bug report.
 */

/** PostgreSQL SQLSTATEs of an unreachable or shutting-down server. */
const pgUnavailable = /^(08...|57P0[1-3]|53300)$/;
/** Node socket errors on the way to the database. */
const socketUnavailable = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLite result codes of a file that is locked or cannot be read right now. */
const sqliteUnavailable = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)/;
/** node-postgres says these without a code. */
const pgClientMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/** Whether `error` (or its cause) says the store is unreachable for now, not that a query is wrong. */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (pgUnavailable.test(code) || socketUnavailable.has(code) || sqliteUnavailable.test(code))
      return true;
  }
  if (typeof message === 'string' && pgClientMessages.some((m) => message.startsWith(m)))
    return true;
  if (error instanceof AggregateError)
    return error.errors.some((e) => isStoreUnavailable(e, depth + 1));
  return isStoreUnavailable(cause, depth + 1);
}
