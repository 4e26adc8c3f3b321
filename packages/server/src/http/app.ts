import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { ModuleContext } from '../modules/context.ts';
import type { Channels } from '../providers/channels.ts';
import type { RateLimiter } from '../ratelimit/rate-limiter.ts';
import type { RouteEntry } from './types.ts';
import { serveDashboard, type DashboardBuild } from './dashboard.ts';
import { installErrorHandling } from './errors.ts';
import { installDrain } from './drain.ts';
import { AccessLog } from './access-log.ts';
import type { HttpLimits } from '../lib/http-limits.ts';
import { clientErrorHandler, eventLoopBusy, frameworkErrors, installLoadShedding, installStrictJsonParser, serverOptions } from './edge.ts';
import { schemaCompilers } from './schema-compilers.ts';
import { installPipeline } from './pipeline.ts';
import { installSessions } from './session.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { memberRoutes } from './routes/members.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { setupRoutes } from './routes/setup.ts';
import { signupRoutes } from './routes/signup.ts';
import { totpRoutes } from './routes/totp.ts';
import { accountRoutes } from './routes/accounts.ts';
import { accountAllowlistRoutes } from './routes/account-allowlist.ts';
import { accountBillingRoutes } from './routes/account-billing.ts';
import { accountKeyRoutes } from './routes/account-keys.ts';
import { accountSenderRoutes } from './routes/account-senders.ts';
import { accountTrafficRoutes } from './routes/account-traffic.ts';
import { balanceRoutes } from './routes/balance.ts';
import { domainRoutes } from './routes/domains.ts';
import { providerCallbackRoutes } from './routes/provider-callbacks.ts';
import { emailRoutes } from './routes/email.ts';
import { resendRoutes } from './routes/resend.ts';
import { emailVerifyRoutes } from './routes/email-verify.ts';
import { healthRoutes } from './routes/health.ts';
import { type MetricsExporter, metricsRoutes, timeRequests } from './routes/metrics.ts';
import { lookupRoutes } from './routes/lookup.ts';
import { voiceRoutes } from './routes/voice.ts';
import { otpRoutes } from './routes/otp.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { messageRoutes } from './routes/messages.ts';
import { inboundEmailRoutes } from './routes/inbound-email.ts';
import { smsRoutes } from './routes/sms.ts';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { errorSchema, errorSchemas } from './schemas/common.ts';
import { transformDocument, transformRoute } from './openapi.ts';
import { TWILIO_PREFIX, twilioRoutes } from './compat/twilio.ts';
import { kannelRoutes } from './compat/kannel.ts';
import { suppressionRoutes } from './routes/suppressions.ts';
import { numberRoutes } from './routes/numbers.ts';

export interface AppDeps {
  ctx: ModuleContext;
  channels: Channels;
  rateLimiter: RateLimiter;
  logger: Logger;
  trustProxy: string[];
  bodyLimit: number;
  emailBodyLimit: number;
  defaultRateLimitPerMinute: number;
  /** Secret that HTTP providers' status callbacks carry; null turns the callback route off. */
  providerCallbackToken: string | null;
  /** The dashboard's build to serve at /dashboard/; null leaves the path unrouted. */
  dashboard?: DashboardBuild | null;
  /** Backing services that are down but worked around (Redis → per-process limits); /readyz names them. */
  degraded?: () => string[];
  /** Timeouts and caps of the HTTP server (docs/reliability.md). */
  limits: HttpLimits;
  /** The process's metrics, served at /metrics with the token that opens it to other addresses; absent: no /metrics. */
  metrics?: { exporter: MetricsExporter; token: string | null };
}

