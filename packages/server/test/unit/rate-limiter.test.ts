import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.ts';
import type { RateLimitDecision, RateLimiter } from '../../src/ratelimit/rate-limiter.ts';
import { RedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// One namespace per run so parallel runs and leftovers from crashed runs never collide.
const PREFIX = `hellio:rl:test:${randomUUID()}:`;

const connect = (): Redis => new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  }
}

/** What the shared cases need from a backend: a fresh limiter and a way to let time pass. */
interface Harness {
  setup(): Promise<void>;
  make(): RateLimiter;
  /** Let at least `ms` of limiter time pass. */
  advance(ms: number): Promise<void>;
  teardown(): Promise<void>;
}

function memoryHarness(): Harness {
  let clock = 1_700_000_000_000;
  return {
    async setup() {},
    make: () => new MemoryRateLimiter({ now: () => clock }),
    async advance(ms) {
      clock += ms;
    },
    async teardown() {},
  };
}

function redisHarness(): Harness {
  let redis: Redis;
  return {
    async setup() {
      redis = connect();
      await redis.ping();
    },
    make: () => new RedisRateLimiter(redis, { prefix: PREFIX }),
    // Real time: Redis expires keys on its own clock. The slack absorbs timer and expiry jitter.
    async advance(ms) {
      await sleep(ms + 50);
    },
    async teardown() {
      await deleteKeys(redis, PREFIX);
      await redis.quit();
    },
  };
}

let seq = 0;
/** A key no other test (or earlier run of this test) has touched. */
const freshKey = (name: string): string => `${name}-${++seq}-${randomUUID().slice(0, 8)}`;

async function hitN(rl: RateLimiter, key: string, n: number, limit: number, windowMs: number): Promise<RateLimitDecision[]> {
  const out: RateLimitDecision[] = [];
  // Sequential on purpose: these cases check the order in which remaining counts down.
  for (let i = 0; i < n; i++) out.push(await rl.hit(key, limit, windowMs));
  return out;
}

