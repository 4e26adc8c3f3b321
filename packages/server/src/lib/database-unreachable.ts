/**
 * Whether an error thrown by a store call means the database could not be reached or dropped the
 * connection (a restart, a failover, a network cut) rather than refusing the statement: a
 * passing state that a retry in a moment survives, so callers answer "not ready", not a crash.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // Sockets that could not connect or were cut.
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  // PostgreSQL SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up).
  if (/^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03'].includes(code)) return true;
  // node-postgres says so in words when the socket ends under a query.
  const message = typeof e.message === 'string' ? e.message : '';
  return /^Connection terminated|^Client has encountered a connection error|timeout exceeded when trying to connect/.test(message);
}