/** Builds the HTTP API; knows nothing of which database, limiter or channels sit behind it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const compilers = schemaCompilers();
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => newId('req'),
    logController: new AccessLog(),
    // Only the configured proxies may speak for the client through X-Forwarded-For.
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
    bodyLimit: deps.bodyLimit,
    // Bodies are validated strictly, query strings and path parameters with coercion; schemas compile on first use (schema-compilers.ts).
    schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } },
    ...serverOptions(deps.limits),
    clientErrorHandler: clientErrorHandler(deps.logger),
    frameworkErrors,
  }) as unknown as FastifyInstance;
  compilers.attach(app);
  // Connections beyond the cap are closed as they arrive: each one costs memory before it says anything.
  app.server.maxConnections = deps.limits.maxConnections;
  // First of all hooks: a shed request costs nothing more than its answer.
  installLoadShedding(app, {
    maxInFlight: deps.limits.maxInFlight,
    busy: deps.limits.maxEventLoopDelayMs > 0 ? eventLoopBusy(deps.limits.maxEventLoopDelayMs) : null,
  });
  installStrictJsonParser(app);
  // The API speaks JSON only; Fastify's built-in text/plain parser would hand a string to the
  // schema (422) instead of answering 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Before sessions and the pipeline: a request refused while stopping costs no lookup nor rate-limit hit.
  installDrain(app);
  // Every route as registered, with what the pipeline reads of it (tests walk it: test/http/security.test.ts).
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      const c = r.config ?? {};
      routeTable.push({
        method,
        url: r.url,
        scope: c.scope,
        idempotent: c.idempotent === true,
        auth: c.scope !== undefined ? 'key' : (c.auth ?? 'public'),
        credentials: c.credentials ?? 'bearer',
        permission: c.permission,
        operator: c.operator === true,
      });
    }
  });
  installErrorHandling(app, deps.ctx.idempotency, routeTable);
  // Before sessions and the pipeline: they look up ids of the URL in the database.
  app.addHook('onRequest', async (req) => refuseNul({ params: req.params, query: req.query }));
  await installSessions(app, deps.ctx);
  installPipeline(app, { ctx: deps.ctx, rateLimiter: deps.rateLimiter, defaultRateLimitPerMinute: deps.defaultRateLimitPerMinute });
  for (const schema of [errorSchema, ...errorSchemas]) app.addSchema(schema);
  app.addHook('preValidation', async (req) => refuseNul({ body: req.body }));
  // Before the other routes: its hook times every one of them.
  if (deps.metrics) timeRequests(app, deps.metrics.exporter);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hellio API',
        version: '0.1.0',
        description: 'Email, SMS, OTP, voice, lookups and webhooks. Errors: {code, message, detail[, errors]}.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'Authorization: Bearer cs_… (a bare "Authorization: cs_…" works too)',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'hellio_session',
            description: 'The dashboard\'s session (POST /auth/login). State-changing requests also send X-CSRF-Token: the csrf_token of GET /auth/me.',
          },
          providerToken: { type: 'apiKey', in: 'query', name: 'token', description: 'HELLIO_PROVIDER_CALLBACK_TOKEN' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'HELLIO_METRICS_TOKEN (GET /metrics from addresses that are not loopback or private)' },
        },
      },
    },
    transform: transformRoute,
    transformObject: transformDocument,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  emailRoutes(app, deps.ctx, { bodyLimit: deps.emailBodyLimit });
  await resendRoutes(app, deps.ctx, { bodyLimit: deps.emailBodyLimit });
  smsRoutes(app, deps.ctx);
  otpRoutes(app, deps.ctx);
  lookupRoutes(app, deps.ctx);
  voiceRoutes(app, deps.ctx);
  emailVerifyRoutes(app, deps.ctx);
  balanceRoutes(app, deps.ctx);
  messageRoutes(app, deps.ctx);
  inboundEmailRoutes(app, deps.ctx);
  campaignRoutes(app, deps.ctx);
  suppressionRoutes(app, deps.ctx);
  numberRoutes(app, deps.ctx);
  domainRoutes(app, deps.ctx);
  webhookRoutes(app, deps.ctx);
  webhookDeliveryRoutes(app, deps.ctx);
  providerCallbackRoutes(app, deps.channels, deps.providerCallbackToken);
  authRoutes(app, deps.ctx);
  setupRoutes(app, deps.ctx);
  signupRoutes(app, deps.ctx);
  passwordResetRoutes(app, deps.ctx);
  memberRoutes(app, deps.ctx);
  totpRoutes(app, deps.ctx);
  adminRoutes(app, deps.ctx, deps.channels);
  accountRoutes(app, deps.ctx);
  accountKeyRoutes(app, deps.ctx);
  accountAllowlistRoutes(app, deps.ctx);
  accountSenderRoutes(app, deps.ctx);
  accountBillingRoutes(app, deps.ctx);
  accountTrafficRoutes(app, deps.ctx);
  await app.register(twilioRoutes, { ctx: deps.ctx, prefix: TWILIO_PREFIX });
  await app.register(kannelRoutes, { ctx: deps.ctx });
  healthRoutes(app, deps.ctx, deps.degraded ? { degraded: deps.degraded } : {});
  if (deps.metrics) metricsRoutes(app, deps.metrics.exporter, deps.metrics.token);
  if (deps.dashboard) await serveDashboard(app, deps.dashboard);
  return app;
}

// A NUL character is valid JSON and a valid URL escape, but PostgreSQL refuses it in text
// (SQLite would store it): refused on both backends as bad input.
function refuseNul(parts: Record<string, unknown>): void {
  const field = nulField(parts);
  if (field) throw new AppError('validation_failed', undefined, { errors: [{ field, message: 'must not contain the NUL character' }] });
}

/** The path of the first string (or key) holding U+0000 in a parsed request, or null. */
function nulField(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return at;
    const found = nulField(v, at, depth + 1);
    if (found) return found;
  }
  return null;
}
