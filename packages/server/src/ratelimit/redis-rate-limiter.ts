import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { assertHitArgs, decideFromCount, type RateLimitDecision, type RateLimiter } from './rate-limiter.ts';

export interface RedisRateLimiterOptions {
  /** Key namespace; default `hellio:rl:`. The full key is prefix + caller's key. */
  prefix?: string;
  /**
   * Whether close() quits the connection. Default false: the caller usually shares one client
   * between several components, and quitting it from here would break the others. Pass true when
   * the client was created solely for this limiter so one close() tears everything down.
   */
  ownsConnection?: boolean;
}

/**
 * INCR + PTTL in one script so the count and the window it belongs to are read atomically and in a
 * single round trip; a separate INCR then PEXPIRE could leave a key with no TTL if the client died
 * in between, which would deny that API key forever.
 *
 * The TTL is set only when the key has none (a fresh INCR yields -1), never on later hits, so
 * denied requests neither extend nor restart the window. Keying off "no TTL" rather than
 * "count == 1" also heals a key that somehow lost its TTL instead of locking it out forever.
 * Denied hits still INCR: it keeps the script branch-free and the count is only compared against
 * the limit, so overshooting it changes nothing the caller sees (remaining is floored at 0).
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

// Namespaced because defineCommand attaches a method to a client the caller owns and may share.
const COMMAND = 'hellioRateLimitHit';

type WithHitCommand = Redis & {
  [COMMAND](key: string, windowMs: number): Promise<[number, number]>;
};

/**
 * Exact across processes: every process sharing the Redis server (and prefix) sees one counter per
 * key. Windows are timed by Redis's clock, so app-server clock skew does not matter. Redis errors
 * propagate: whether to fail open or closed is the caller's policy, not the limiter's.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithHitCommand;
  private readonly prefix: string;
  private readonly ownsConnection: boolean;
  private closed = false;

  constructor(redis: Redis, opts: RedisRateLimiterOptions = {}) {
    this.prefix = opts.prefix ?? 'hellio:rl:';
    this.ownsConnection = opts.ownsConnection ?? false;
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (e.g. after a Redis restart),
    // so the script body crosses the wire once, not on every hit. Redefining on a shared client is
    // harmless: same name, same script.
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis = redis as WithHitCommand;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    if (this.closed) throw new Error('RedisRateLimiter is closed');
    assertHitArgs(key, limit, windowMs);
    const [count, ttlMs] = await this.redis[COMMAND](this.prefix + key, windowMs);
    return decideFromCount(Number(count), limit, Number(ttlMs));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ownsConnection || this.redis.status === 'end') return;
    // QUIT resolves on the server's OK, before the socket is gone; waiting for 'end' means a
    // resolved close() really releases the handle, so the process can exit.
    const ended = once(this.redis, 'end');
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect(); // already broken: a polite QUIT is impossible, so just drop it
    }
    await ended;
  }
}
