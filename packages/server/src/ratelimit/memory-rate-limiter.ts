import { assertHitArgs, decideFromCount, type RateLimitDecision, type RateLimiter } from './rate-limiter.ts';

export interface MemoryRateLimiterOptions {
  /** Injectable so tests can move time; defaults to Date.now. */
  now?: () => number;
  /** How often expired windows are dropped; 0 disables the timer (call sweep() yourself). Default 60 s. */
  sweepIntervalMs?: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Exact only within one process: every process keeps its own counts, so N processes allow up to
 * N × limit. Meant for single-process deployments and tests; use RedisRateLimiter when scaled out.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: MemoryRateLimiterOptions = {}) {
    this.now = opts.now ?? Date.now;
    const every = opts.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      // The limiter must never be the thing keeping the process (or a test run) alive.
      this.timer.unref();
    }
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    if (this.closed) throw new Error('MemoryRateLimiter is closed');
    assertHitArgs(key, limit, windowMs);
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    } else if (w.resetAt - now > windowMs) {
      // The wall clock stepped back (or the window was shortened): cap the wait at one window rather
      // than lock the key out for the size of the jump. The count is kept, so this grants nothing.
      w.resetAt = now + windowMs;
    }
    // Denied hits are counted too (as in RedisRateLimiter) but never move resetAt: the window is fixed.
    w.count++;
    return decideFromCount(w.count, limit, w.resetAt - now);
  }

  /** Drops expired windows so memory tracks keys active in the last window, not every key ever seen. */
  sweep(): void {
    const now = this.now();
    for (const [key, w] of this.windows) {
      if (w.resetAt <= now) this.windows.delete(key);
    }
  }

  /** Number of windows held; for tests and metrics. */
  get size(): number {
    return this.windows.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.windows.clear();
  }
}
