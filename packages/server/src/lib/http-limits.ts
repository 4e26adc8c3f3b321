// The HTTP edge's limits live here, not in http/ or config/, because config validates them and the
// edge applies them, and neither layer may import the other.

/** How long a client may take and how many may be served at once (HELLIO_HTTP_*, docs/reliability.md). */
export interface HttpLimits {
  /** From connection (or the end of the previous request) to the last request header. */
  headersTimeoutMs: number;
  /** From connection (or the previous request) to the last byte of the request body. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing is read or written for this long is closed (slow readers, stuck peers). */
  connectionTimeoutMs: number;
  /** Connections held at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Requests being handled at once; further ones get a fast 503 overloaded. */
  maxInFlight: number;
  /** Shed (503 overloaded) while the event loop's mean delay exceeds this many ms; 0 = never. */
  maxEventLoopDelayMs: number;
}
