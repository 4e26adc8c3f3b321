import { lookup, Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
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
import type { Speech } from './modules/voice/speech.ts';
import { WorkerSpeechSynthesizer } from './providers/voice/tts/worker-speech-synthesizer.ts';
import { newId } from './lib/ids.ts';
import { loadPackage } from './lib/load-package.ts';
import { SmsReceiver } from './modules/inbound/receive.ts';
import { openOtp } from './modules/otp/deps.ts';
import { EmailVerifier } from './modules/email-verify/verifier.ts';
import { HttpFileFetcher } from './providers/files/http-file-fetcher.ts';
import { HttpWebhookSender } from './providers/webhooks/http-webhook-sender.ts';
import { MemoryRateLimiter } from './ratelimit/memory-rate-limiter.ts';
import type { RateLimiter } from './ratelimit/rate-limiter.ts';
import { RedisRateLimiter } from './ratelimit/redis-rate-limiter.ts';
import { FallbackRateLimiter } from './ratelimit/fallback-rate-limiter.ts';
import { type DbOptions, openDb } from './store/db.ts';
import { Metrics } from './metrics/metrics.ts';
import { AcceptCommitter } from './modules/accept/committer.ts';
import { IdempotencyClaims } from './modules/access/idempotency.ts';
import { Store } from './store/store.ts';
import { PlatformMailer } from './modules/people/platform-mail.ts';
import { Background } from './lib/background.ts';
import { lasting } from './modules/people/emails.ts';
import { issueSetupLink } from './modules/people/setup.ts';
import { type Drain, drainOf } from './http/drain.ts';
import type { DashboardBuild } from './http/dashboard.ts';
import { SecretBox } from './lib/sealed-secrets.ts';
import { ensurePrivateDir, loadOrCreateKeyFile, readKeyFile } from './lib/secret-key-file.ts';
import { checkSecretKey, KEY_CHECK, KEY_CHECK_TEXT, sealPlaintextSecrets } from './modules/admin/secrets-at-rest.ts';
import { rmSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { AppError } from './lib/errors.ts';
import { MIGRATIONS } from './store/migrations/index.ts';
import type { MessagePort } from 'node:worker_threads';
import type { Signals } from './lib/signals.ts';
import { loadConfig } from './config/config.ts';
import { ThreadWriteLock } from './store/thread-write-lock.ts';
import { DeliveryThread, forwardedSignals, snapshotStates, STATE_REPORT_MS } from './main/delivery-thread.ts';
import type { ServingParts } from './main/serving.ts';
import {
  DATABASE_FILE,
  DatabaseFileError,
  type DatabaseFileInfo,
  inspectSqliteFile,
  replaceSqliteDatabase,
  stageSqliteCopy,
  storedServerSecret,
} from './store/sqlite-files.ts';

/**
 * The wiring: the only place that turns configuration into concrete adapters (which database,
 * which rate limiter) and hands them to the parts that only know the interfaces. An admin
 * runtime is what one CLI command needs; `Runtime` adds what serving processes run.
 */
export interface AdminRuntime {
  config: Config;
  store: Store;
  /** Where every module, worker and receipt reads the time. */
  clock: Clock;
  ctx: ModuleContext;
  logger: Logger;
  rateLimiter: RateLimiter;
  redis: Redis | null;
  channels: Channels;
  /** The keyring that seals secrets at rest (HELLIO_SECRET_KEY or the key file). */
  secrets: SecretBox;
  /** This runtime's Prometheus metrics (its own registry): the store's signals feed it, /metrics shows it. */
  metrics: Metrics;
  close(): Promise<void>;
}

/** A runtime that serves: the admin one with the worker, recurring jobs and inbound mail (src/main/serving.ts). */
export interface Runtime extends AdminRuntime, ServingParts {}

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
  const receiver = new SmsReceiver({ store, clock, log: logger });
  for (const p of new Set([...sms, smsSandbox])) {
    p.onInbound?.((part) =>
      receiver.receive(p.name, part).then(
        () => undefined,
        (err: unknown) => {
          logger.error({ err }, 'could not store an inbound SMS');
          throw err;
        },
      ),
    );
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
 * Redis's counters, and this process's own while Redis cannot answer (a second at most), so an
 * outage neither fails nor stalls a request (docs/reliability.md, "Redis gone").
 */
function fallbackLimiter(redis: Redis, logger: Logger): FallbackRateLimiter {
  return new FallbackRateLimiter(new RedisRateLimiter(redis), new MemoryRateLimiter(), {
    available: () => redis.status === 'ready',
    timeoutMs: 1_000,
    onDegraded: (degraded, err) =>
      degraded
        ? logger.warn({ err: err?.message }, 'redis unavailable: rate limits are counted per process until it is back')
        : logger.info('redis is back: rate limits are shared again'),
  });
}

/**
 * Gives Redis a moment to connect, so that the first requests share their counts; a Redis that
 * refuses or is slow does not hold the start (the limiter decides per process until it answers).
 */
async function connectedOrNot(redis: Redis): Promise<void> {
  const timer = new AbortController();
  await Promise.race([once(redis, 'ready', { signal: timer.signal }), sleep(1_000, undefined, { signal: timer.signal })]).catch(() => undefined);
  timer.abort();
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

/**
 * The keyring of secrets at rest: HELLIO_SECRET_KEY (with HELLIO_SECRET_KEY_PREVIOUS for reading),
 * else the key file in the data directory, made once with mode 0600.
 */
export function openSecretBox(config: Pick<Config, 'secretKey' | 'secretKeyPrevious' | 'dataDir'>): SecretBox {
  return new SecretBox(config.secretKey ?? loadOrCreateKeyFile(config.dataDir), config.secretKeyPrevious);
}

/** How a runtime opens: its clock, where its signals go, and how it shares SQLite's writer and WAL. */
export interface RuntimeOptions {
  clock?: Clock;
  signals?: Signals;
  threadWriteLock?: SharedArrayBuffer;
  checkpoints?: DbOptions['checkpoints'];
}

/** A serving runtime: the admin one, and the job handlers and inbound mail loaded only now. */
export async function openRuntime(config: Config, logger = createLogger(config.logLevel), opts: RuntimeOptions = {}): Promise<Runtime> {
  const [rt, { servingParts }] = await Promise.all([openAdminRuntime(config, logger, opts), import('./main/serving.ts')]);
  return { ...rt, ...servingParts(rt) };
}

/** Opens the store (migrating it, checking the key, sealing secrets left in clear) and the shared counters. */
export async function openAdminRuntime(config: Config, logger = createLogger(config.logLevel), opts: RuntimeOptions = {}): Promise<AdminRuntime> {
  const clock = opts.clock ?? systemClock;
  const secrets = openSecretBox(config);
  const metrics = new Metrics();
  const store = Store.open(
    openDb({
      ...config,
      onConnectionError: (err) => logger.warn({ err: err.message }, 'database connection lost; the pool opens a new one'),
      ...(opts.threadWriteLock ? { threadWriteLock: opts.threadWriteLock } : {}),
      ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
      onCheckpointError: (message) => logger.error({ err: message }, 'checkpointing the SQLite WAL failed; it grows until this works again'),
    }),
    { currency: config.currency, secrets, signals: opts.signals ?? metrics },
  );
  try {
    await store.migrate();
    await checkSecretKey({ store, clock });
    const sealed = await sealPlaintextSecrets({ store, clock });
    if (sealed > 0) logger.info({ sealed }, 'sealed secrets stored in clear by an earlier version');
  } catch (err) {
    // A process that may not start leaves no connection behind.
    await store.close().catch(() => undefined);
    throw err;
  }
  const redis = config.redisUrl ? new (loadPackage<typeof import('ioredis')>('ioredis').Redis)(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;
  // ioredis reconnects by itself; without a listener every failed attempt is an unhandled error.
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  if (redis) await connectedOrNot(redis);
  const rateLimiter = redis ? fallbackLimiter(redis, logger) : new MemoryRateLimiter();
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
    files: {
      fetcher: new HttpFileFetcher({ resolve: hostResolver(resolver, config.dnsServers.length > 0), allowPrivate: config.attachmentsAllowPrivate }),
      // No more than the caller could have sent inline, base64 in the body (4 bytes carry 3).
      maxBytes: Math.floor((config.emailBodyLimit * 3) / 4),
      timeoutMs: config.attachmentFetchTimeoutMs,
    },
  };
  const channels = buildChannels(store, clock, config, logger);
  metrics.readFrom({ deps: { store, clock }, channels });
  return {
    config,
    store,
    clock,
    ctx,
    logger,
    rateLimiter,
    redis,
    channels,
    secrets,
    metrics,
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
export async function createServer(rt: AdminRuntime, dashboard: DashboardBuild | null = null): Promise<FastifyInstance> {
  const { buildApp } = await import('./http/app.ts');
  const limiter = rt.rateLimiter;
  return buildApp({
    ctx: rt.ctx,
    channels: rt.channels,
    rateLimiter: rt.rateLimiter,
    logger: rt.logger,
    trustProxy: rt.config.trustProxy,
    bodyLimit: rt.config.bodyLimit,
    emailBodyLimit: rt.config.emailBodyLimit,
    defaultRateLimitPerMinute: rt.config.defaultRateLimitPerMinute,
    ...(limiter instanceof FallbackRateLimiter ? { degraded: () => (limiter.degraded ? ['redis'] : []) } : {}),
    providerCallbackToken: rt.config.providerCallbackToken,
    dashboard,
    limits: rt.config.http,
    metrics: { exporter: rt.metrics, token: rt.config.metricsToken },
  });
}

/** The HTTP app built and ready (its plugins loaded, its routes registered), not yet listening. */
async function readyServer(rt: AdminRuntime, dashboard: DashboardBuild | null): Promise<FastifyInstance> {
  const app = await createServer(rt, dashboard);
  await app.ready();
  return app;
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

/** The worker role of a runtime, running: the worker, the recurring jobs, the receipts' reconcile. */
function startWorkerRole(rt: Runtime): { stop(opts: { graceMs: number; retakeAt: number }): Promise<number> } {
  const worker = rt.createWorker();
  // Worker processes keep the recurring jobs (retention…) on the queue; they agree through the database.
  const recurringJobs = rt.createRecurringDriver();
  for (const p of rt.channels.sms.values()) {
    p.connect?.().catch((err: unknown) => rt.logger.warn({ err, provider: p.name }, 'could not connect yet; retrying in the background'));
  }
  worker.start();
  recurringJobs.start();
  const sweeper = setInterval(() => {
    reconcileReceipts(rt.store, rt.clock.now()).catch((err: unknown) => rt.logger.error({ err }, 'reconciling receipts failed'));
  }, RECONCILE_EVERY_MS);
  rt.logger.info({ worker: worker.id }, 'worker running');
  return {
    async stop(opts) {
      recurringJobs.stop();
      clearInterval(sweeper);
      return worker.stop(opts);
    },
  };
}

/**
 * The delivery thread of `hellio start` (src/main/delivery-thread.ts): a runtime of its own with
 * the worker role, its signals and its providers' state reported to the main thread, until that
 * asks it to stop; then it stops as a worker process would (jobs finished or given back, links
 * unbound, store closed) and says how many claims it gave back.
 */
export async function runDeliveryThread(port: MessagePort, threadWriteLock: SharedArrayBuffer): Promise<void> {
  let rt: Runtime;
  try {
    // The main thread's runtime checkpoints the WAL for both (serve).
    rt = await openRuntime(loadConfig(), undefined, { signals: forwardedSignals(port), threadWriteLock, checkpoints: 'elsewhere' });
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message });
    return;
  }
  const role = startWorkerRole(rt);
  const report = setInterval(() => port.postMessage({ type: 'states', states: snapshotStates(rt.channels) }), STATE_REPORT_MS);
  port.postMessage({ type: 'states', states: snapshotStates(rt.channels) });
  port.on('message', (m: { type: 'stop'; graceMs: number; retakeAt: number }) => {
    if (m.type !== 'stop') return;
    clearInterval(report);
    void (async () => {
      const released = await role.stop({ graceMs: m.graceMs, retakeAt: m.retakeAt });
      await rt.close();
      port.postMessage({ type: 'stopped', released });
    })();
  });
  port.postMessage({ type: 'ready' });
}

/**
 * `hellio start` (API and workers), `hellio api`, `hellio worker`: run until SIGINT/SIGTERM,
 * then stop in order (`shutDown`). `start` runs its workers on a thread of their own
 * (`DeliveryThread`), so that accepting never waits behind delivering.
 */
export async function serve(config: Config, roles: { api: boolean; worker: boolean; buildDashboard?: boolean }): Promise<void> {
  const threaded = roles.api && roles.worker;
  // The API and delivery threads of `hellio start` take turns at SQLite's one writer (store/thread-write-lock.ts).
  const threadWriteLock = threaded ? ThreadWriteLock.memory() : undefined;
  // A server's commits never stop to copy the WAL back: a thread of its own does (store/wal-checkpointer.ts).
  const rt = await openRuntime(config, undefined, { checkpoints: 'thread', ...(threadWriteLock ? { threadWriteLock } : {}) });
  const { locateDashboard } = await import('./http/dashboard-build.ts');
  // The delivery thread boots (loads its code, opens its runtime) on the other core while this
  // one builds the app: `hellio start` is ready in the longer of the two.
  const [thread, app] = await Promise.all([
    threaded
      ? DeliveryThread.start({
          threadWriteLock: threadWriteLock!,
          signals: rt.metrics,
          channels: rt.channels,
          onFailure: (err) => {
            rt.logger.fatal({ err }, 'the delivery thread died');
            process.exit(1);
          },
        })
      : null,
    roles.api ? locateDashboard(rt.logger, { rebuild: roles.buildDashboard === true }).then((dashboard) => readyServer(rt, dashboard)) : null,
  ]);
  const drain = app ? drainOf(app) : null;
  const worker = thread ?? (roles.worker ? startWorkerRole(rt) : null);
  // The inbound SMTP server belongs to the worker role; under `hellio start` it stays on the main thread (few, slow connections).
  const inboundMail = worker && config.smtpInboundPort !== null ? rt.createInboundMail() : null;
  if (inboundMail) {
    const port = await inboundMail.listen(config.smtpInboundPort!, config.host);
    rt.logger.info({ port }, 'inbound SMTP server listening');
  }
  if (app) await app.listen({ port: config.port, host: config.host });
  // A worker's counters and links live in its process alone: without the API, it may serve /metrics by itself.
  if (!app && config.workerMetricsPort !== null) {
    const { buildMetricsServer } = await import('./http/metrics-server.ts');
    const metricsServer = await buildMetricsServer({ exporter: rt.metrics, token: config.metricsToken, trustProxy: config.trustProxy, logger: rt.logger });
    await metricsServer.listen({ port: config.workerMetricsPort, host: config.host });
  }
  rt.logger.info({ roles }, 'hellio running');
  if (app) await announceSetupLink(rt);
  let stopping = false;
  const stop = (signal: string) => {
    // A second signal (Ctrl-C again) means "now": exit without waiting for the rest.
    if (stopping) {
      rt.logger.warn({ signal }, 'second signal while stopping: exiting at once');
      process.exit(1);
    }
    stopping = true;
    void inboundMail?.close();
    void shutDown(rt, { drain, worker, signal });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

// Of the shutdown deadline, the part left for closing the links and the database once the
// requests and jobs in hand had their time (SMPP unbind waits up to a second, SMTP sends two).
const CLOSE_RESERVE = 0.4;

/**
 * Graceful shutdown (docs/reliability.md): stop accepting and answer what is in flight, let the
 * worker finish its jobs and give back the claims of those it cannot finish in time, then close
 * the links (SMPP unbinds) and the store, and exit 0. Past HELLIO_SHUTDOWN_TIMEOUT_MS it exits
 * anyway, with 1: whatever was not given back is taken over when its lease expires.
 */
async function shutDown(
  rt: Runtime,
  parts: { drain: Drain | null; worker: { stop(opts: { graceMs: number; retakeAt: number }): Promise<number> } | null; signal: string },
): Promise<void> {
  const timeoutMs = rt.config.shutdownTimeoutMs;
  const started = Date.now();
  rt.logger.info({ signal: parts.signal, timeout_ms: timeoutMs }, 'shutting down');
  // What the shutdown is waiting for, for the log line of a deadline that passes.
  let waitingFor = 'requests and jobs in hand';
  const hard = setTimeout(() => {
    rt.logger.error({ timeout_ms: timeoutMs, waiting_for: waitingFor }, 'shutdown deadline passed: exiting without closing everything');
    process.exit(1);
  }, timeoutMs);
  const handsFreeBy = started + Math.floor(timeoutMs * (1 - CLOSE_RESERVE));
  try {
    const [http, released] = await Promise.all([
      parts.drain?.close(handsFreeBy),
      // Jobs given back wait for this process's deadline: their handlers may run until then.
      parts.worker?.stop({ graceMs: Math.max(0, handsFreeBy - Date.now()), retakeAt: rt.clock.now() + (started + timeoutMs - Date.now()) }),
    ]);
    waitingFor = 'links and store to close';
    await rt.close();
    clearTimeout(hard);
    rt.logger.info({ ms: Date.now() - started, http_cut: http?.forced ?? false, jobs_released: released ?? 0 }, 'stopped');
    process.exit(0);
  } catch (err) {
    rt.logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}

/** What `hellio restore` did. */
export interface RestoreResult {
  database: string;
  /** Where the replaced database was kept (null when there was none). */
  kept_aside: string | null;
  migrations: number;
  /** Whether this installation's key opens the restored secrets ("unchecked": a backup older than the key check). */
  secrets: 'readable' | 'unchecked';
}

/**
 * Replaces the SQLite database of the data directory with the backup `from`: checks that it is an
 * intact Hellio database this version knows, that this installation's key opens its secrets, and
 * that no process has the live database open; keeps the old one aside. PostgreSQL: pg_restore.
 */
export async function restoreDatabase(config: Config, from: string, now: Date = new Date()): Promise<RestoreResult> {
  if (config.databaseUrl) {
    throw new AppError('conflict', 'hellio restore replaces the embedded SQLite database; on PostgreSQL restore a pg_dump with pg_restore (docs/reliability.md)');
  }
  const source = resolvePath(from);
  let info: DatabaseFileInfo;
  try {
    info = inspectSqliteFile(source);
  } catch (err) {
    if (err instanceof DatabaseFileError) throw new AppError('validation_failed', err.message);
    throw err;
  }
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const unknown = info.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) throw new AppError('validation_failed', `${from} was made by a newer Hellio (migrations ${unknown.join(', ')}): restore it with that version`);
  ensurePrivateDir(config.dataDir);
  const staged = await stageSqliteCopy(source, config.dataDir);
  try {
    const secrets = restoredSecrets(config, staged);
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const { keptAside } = replaceSqliteDatabase(staged, config.dataDir, join(config.dataDir, `${DATABASE_FILE}.before-restore-${stamp}`));
    return { database: join(config.dataDir, DATABASE_FILE), kept_aside: keptAside, migrations: info.migrations.length, secrets };
  } catch (err) {
    rmSync(staged, { force: true });
    if (err instanceof DatabaseFileError) throw new AppError('conflict', err.message);
    throw err;
  }
}

// A backup whose secrets this installation's key cannot open is refused: once in place, no process could start on it.
function restoredSecrets(config: Config, staged: string): RestoreResult['secrets'] {
  const key = config.secretKey ?? readKeyFile(config.dataDir);
  const check = storedServerSecret(staged, KEY_CHECK);
  if (check === undefined) return 'unchecked';
  if (!key) {
    // A key would be made at the next start, and could open none of the backup's secrets.
    throw new AppError('conflict', "this installation has no key yet (HELLIO_SECRET_KEY or secret.key in the data directory) and the backup's secrets are sealed: put the backed-up installation's key in place, then restore");
  }
  try {
    if (new SecretBox(key, config.secretKeyPrevious).open(check, 'server_secrets.value') === KEY_CHECK_TEXT) return 'readable';
  } catch {
    // answered below
  }
  throw new AppError(
    'conflict',
    'the backup\'s secrets were sealed under another key than this installation\'s (HELLIO_SECRET_KEY or secret.key in the data directory): put that key in place, then restore',
  );
}
