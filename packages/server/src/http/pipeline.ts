import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validationError } from '../lib/errors.ts';
import { authenticate } from '../modules/access/auth.ts';
import type { ModuleContext } from '../modules/context.ts';
import type { RateLimiter } from '../ratelimit/rate-limiter.ts';
import { CREDENTIALS } from './credentials.ts';

export interface PipelineOptions {
  ctx: ModuleContext;
  rateLimiter: RateLimiter;
  defaultRateLimitPerMinute: number;
}

const MINUTE_MS = 60_000;
const PRINTABLE = /^[\x21-\x7e]{1,255}$/;

function requestHash(req: FastifyRequest): string {
  let body: string;
  try {
    body = JSON.stringify(req.body ?? null);
  } catch (err) {
    // The parser takes JSON nested deeper than stringify can walk back (tens of thousands of
    // levels; the schema, which runs after this hook, would refuse such a body anyway).
    if (err instanceof RangeError) throw validationError([{ field: 'body', message: 'is nested too deeply' }]);
    throw err;
  }
  return createHash('sha256').update(`${req.method} ${req.routeOptions.url}\n`).update(body).digest('base64url');
}

/**
 * SPEC §2 steps 1–6 on every route that declares a scope: authentication (the key found in the
 * route's credential form, http/credentials.ts), account status,
 * allowlist and scope (one look-up), then the per-key rate limit, then Idempotency-Key.
 * Validation (7) is the route schema; caps and wallet (8–9) happen in the accept transaction.
 */
export function installPipeline(app: FastifyInstance, opts: PipelineOptions): void {
  const { ctx, rateLimiter } = opts;
  app.decorateRequest('principal', null);
  app.decorateRequest('idempotency', null);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const scope = req.routeOptions.config.scope;
    if (scope === undefined) return;
    const credentials = CREDENTIALS[req.routeOptions.config.credentials ?? 'bearer'](req);
    const principal = await authenticate(ctx.store, {
      ...credentials,
      clientIp: req.ip,
      scope: scope === 'send' ? null : scope,
      now: ctx.clock.now(),
    });
    if (scope === 'send' && !principal.scopes.has('sms:send') && !principal.scopes.has('email:send')) {
      throw new AppError('insufficient_scope', 'This API key lacks the "sms:send" or "email:send" scope this endpoint needs');
    }
    const limit = principal.rateLimitPerMinute ?? opts.defaultRateLimitPerMinute;
    const d = await rateLimiter.hit(`key:${principal.keyId}`, limit, MINUTE_MS);
    reply.headers({
      'x-ratelimit-limit': String(d.limit),
      'x-ratelimit-remaining': String(d.remaining),
      'x-ratelimit-reset': String(d.resetSeconds),
    });
    if (!d.allowed) {
      throw new AppError('rate_limited', `Rate limit of ${d.limit} requests per minute exceeded; retry in ${d.retryAfterSeconds} s`, {
        headers: { 'retry-after': String(d.retryAfterSeconds) },
      });
    }
    req.principal = principal;
  });

  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config.idempotent || !req.principal) return;
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0]! : raw;
    if (!PRINTABLE.test(key)) {
      throw validationError([{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }]);
    }
    const outcome = await ctx.idempotency.begin({
      accountId: req.principal.accountId,
      key,
      requestHash: requestHash(req),
      ttlMs: ctx.idempotencyTtlMs,
    });
    if (outcome.kind === 'replay') {
      return reply
        .code(outcome.status)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(outcome.body);
    }
    req.idempotency = { claim: outcome.claim, settled: false };
  });

  // The key is held in this process while its request runs; answered, it is free again.
  app.addHook('onResponse', async (req: FastifyRequest) => {
    if (req.idempotency) ctx.idempotency.release(req.idempotency.claim);
  });
}
