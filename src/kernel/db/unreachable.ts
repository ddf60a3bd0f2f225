/**
 * Whether an error means the database cannot be reached right now (as opposed to a bug or bad
 * data): the request is answered 503 with Retry-After, and nothing was half written because the
 * transaction never committed. Covers the network (refused, reset, timed out), PostgreSQL's
 * connection exceptions (class 08) and shutdown states (57P01–57P03), and node-postgres's own
 * messages for a lost or never-made connection, or one that stopped answering (query_timeout).
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const SQLSTATES = /^(08\d{3}|57P0[123])$/;
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Query read timeout)/;

export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
  if (PG_MESSAGES.test(error.message)) return true;
  // Node's AggregateError (several addresses refused) and wrapped causes.
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnreachable(e, depth + 1))) return true;
  return error.cause !== undefined && isDatabaseUnreachable(error.cause, depth + 1);
}
