import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './lib/logger.ts';
import type { ModuleContext } from './modules/context.ts';
import { MemoryRateLimiter } from './ratelimit/memory-rate-limiter.ts';
import type { RateLimiter } from './ratelimit/rate-limiter.ts';
import { RedisRateLimiter } from './ratelimit/redis-rate-limiter.ts';
import { openDb } from './store/db.ts';
import { Store } from './store/store.ts';

/**
 * The wiring: the only place that turns configuration into concrete adapters (which database,
 * which rate limiter) and hands them to the parts that only know the interfaces.
 */
export interface Runtime {
  config: Config;
  store: Store;
  ctx: ModuleContext;
  logger: Logger;
  rateLimiter: RateLimiter;
  redis: Redis | null;
  close(): Promise<void>;
}

/** Opens the store (migrating it) and the shared counters. */
export async function openRuntime(config: Config, logger = createLogger(config.logLevel)): Promise<Runtime> {
  const store = Store.open(openDb(config));
  await store.migrate();
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;
  // ioredis reconnects by itself; without a listener every failed attempt is an unhandled error.
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const rateLimiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  const ctx: ModuleContext = { store, currency: config.currency, idempotencyTtlMs: config.idempotencyTtlMs };
  return {
    config,
    store,
    ctx,
    logger,
    rateLimiter,
    redis,
    async close() {
      await rateLimiter.close();
      if (redis) await redis.quit().catch(() => undefined);
      await store.close();
    },
  };
}

/** Builds the HTTP app on a runtime. */
export async function createServer(rt: Runtime): Promise<FastifyInstance> {
  const redis = rt.redis;
  return buildApp({
    ctx: rt.ctx,
    rateLimiter: rt.rateLimiter,
    logger: rt.logger,
    trustProxy: rt.config.trustProxy,
    bodyLimit: rt.config.bodyLimit,
    emailBodyLimit: rt.config.emailBodyLimit,
    defaultRateLimitPerMinute: rt.config.defaultRateLimitPerMinute,
    ...(redis ? { ready: async () => void (await redis.ping()) } : {}),
  });
}

/** `hellio start` / `hellio api`: serve until SIGINT/SIGTERM, then drain and close. */
export async function serve(config: Config): Promise<void> {
  const rt = await openRuntime(config);
  const app = await createServer(rt);
  await app.listen({ port: config.port, host: config.host });
  const stop = async (signal: string) => {
    rt.logger.info({ signal }, 'shutting down');
    await app.close();
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
