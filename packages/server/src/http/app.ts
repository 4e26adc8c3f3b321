import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { newId } from '../lib/ids.ts';
import type { ModuleContext } from '../modules/context.ts';
import type { Channels } from '../providers/channels.ts';
import type { RateLimiter } from '../ratelimit/rate-limiter.ts';
import type { RouteEntry } from './types.ts';
import { serveDashboard, type DashboardBuild } from './dashboard.ts';
import { installErrorHandling } from './errors.ts';
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
import { emailVerifyRoutes } from './routes/email-verify.ts';
import { healthRoutes } from './routes/health.ts';
import { lookupRoutes } from './routes/lookup.ts';
import { voiceRoutes } from './routes/voice.ts';
import { otpRoutes } from './routes/otp.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { messageRoutes } from './routes/messages.ts';
import { smsRoutes } from './routes/sms.ts';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { errorSchema } from './schemas/common.ts';

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
  /** Extra readiness checks (Redis, when used). */
  ready?: () => Promise<void>;
}

/** Builds the HTTP API; knows nothing of which database, limiter or channels sit behind it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => newId('req'),
    // Only the configured proxies may speak for the client through X-Forwarded-For.
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
    bodyLimit: deps.bodyLimit,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  }) as unknown as FastifyInstance;
  // The API speaks JSON only; Fastify's built-in text/plain parser would hand a string to the
  // schema (422) instead of answering 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
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
        permission: c.permission,
        operator: c.operator === true,
      });
    }
  });
  installErrorHandling(app, deps.ctx.idempotency);
  await installSessions(app, deps.ctx);
  installPipeline(app, { ctx: deps.ctx, rateLimiter: deps.rateLimiter, defaultRateLimitPerMinute: deps.defaultRateLimitPerMinute });
  app.addSchema(errorSchema);

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
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  emailRoutes(app, deps.ctx, { bodyLimit: deps.emailBodyLimit });
  smsRoutes(app, deps.ctx);
  otpRoutes(app, deps.ctx);
  lookupRoutes(app, deps.ctx);
  voiceRoutes(app, deps.ctx);
  emailVerifyRoutes(app, deps.ctx);
  balanceRoutes(app, deps.ctx);
  messageRoutes(app, deps.ctx);
  campaignRoutes(app, deps.ctx);
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
  healthRoutes(app, deps.ctx, deps.ready ? { ready: deps.ready } : {});
  if (deps.dashboard) await serveDashboard(app, deps.dashboard);
  return app;
}
