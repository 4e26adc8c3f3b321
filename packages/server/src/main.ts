import { lookup, Resolver } from 'node:dns/promises';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { buildApp } from './http/app.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import type { ModuleContext } from './modules/context.ts';
import { receiptWriter, reconcileReceipts } from './modules/messages/receipts.ts';
import { type Channels, makeChannels } from './providers/channels.ts';
import { EmailSimulator } from './providers/email/email-simulator.ts';
import { SmtpProvider } from './providers/email/smtp-provider.ts';
import { type InboxEntry, SmsSimulator } from './providers/sms/sms-simulator.ts';
import type { SmsProvider } from './providers/sms/sms-provider.ts';
import { SmppProvider } from './providers/sms/smpp-provider.ts';
import { HttpSmsProvider } from './providers/sms/http-sms-provider.ts';
import { VoiceSimulator } from './providers/voice/voice-simulator.ts';
import { SipTrunk } from './providers/voice/sip-trunk.ts';
import { voiceHandlers } from './workers/voice-call.ts';
import type { Speech } from './modules/voice/speech.ts';
import { WorkerSpeechSynthesizer } from './providers/voice/tts/worker-speech-synthesizer.ts';
import { catalogueDefinitions, type JobHandlers } from './queue/handlers.ts';
import { Worker } from './queue/worker.ts';
import { newId } from './lib/ids.ts';
import { deliveryHandlers } from './workers/deliver.ts';
import { openOtp } from './modules/otp/deps.ts';
import { EmailVerifier } from './modules/email-verify/verifier.ts';
import { webhookHandlers } from './workers/webhook-deliver.ts';
import { HttpWebhookSender } from './providers/webhooks/http-webhook-sender.ts';
import { MemoryRateLimiter } from './ratelimit/memory-rate-limiter.ts';
import type { RateLimiter } from './ratelimit/rate-limiter.ts';
import { RedisRateLimiter } from './ratelimit/redis-rate-limiter.ts';
import { openDb } from './store/db.ts';
import { AcceptCommitter } from './modules/accept/committer.ts';
import { IdempotencyClaims } from './modules/access/idempotency.ts';
import { Store } from './store/store.ts';
import { PlatformMailer } from './modules/people/platform-mail.ts';
import { Background } from './lib/background.ts';
import { lasting } from './modules/people/emails.ts';
import { issueSetupLink } from './modules/people/setup.ts';
import { locateDashboard } from './http/dashboard-build.ts';
import type { DashboardBuild } from './http/dashboard.ts';

/**
 * The wiring: the only place that turns configuration into concrete adapters (which database,
 * which rate limiter) and hands them to the parts that only know the interfaces.
 */
export interface Runtime {
  config: Config;
  store: Store;
  /** Where every module, worker and receipt reads the time. */
  clock: Clock;
  ctx: ModuleContext;
  logger: Logger;
  rateLimiter: RateLimiter;
  redis: Redis | null;
  channels: Channels;
  /** A worker over every job kind (not started). */
  createWorker(opts?: { concurrency?: number; pollMs?: number }): Worker;
  close(): Promise<void>;
}

/** The simulated phones' and mailboxes' inbox lives in the database, so `hellio sandbox inbox` sees it from any process. */
function inboxSink(store: Store, clock: Clock) {
  return async (e: InboxEntry) => {
    const m = await store.delivery.getMessage(e.messageId);
    if (!m) return;
    await store.delivery.addInbox({
      id: newId('inb'),
      account_id: m.account_id,
      message_id: e.messageId,
      channel: e.channel,
      sender: e.sender,
      recipient: e.recipient,
      subject: e.subject,
      body: e.body,
      created_at: clock.now(),
    });
  };
}

