import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

/** How the fallback limiter knows the shared one is there, how long it waits, and whom it tells. */
export interface FallbackRateLimiterOptions {
  /** Whether the shared limiter can be asked at all now (ioredis: the connection is `ready`). */
  available: () => boolean;
  /** Longest wait for the shared limiter's answer before this process decides alone. */
  timeoutMs: number;
  /** Told when the shared limiter stops answering (true) and when it answers again (false). */
  onDegraded?: (degraded: boolean, err?: Error) => void;
}

/**
 * A shared limiter (Redis) that falls back to this process's own counts while it cannot answer,
 * so that Redis going away slows no request and fails none: limits then hold per process (N API
 * processes allow up to N × limit) until Redis is back. Failing closed would stop every send for
 * the sake of a counter; failing fully open would drop the OTP and sign-in defences with it.
 */
export class FallbackRateLimiter implements RateLimiter {
  private degradedNow = false;

  constructor(
    private readonly shared: RateLimiter,
    private readonly local: RateLimiter,
    private readonly opts: FallbackRateLimiterOptions,
  ) {}

  /** True while requests are counted per process because the shared limiter does not answer. */
  get degraded(): boolean {
    return this.degradedNow || !this.opts.available();
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    // Not connected: do not queue behind ioredis's reconnect attempts, answer at once.
    if (!this.opts.available()) {
      this.mark(true, new Error('not connected'));
      return this.local.hit(key, limit, windowMs);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    });
    try {
      const decision = await Promise.race([this.shared.hit(key, limit, windowMs), timeout]);
      this.mark(false);
      return decision;
    } catch (err) {
      // Argument errors are the caller's bug, not an outage: they surface as they would without us.
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      this.mark(true, err as Error);
      return this.local.hit(key, limit, windowMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.shared.close(), this.local.close()]);
  }

  private mark(degraded: boolean, err?: Error): void {
    if (degraded === this.degradedNow) return;
    this.degradedNow = degraded;
    this.opts.onDegraded?.(degraded, err);
  }
}
