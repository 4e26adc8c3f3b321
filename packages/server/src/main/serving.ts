// The parts of a runtime that only serving processes use: the job handlers behind a worker and
// the inbound SMTP server. main.ts imports this file when it opens such a runtime, so a CLI
// command (one admin action, then exit) never loads the delivery, voice and mail-authentication
// code — a third of what a `hellio` process would otherwise load before doing anything.
import { hostname } from 'node:os';
import { Resolver } from 'node:dns/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import type { ModuleContext } from '../modules/context.ts';
import { acceptsRecipient, receiveMail } from '../modules/inbound/mail-receive.ts';
import type { Channels } from '../providers/channels.ts';
import { type InboundMailServer, SmtpInboundServer } from '../providers/email/inbound-mail.ts';
import { MailauthAuthenticator } from '../providers/email/mail-auth.ts';
import { catalogueDefinitions, type JobHandlers } from '../queue/handlers.ts';
import { RecurringDriver } from '../queue/recurring.ts';
import { Worker } from '../queue/worker.ts';
import { compatCallbackHandlers } from '../workers/compat-callback.ts';
import { deliveryHandlers } from '../workers/deliver.ts';
import { receiptHandlers } from '../workers/receipts.ts';
import { retentionHandlers } from '../workers/retention.ts';
import { voiceHandlers } from '../workers/voice-call.ts';
import { webhookHandlers } from '../workers/webhook-deliver.ts';

/** What the serving parts are built from: an open runtime's pieces. */
export interface ServingDeps {
  config: Config;
  ctx: ModuleContext;
  channels: Channels;
  clock: Clock;
  logger: Logger;
}

/** The factories a serving runtime adds to the admin one (none of them starts anything). */
export interface ServingParts {
  /** A worker over every job kind (not started). */
  createWorker(opts?: { concurrency?: number; pollMs?: number }): Worker;
  /** Keeps one job of every recurring kind on the queue (not started; worker processes start it). */
  createRecurringDriver(): RecurringDriver;
  /** The inbound SMTP server (not listening): mail for verified domains, bounces and complaints. */
  createInboundMail(): InboundMailServer;
}

/** Builds the serving factories over an open runtime. */
export function servingParts({ config, ctx, channels, clock, logger }: ServingDeps): ServingParts {
  const { store, webhookSender, speech, otp } = ctx;
  // Every kind of the job catalogue with its handler (the type makes a missing one an error).
  const handlers: JobHandlers = {
    ...deliveryHandlers({ store, channels, clock, otpKeys: otp.keys, returnPathHost: config.returnPathHost }),
    ...receiptHandlers({ store, clock, receiptTimeouts: config.receiptTimeoutMs }),
    ...webhookHandlers({ store, sender: webhookSender, clock }, { timeoutMs: config.webhookTimeoutMs }),
    ...compatCallbackHandlers({ store, sender: webhookSender, clock }),
    ...voiceHandlers({ store, clock, channels, speech, otpKeys: otp.keys, currency: config.currency, log: (msg, extra) => logger.warn(extra, msg) }),
    ...retentionHandlers({ store, clock, log: (msg, extra) => logger.info(extra, msg) }, config.retention),
  };
  return {
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
    createRecurringDriver: () => new RecurringDriver({ store, clock, onError: (err) => logger.error({ err }, 'scheduling recurring jobs failed') }),
    createInboundMail: () => {
      // SPF, DKIM and DMARC are looked up through the installation's DNS (HELLIO_DNS_SERVERS).
      const resolver = new Resolver();
      if (config.dnsServers.length > 0) resolver.setServers(config.dnsServers);
      const auth = new MailauthAuthenticator((name, type) => resolver.resolve(name, type) as Promise<unknown[]>, hostname());
      return new SmtpInboundServer(
        { acceptsRecipient: (address) => acceptsRecipient(ctx, address), receive: async (mail) => void (await receiveMail({ ...ctx, auth }, mail)) },
        { maxBytes: config.smtpInboundMaxBytes, hostname: hostname(), logger, tls: config.smtpInboundTls },
      );
    },
  };
}