describe.each([
  ['MemoryRateLimiter', memoryHarness],
  ['RedisRateLimiter', redisHarness],
] as const)('%s', (_name, makeHarness) => {
  const h = makeHarness();
  let rl: RateLimiter;

  beforeAll(() => h.setup());
  afterAll(() => h.teardown());
  beforeEach(() => {
    rl = h.make();
  });
  afterEach(() => rl.close());

  it('allows up to the limit, then denies with a retry-after of at least a second', async () => {
    const key = freshKey('basic');
    const ds = await hitN(rl, key, 7, 5, 60_000);
    expect(ds.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    for (const d of ds.slice(0, 5)) expect(d.retryAfterSeconds).toBe(0);
    for (const d of ds.slice(5)) {
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('counts remaining down to 0 and never below', async () => {
    const ds = await hitN(rl, freshKey('remaining'), 6, 3, 60_000);
    expect(ds.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0, 0]);
  });

  it('reports header numbers that are sane integers', async () => {
    const ds = await hitN(rl, freshKey('headers'), 4, 2, 10_000);
    for (const d of ds) {
      expect(d.limit).toBe(2);
      expect(Number.isInteger(d.resetSeconds)).toBe(true);
      expect(Number.isInteger(d.retryAfterSeconds)).toBe(true);
      expect(d.resetSeconds).toBeGreaterThanOrEqual(1);
      expect(d.resetSeconds).toBeLessThanOrEqual(10);
      expect(d.remaining).toBeGreaterThanOrEqual(0);
      if (!d.allowed) expect(d.retryAfterSeconds).toBeLessThanOrEqual(d.resetSeconds);
    }
  });

  it('keeps separate keys independent', async () => {
    const a = freshKey('a');
    const b = freshKey('b');
    await hitN(rl, a, 3, 2, 60_000);
    expect((await rl.hit(a, 2, 60_000)).allowed).toBe(false);
    const first = await rl.hit(b, 2, 60_000);
    expect(first).toMatchObject({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });

  it('applies different limits to different keys', async () => {
    const small = freshKey('small');
    const big = freshKey('big');
    const s = await hitN(rl, small, 4, 1, 60_000);
    const b = await hitN(rl, big, 4, 3, 60_000);
    expect(s.map((d) => d.allowed)).toEqual([true, false, false, false]);
    expect(b.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(s[0]!.limit).toBe(1);
    expect(b[0]!.limit).toBe(3);
  });

  it('opens a fresh window once the old one ends', async () => {
    const key = freshKey('reset');
    const ds = await hitN(rl, key, 3, 2, 1000);
    expect(ds[2]!.allowed).toBe(false);
    expect(ds[2]!.resetSeconds).toBe(1);
    await h.advance(1000);
    const after = await rl.hit(key, 2, 1000);
    expect(after).toMatchObject({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });

  it('does not let denied requests extend or restart the window', async () => {
    const key = freshKey('fixed');
    await hitN(rl, key, 2, 2, 1000);
    await h.advance(600);
    // Had these pushed the expiry out, the key would still be blocked after the next advance.
    const denied = await hitN(rl, key, 3, 2, 1000);
    expect(denied.every((d) => !d.allowed)).toBe(true);
    await h.advance(450);
    expect((await rl.hit(key, 2, 1000)).allowed).toBe(true);
  });

  it('denies everything under a zero limit', async () => {
    const d = await rl.hit(freshKey('zero'), 0, 5000);
    expect(d).toMatchObject({ allowed: false, limit: 0, remaining: 0 });
    expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('rejects nonsensical limits and windows instead of guessing', async () => {
    await expect(rl.hit(freshKey('bad'), -1, 1000)).rejects.toThrow(RangeError);
    await expect(rl.hit(freshKey('bad'), 1.5, 1000)).rejects.toThrow(RangeError);
    await expect(rl.hit(freshKey('bad'), 5, 0)).rejects.toThrow(RangeError);
    await expect(rl.hit(freshKey('bad'), 5, 10.5)).rejects.toThrow(RangeError);
    await expect(rl.hit('', 5, 1000)).rejects.toThrow(TypeError);
  });

  it('refuses hits after close', async () => {
    const other = h.make();
    await other.close();
    await other.close(); // idempotent
    await expect(other.hit(freshKey('closed'), 5, 1000)).rejects.toThrow(/closed/);
  });
});

describe('MemoryRateLimiter specifics', () => {
  it('counts resetSeconds down with the injected clock', async () => {
    let t = 0;
    const rl = new MemoryRateLimiter({ now: () => t });
    expect((await rl.hit('k', 5, 60_000)).resetSeconds).toBe(60);
    t = 30_500;
    expect((await rl.hit('k', 5, 60_000)).resetSeconds).toBe(30);
    t = 59_999;
    expect((await rl.hit('k', 5, 60_000)).resetSeconds).toBe(1);
    t = 60_000;
    expect(await rl.hit('k', 5, 60_000)).toMatchObject({ remaining: 4, resetSeconds: 60 });
    await rl.close();
  });

  it('sweeps expired windows so memory stays bounded', async () => {
    let t = 0;
    const rl = new MemoryRateLimiter({ now: () => t, sweepIntervalMs: 0 });
    for (let i = 0; i < 100; i++) await rl.hit(`k${i}`, 5, 1000);
    t = 500;
    await rl.hit('late', 5, 1000);
    rl.sweep();
    expect(rl.size).toBe(101);
    t = 1000;
    rl.sweep();
    expect(rl.size).toBe(1); // only 'late' is still inside its window
    t = 1500;
    rl.sweep();
    expect(rl.size).toBe(0);
    await rl.close();
  });

  it('sweeps on its own timer', async () => {
    let t = 0;
    const rl = new MemoryRateLimiter({ now: () => t, sweepIntervalMs: 10 });
    await rl.hit('a', 1, 1000);
    await rl.hit('b', 1, 1000);
    t = 5000;
    await sleep(60);
    expect(rl.size).toBe(0);
    await rl.close();
  });

  it('caps the wait at one window when the wall clock steps back', async () => {
    let t = 100_000;
    const rl = new MemoryRateLimiter({ now: () => t });
    await hitN(rl, 'k', 2, 1, 10_000);
    t = 0; // clock stepped back 100 s
    const d = await rl.hit('k', 1, 10_000);
    expect(d.allowed).toBe(false); // count kept: the step back grants nothing
    expect(d.resetSeconds).toBe(10);
    t = 10_000;
    expect((await rl.hit('k', 1, 10_000)).allowed).toBe(true);
    await rl.close();
  });
});

describe('RedisRateLimiter specifics', () => {
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    a = connect();
    b = connect();
    await Promise.all([a.ping(), b.ping()]);
  });
  afterAll(async () => {
    await deleteKeys(a, PREFIX);
    await Promise.all([a.quit(), b.quit()]);
  });

  it('is exact across two processes sharing one limit', async () => {
    // Two limiters on two connections stand in for two app processes.
    const one = new RedisRateLimiter(a, { prefix: PREFIX });
    const two = new RedisRateLimiter(b, { prefix: PREFIX });
    const key = freshKey('shared');
    const ds = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).hit(key, 120, 60_000)),
    );
    const allowed = ds.filter((d) => d.allowed);
    expect(allowed).toHaveLength(120);
    // Each allowed hit saw a distinct count, so remaining takes every value 119..0 exactly once.
    expect(allowed.map((d) => d.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    for (const d of ds.filter((x) => !x.allowed)) {
      expect(d.remaining).toBe(0);
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // Both connections saw both outcomes, so the split really exercised both clients.
    expect(ds.filter((d, i) => i % 2 === 0 && d.allowed).length).toBeGreaterThan(0);
    expect(ds.filter((d, i) => i % 2 === 1 && d.allowed).length).toBeGreaterThan(0);
    await Promise.all([one.close(), two.close()]);
  });

  it('stores the window under the prefix with a TTL no longer than the window', async () => {
    const rl = new RedisRateLimiter(a, { prefix: PREFIX });
    const key = freshKey('ttl');
    await rl.hit(key, 5, 30_000);
    const ttl = await a.pttl(PREFIX + key);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await rl.close();
  });

  it('heals a window key that has lost its TTL instead of blocking it forever', async () => {
    const rl = new RedisRateLimiter(a, { prefix: PREFIX });
    const key = freshKey('nottl');
    await a.set(PREFIX + key, '999');
    const d = await rl.hit(key, 5, 30_000);
    expect(d.allowed).toBe(false);
    expect(d.resetSeconds).toBe(30);
    expect(await a.pttl(PREFIX + key)).toBeGreaterThan(0);
    await rl.close();
  });

  it('leaves a borrowed connection open on close', async () => {
    const rl = new RedisRateLimiter(a, { prefix: PREFIX });
    await rl.hit(freshKey('borrowed'), 5, 1000);
    await rl.close();
    expect(await a.ping()).toBe('PONG');
  });

  it('quits the connection on close when told it owns it', async () => {
    const own = connect();
    const rl = new RedisRateLimiter(own, { prefix: PREFIX, ownsConnection: true });
    await rl.hit(freshKey('owned'), 5, 1000);
    await rl.close();
    expect(own.status).toBe('end');
  });
});