/** The channel adapters: simulators unless a network is configured (live adapters arrive with their issue). */
function buildChannels(store: Store, clock: Clock, config: Config, logger: Logger): Channels {
  const inbox = inboxSink(store, clock);
  const smsSandbox = new SmsSimulator({ inbox });
  const emailSandbox = new EmailSimulator({ inbox });
  const smpp = config.smppUrl ? SmppProvider.fromUrl(config.smppUrl, { logger, windowSize: config.smppWindow }) : null;
  const http = config.httpSmsProviders.map((c) => new HttpSmsProvider(c));
  const sms: SmsProvider[] = [smsSandbox, ...(smpp ? [smpp] : []), ...http];
  const writeReceipt = receiptWriter(store, clock);
  for (const p of new Set([...sms, smsSandbox])) {
    p.onReceipt((r) =>
      writeReceipt(p.name, r).catch((err: unknown) => {
        logger.error({ err }, 'could not apply a delivery receipt');
        throw err;
      }),
    );
  }
  // Built lazily by nodemailer: no connection is opened until the first message.
  const emailLive = config.smtpUrl ? SmtpProvider.fromUrl(config.smtpUrl, { logger }) : emailSandbox;
  const voiceSandbox = new VoiceSimulator({ speed: config.voiceSimulatorSpeed });
  const trunks = config.sipTrunks.map((t) => new SipTrunk({ name: t.name, url: t.url }));
  return makeChannels({
    sms,
    defaultSms: smpp ? smpp.name : smsSandbox.name,
    smsSandbox,
    voice: [voiceSandbox, ...trunks],
    defaultVoice: trunks[0]?.name ?? voiceSandbox.name,
    voiceSandbox,
    emailLive,
    emailSandbox,
  });
}

/**
 * Host names → addresses for the webhook guard: through HELLIO_DNS_SERVERS when set (both
 * families), else the system's resolver (which also reads /etc/hosts).
 */
function hostResolver(resolver: Resolver, custom: boolean): (host: string) => Promise<string[]> {
  if (!custom) return async (host) => (await lookup(host, { all: true })).map((a) => a.address);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (found.length === 0 && v4.status === 'rejected') throw v4.reason;
    return found;
  };
}

/**
 * Email verification gets a resolver of its own: it looks up domains that callers choose, so each
 * query is bounded by HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS (two tries) rather than the system default.
 */
function buildEmailVerifier(config: Config): EmailVerifier {
  const resolver = new Resolver({ timeout: config.emailVerify.dnsTimeoutMs, tries: 2 });
  if (config.dnsServers.length > 0) resolver.setServers(config.dnsServers);
  return new EmailVerifier(
    {
      resolveMx: (name) => resolver.resolveMx(name),
      resolve4: (name) => resolver.resolve4(name),
      resolve6: (name) => resolver.resolve6(name),
    },
    config.emailVerify,
  );
}

// Messages one group commit writes at most: big enough to amortise a commit, small enough that
// one transaction never holds the wallet rows long.
const ACCEPT_BATCH_MESSAGES = 2_000;

/** Opens the store (migrating it) and the shared counters. */
export async function openRuntime(config: Config, logger = createLogger(config.logLevel), opts: { clock?: Clock } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const store = Store.open(openDb(config), { currency: config.currency });
  await store.migrate();
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;
  // ioredis reconnects by itself; without a listener every failed attempt is an unhandled error.
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const rateLimiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  const otp = await openOtp(store, config.otp, rateLimiter, clock.now());
  const resolver = new Resolver();
  if (config.dnsServers.length > 0) resolver.setServers(config.dnsServers);
  const webhookSender = new HttpWebhookSender({
    resolve: hostResolver(resolver, config.dnsServers.length > 0),
    allowPrivate: config.webhooksAllowPrivate,
    timeoutMs: config.webhookTimeoutMs,
  });
  // One writer (SQLite): one batch at a time makes the biggest batches (measured best). With
  // concurrent writers (PostgreSQL), batches of different accounts do not wait for each other.
  const writers = config.acceptBatches ?? (store.capabilities.concurrentWriters ? 4 : 1);
  // Engines start in worker threads at the first synthesis, so an API process that never speaks pays nothing.
  const speech: Speech = new WorkerSpeechSynthesizer();
  const ctx: ModuleContext = {
    store,
    clock,
    accepts: new AcceptCommitter(store, clock, { concurrency: writers, maxMessages: ACCEPT_BATCH_MESSAGES }),
    idempotency: new IdempotencyClaims(store, clock),
    currency: config.currency,
    idempotencyTtlMs: config.idempotencyTtlMs,
    mailDns: {
      resolveTxt: (name) => resolver.resolveTxt(name),
      spfInclude: config.spfInclude,
      returnPathHost: config.returnPathHost,
    },
    webhookSender,
    otp,
    emailVerifier: buildEmailVerifier(config),
    people: {
      settings: config.people,
      limiter: rateLimiter,
      mail: new PlatformMailer(() => ctx, config.people.mailFrom),
      later: new Background((err) => logger.error({ err }, 'work started by a request failed')),
    },
    speech,
  };
  const channels = buildChannels(store, clock, config, logger);
  // Every kind of the job catalogue with its handler (the type makes a missing one an error).
  const handlers: JobHandlers = {
    ...deliveryHandlers({ store, channels, clock, otpKeys: otp.keys }),
    ...webhookHandlers({ store, sender: webhookSender, clock }, { timeoutMs: config.webhookTimeoutMs }),
    ...voiceHandlers({ store, clock, channels, speech, otpKeys: otp.keys, currency: config.currency, log: (msg, extra) => logger.warn(extra, msg) }),
  };
  return {
    config,
    store,
    clock,
    ctx,
    logger,
    rateLimiter,
    redis,
    channels,
    createWorker: (opts = {}) =>
      new Worker({
        store,
        definitions: catalogueDefinitions(handlers),
        logger,
        clock,
        concurrency: opts.concurrency ?? config.workerConcurrency,
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        ...(config.jobLeaseMs !== null ? { leaseMs: config.jobLeaseMs } : {}),
      }),
    async close() {
      await ctx.people.later.settled();
      await channels.close();
      await speech.close();
      await webhookSender.close();
      await rateLimiter.close();
      if (redis) await redis.quit().catch(() => undefined);
      await store.close();
    },
  };
}

