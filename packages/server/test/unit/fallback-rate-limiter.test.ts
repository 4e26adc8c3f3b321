import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FallbackRateLimiter } from '../../src/ratelimit/fallback-rate-limiter.ts';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.ts';
import { RedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.ts';
import { until } from '../support/wait.ts';

/**
 * A Redis of our own (redis-server on a free port), so that it can really be killed, frozen and
 * restarted under two limiters, as it would be under two API processes.
 */

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

let port: number;
let server: ChildProcess | null = null;

async function startRedis(): Promise<void> {
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused until the server listens
  await until('our redis-server to answer', async () => {
    try {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    }
  }, { timeoutMs: 10_000, everyMs: 50 });
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  if (!server) return;
  const exited = once(server, 'exit');
  server.kill('SIGKILL');
  await exited;
  server = null;
}

/** Two processes' limiters on our Redis, with what they logged. */
function twoProcesses(timeoutMs = 300) {
  const prefix = `hellio:rl:fallback:${randomUUID()}:`;
  const events: string[] = [];
  const make = (name: string) => {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    const limiter = new FallbackRateLimiter(new RedisRateLimiter(redis, { prefix }), new MemoryRateLimiter(), {
      available: () => redis.status === 'ready',
      timeoutMs,
      onDegraded: (degraded) => events.push(`${name}:${degraded ? 'degraded' : 'shared'}`),
    });
    return { redis, limiter };
  };
  const one = make('one');
  const two = make('two');
  return {
    one,
    two,
    events,
    async close() {
      await one.limiter.close();
      await two.limiter.close();
      one.redis.disconnect();
      two.redis.disconnect();
    },
  };
}

describe('FallbackRateLimiter on a real Redis that goes away and comes back', () => {
  beforeAll(async () => {
    port = await freePort();
    await startRedis();
  });
  afterAll(async () => {
    if (server?.pid) process.kill(server.pid, 'SIGCONT');
    await stopRedis();
  });

  it('shares one count between processes while Redis answers', async () => {
    const p = twoProcesses();
    try {
      await until('both connected', async () => p.one.redis.status === 'ready' && p.two.redis.status === 'ready');
      expect((await p.one.limiter.hit('k', 3, 60_000)).remaining).toBe(2);
      expect((await p.two.limiter.hit('k', 3, 60_000)).remaining).toBe(1);
      expect((await p.one.limiter.hit('k', 3, 60_000)).remaining).toBe(0);
      expect((await p.two.limiter.hit('k', 3, 60_000)).allowed).toBe(false);
      expect(p.one.limiter.degraded || p.two.limiter.degraded).toBe(false);
      expect(p.events).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('counts per process while Redis is down, fails no hit, and shares again once it is back', async () => {
    const p = twoProcesses();
    try {
      await until('both connected', async () => p.one.redis.status === 'ready' && p.two.redis.status === 'ready');
      expect((await p.one.limiter.hit('k', 2, 60_000)).remaining).toBe(1);

      await stopRedis();
      // Every hit is answered: from each process's own count, so each allows the limit on its own.
      const oneSide = [];
      const twoSide = [];
      for (let i = 0; i < 3; i++) oneSide.push(await p.one.limiter.hit('k', 2, 60_000));
      for (let i = 0; i < 3; i++) twoSide.push(await p.two.limiter.hit('k', 2, 60_000));
      expect(oneSide.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(twoSide.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(oneSide[2]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(p.one.limiter.degraded && p.two.limiter.degraded).toBe(true);
      expect(p.events.sort()).toEqual(['one:degraded', 'two:degraded']);

      await startRedis();
      await until('both reconnected', async () => p.one.redis.status === 'ready' && p.two.redis.status === 'ready', { timeoutMs: 15_000 });
      // A fresh Redis has no count: the shared window starts again, and both processes meet in it.
      expect((await p.one.limiter.hit('fresh', 2, 60_000)).remaining).toBe(1);
      expect((await p.two.limiter.hit('fresh', 2, 60_000)).remaining).toBe(0);
      expect(p.one.limiter.degraded || p.two.limiter.degraded).toBe(false);
      expect(p.events.sort()).toEqual(['one:degraded', 'one:shared', 'two:degraded', 'two:shared']);
    } finally {
      await p.close();
    }
  });

  it('decides alone when a connected Redis stops answering (frozen), and does not wait past the timeout each time', async () => {
    const p = twoProcesses(200);
    try {
      await until('connected', async () => p.one.redis.status === 'ready');
      process.kill(server!.pid!, 'SIGSTOP');
      try {
        const first = await p.one.limiter.hit('frozen', 1, 60_000);
        expect(first.allowed).toBe(true);
        expect(p.one.limiter.degraded).toBe(true);
        expect((await p.one.limiter.hit('frozen', 1, 60_000)).allowed).toBe(false);
      } finally {
        process.kill(server!.pid!, 'SIGCONT');
      }
      await until('answering again', async () => {
        await p.one.limiter.hit('thaw', 100, 60_000);
        return !p.one.limiter.degraded;
      }, { timeoutMs: 10_000 });
      expect(p.events).toEqual(['one:degraded', 'one:shared']);
    } finally {
      await p.close();
    }
  });

  it('lets a caller bug (a bad limit) surface instead of hiding it behind the fallback', async () => {
    const p = twoProcesses();
    try {
      await until('connected', async () => p.one.redis.status === 'ready');
      await expect(p.one.limiter.hit('bad', -1, 1000)).rejects.toThrow(RangeError);
      expect(p.one.limiter.degraded).toBe(false);
    } finally {
      await p.close();
    }
  });
});
