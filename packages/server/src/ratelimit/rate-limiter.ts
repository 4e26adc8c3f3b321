export interface RateLimitDecision {
  allowed: boolean;
  limit: number;          // the limit applied
  remaining: number;      // requests left in the current window after this one (never negative)
  resetSeconds: number;   // whole seconds until the current window resets (>= 1 while a window is open)
  retryAfterSeconds: number; // 0 when allowed; otherwise whole seconds until a request can succeed (>= 1)
}

/** Fixed-window request counter shared by every process that uses the same backing store. */
export interface RateLimiter {
  /** Counts one request against `key` and decides it; `limit` requests per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

/**
 * Both implementations reduce a hit to (count in window, ms left in window); deciding from that pair
 * in one place keeps their headers identical, which the shared test suite relies on.
 */
export function decideFromCount(count: number, limit: number, ttlMs: number): RateLimitDecision {
  const allowed = count <= limit;
  // Rounded up and floored at 1 so a client that waits resetSeconds is never early, even when the
  // window has only a few milliseconds left.
  const resetSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - count),
    resetSeconds,
    // In a fixed window nothing frees up before the window ends, so the wait is the reset time.
    retryAfterSeconds: allowed ? 0 : resetSeconds,
  };
}

/**
 * Rejected loudly because a bad limit/window is a configuration bug; silently clamping it would
 * either disable limiting or lock a key out, and Redis rejects a fractional PEXPIRE anyway.
 */
export function assertHitArgs(key: string, limit: number, windowMs: number): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('rate limit key must be a non-empty string');
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`rate limit must be a non-negative integer, got ${limit}`);
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) throw new RangeError(`rate limit window must be a positive integer of ms, got ${windowMs}`);
}