/** Builds the HTTP app on a runtime; `dashboard` is what /dashboard/ serves (none in tests that do not ask). */
export async function createServer(rt: Runtime, dashboard: DashboardBuild | null = null): Promise<FastifyInstance> {
  const redis = rt.redis;
  return buildApp({
    ctx: rt.ctx,
    channels: rt.channels,
    rateLimiter: rt.rateLimiter,
    logger: rt.logger,
    trustProxy: rt.config.trustProxy,
    bodyLimit: rt.config.bodyLimit,
    emailBodyLimit: rt.config.emailBodyLimit,
    defaultRateLimitPerMinute: rt.config.defaultRateLimitPerMinute,
    ...(redis ? { ready: async () => void (await redis.ping()) } : {}),
    providerCallbackToken: rt.config.providerCallbackToken,
    dashboard,
  });
}

/**
 * First run: while no user exists, every API process that starts prints a fresh one-time link to
 * the page that creates the first operator — to the log and, on a line of its own, to the console,
 * so that `npm start` shows it to a newcomer. It is the one secret the server ever prints
 * (docs/people.md): whoever opens it first becomes the operator.
 */
export async function announceSetupLink(rt: Pick<Runtime, 'ctx' | 'logger'>, out: (line: string) => void = console.log): Promise<string | null> {
  const link = await issueSetupLink(rt.ctx, rt.ctx.people.settings);
  if (link === null) return null;
  const ttl = lasting(rt.ctx.people.settings.setupTtlMs);
  rt.logger.info({ setup_url: link }, `no user exists yet: open the setup link to create the first operator (single use, valid for ${ttl})`);
  out(
    `\n  Hellio has no user yet. Create the first operator here (the link works once, for ${ttl}):\n\n    ${link}\n\n` +
      `  Without a browser: POST /auth/setup with {"token", "email", "password"} (docs/people.md).\n`,
  );
  return link;
}

// How often workers apply receipts that raced the commit of their network id.
const RECONCILE_EVERY_MS = 2_000;

/**
 * `hellio start` (API and workers), `hellio api`, `hellio worker`: run until SIGINT/SIGTERM,
 * then stop taking work, finish what is in hand, and close.
 */
export async function serve(config: Config, roles: { api: boolean; worker: boolean; buildDashboard?: boolean }): Promise<void> {
  const rt = await openRuntime(config);
  const app = roles.api ? await createServer(rt, await locateDashboard(rt.logger, { rebuild: roles.buildDashboard === true })) : null;
  const worker = roles.worker ? rt.createWorker() : null;
  if (worker) {
    for (const p of rt.channels.sms.values()) {
      p.connect?.().catch((err: unknown) => rt.logger.warn({ err, provider: p.name }, 'could not connect yet; retrying in the background'));
    }
    worker.start();
  }
  const sweeper = worker
    ? setInterval(() => {
        reconcileReceipts(rt.store, rt.clock.now()).catch((err: unknown) => rt.logger.error({ err }, 'reconciling receipts failed'));
      }, RECONCILE_EVERY_MS)
    : null;
  if (app) await app.listen({ port: config.port, host: config.host });
  rt.logger.info({ roles, worker: worker?.id }, 'hellio running');
  if (app) await announceSetupLink(rt);
  const stop = async (signal: string) => {
    rt.logger.info({ signal }, 'shutting down');
    await app?.close();
    if (sweeper) clearInterval(sweeper);
    await worker?.stop();
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
