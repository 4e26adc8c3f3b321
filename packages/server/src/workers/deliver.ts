import type { Clock } from '../lib/clock.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import type { SmsEncoding } from '../lib/sms-encoding.ts';
import { dkimKeyFor } from '../modules/messages/domains.ts';
import type { EmailPayload } from '../modules/messages/email-payload.ts';
import { beginSendingMany, markDeliveredMany, markFailed, markSentMany, recordRetries, type SentMessage } from '../modules/messages/lifecycle.ts';
import { smsProvidersByRoutes } from '../modules/messages/routing.ts';
import { smsExtrasOf } from '../modules/messages/sms-payload.ts';
import type { OtpKeys } from '../modules/otp/otp-keys.ts';
import { revealMessage } from '../modules/otp/sealed-message.ts';
import type { Channels } from '../providers/channels.ts';
import type { DkimKey } from '../providers/email/email-provider.ts';
import { RETURN_PATH_LABEL } from '../lib/dkim.ts';
import type { JobHandlers } from '../queue/handlers.ts';
import { JOB_POLICIES } from '../queue/catalogue.ts';
import { type JobContext, RetryLater, retryDelayMs } from '../queue/job-definition.ts';
import { settleInTransaction, settlingCommit } from '../queue/settle.ts';
import type { MessageRow } from '../store/repos/messages.ts';
import type { RouteRow } from '../store/repos/routes.ts';
import type { Store } from '../store/store.ts';

/** How the delivery jobs group their writes (see lib/group-commit.ts). */
export interface DeliveryBatching {
  /** Most messages per transaction. */
  maxBatch: number;
  /** Transactions written at once: 1 where the store has one writer, a few where writers run side by side. */
  writers: number;
}

/** What delivering needs: the store, the channels, the clock, and the OTP keys that open sealed texts. */
export interface DeliveryDeps {
  store: Store;
  channels: Channels;
  clock: Clock;
  otpKeys?: OtpKeys;
  batching?: Partial<DeliveryBatching>;
  /**
   * HELLIO_RETURN_PATH_HOST: when set, mail from a verified domain goes out with the VERP return
   * path `msg_…@bounces.<domain>` (the CNAME that domain publishes points it at the bounce host).
   */
  returnPathHost?: string | null;
}

const DEFAULT_MAX_BATCH = 500;

/**
 * How long an outcome (a submit_sm_resp, an SMTP 250) may wait for others to share its commit.
 * Outcomes arrive a few at a time, as the provider's window lets them; without the wait most
 * commits carried a handful of messages (bench/deliver, docs/performance.md). Only the job's end
 * waits: the provider's window has already moved on.
 */
const OUTCOME_LINGER_MS = 10;

/**
 * The handlers of the delivery jobs that the accept transaction enqueues, one per message. Each
 * job runs on its own (its own provider call, retry and give-up), but their writes are
 * group-committed: the jobs of one claim move to `sending` in one transaction, and the outcomes
 * that arrive together (a read's worth of submit_sm_resp, say) are written — the status, its
 * events, the provider ids and the jobs' settles — in one more.
 */
export function deliveryHandlers(deps: DeliveryDeps): Pick<JobHandlers, 'deliver.sms' | 'deliver.email'> {
  const { store, channels, clock } = deps;
  // OTP messages are stored with their code redacted and sealed; the real text is opened only here.
  const outgoing = (m: MessageRow | null) => (m ? revealMessage(deps.otpKeys ?? null, m) : null);
  const batch = {
    maxBatch: deps.batching?.maxBatch ?? DEFAULT_MAX_BATCH,
    concurrency: deps.batching?.writers ?? (store.capabilities.concurrentWriters ? 2 : 1),
  };

  /** Claimed messages to `sending`, each with what its channel reads once per batch. */
  const begin = <T>(name: string, extra: (tx: Store, ready: ReadonlyMap<string, MessageRow>) => Promise<(m: MessageRow) => Promise<T>>) =>
    new GroupCommit<string, { m: MessageRow | null; extra: T | null }>(
      (ids) =>
        store.transaction(async (tx) => {
          const ready = await beginSendingMany(tx, ids, clock.now());
          const of = await extra(tx, ready);
          const out: Array<{ m: MessageRow | null; extra: T | null }> = [];
          for (const id of ids) {
            const m = ready.get(id) ?? null;
            out.push({ m, extra: m ? await of(m) : null });
          }
          return out;
        }),
      { ...batch, name },
    );

  /** Outcomes that arrive together: written with their jobs' settles, one commit. */
  const outcomes = <I extends { run: JobContext }>(name: string, write: (tx: Store, items: I[], now: number) => Promise<void>) =>
    settlingCommit<I>(store, clock, write, { ...batch, name, lingerMs: OUTCOME_LINGER_MS });

  // SMS: with the routes as they are now (read once per batch).
  const smsBegin = begin<RouteRow[]>('sms.sending', async (tx) => {
    const routes = await tx.routes.list('sms');
    return async () => routes;
  });
  // Taken by the network: `sent`, its ids, and the job done.
  const smsSent = outcomes<{ sent: SentMessage; run: JobContext }>('sms.sent', (tx, items, now) =>
    markSentMany(
      tx,
      items.map((i) => i.sent),
      now,
    ),
  );
  // Email: with the sender domain's DKIM key (read once per sender in a batch).
  const emailBegin = begin<DkimKey | null>('email.sending', async (tx) => {
    const keys = new Map<string, DkimKey | null>();
    return async (m) => {
      const key = `${m.account_id}\u0000${m.sender}`;
      if (!keys.has(key)) keys.set(key, await dkimKeyFor(tx, m.account_id, m.sender));
      return keys.get(key)!;
    };
  });
  // The receiving server's 250 is the last word SMTP gives: sent and delivered at once, job done.
  const emailDelivered = outcomes<{ sent: SentMessage; response: string; run: JobContext }>('email.delivered', async (tx, items, now) => {
    await markSentMany(
      tx,
      items.map((i) => i.sent),
      now,
    );
    await markDeliveredMany(
      tx,
      items.map((i) => ({ messageId: i.sent.messageId, detail: i.response })),
      now,
    );
  });

  // Failed, to be tried again: the attempt's `retrying` entry and the job's next run, one commit
  // (no entry announces a retry that was not scheduled, and no scheduled retry goes unrecorded).
  const retries = new GroupCommit<{ messageId: string; detail: string; delayMs: number; jobError: string; run: JobContext }, void>(
    async (items) => {
      await store.transaction(async (tx) => {
        const now = clock.now();
        const recorded = [];
        for (const i of items) {
          const lost = await settleInTransaction(tx, [i.run], { status: 'pending', runAt: now + i.delayMs, error: i.jobError }, now);
          // A claim lost meanwhile (its lease ran out, another worker has the job): that run decides what comes next.
          if (lost.length === 0) recorded.push({ messageId: i.messageId, attempt: i.run.attempt, detail: i.detail, nextAttemptAt: now + i.delayMs });
        }
        await recordRetries(tx, recorded, now);
      });
      return items.map(() => undefined);
    },
    { ...batch, name: 'delivery.retries', lingerMs: OUTCOME_LINGER_MS },
  );

  /**
   * A temporary failure: tried again later, on the kind's backoff (never sooner than the
   * provider's hint), with the provider's answer in the timeline. The last attempt's failure goes
   * to the worker instead, which gives up (`giveUp`: failed and refunded, its step the error).
   */
  const retryLater = async (kind: 'deliver.sms' | 'deliver.email', run: JobContext, messageId: string, detail: string, err: RetryLater) => {
    if (run.attempt >= run.maxAttempts) throw err;
    const delayMs = retryDelayMs(JOB_POLICIES[kind], run.attempt, err.retryAfterMs);
    await retries.add({ messageId, detail, delayMs, jobError: err.message, run });
  };

  const giveUp = async ({ message_id }: { message_id: string }, err: Error) => {
    await markFailed(store, message_id, 'failed', `gave up: ${err.message}`, clock.now());
  };

  return {
    'deliver.sms': {
      giveUp,
      async handle({ message_id }, run) {
        const begun = await smsBegin.add(message_id);
        const m = outgoing(begun.m);
        if (!m) return;
        const extras = smsExtrasOf(m);
        // Its validity ended while it waited here (a link down, retries): the network would drop it anyway.
        if (extras.validUntil !== undefined && clock.now() >= extras.validUntil) {
          return markFailed(store, m.id, 'failed', 'EXPIRED: its validity ended before it could be handed to the network', clock.now());
        }
        const providers = smsProvidersByRoutes(begun.extra ?? [], channels, m.sandbox === 1, m.recipient);
        let retry: RetryLater | null = null;
        // Each provider's answer, for the timeline (a route's fallback answers too).
        const answers: string[] = [];
        for (const provider of providers) {
          const r = await provider.submit({
            messageId: m.id,
            from: m.sender,
            to: m.recipient,
            text: m.body ?? '',
            encoding: (m.encoding ?? 'GSM-7') as SmsEncoding,
            ...extras,
          });
          if (r.ok) {
            const sent: SentMessage = {
              messageId: m.id,
              provider: provider.name,
              providerIds: r.providerMessageIds,
              ...(r.answer ? { answer: r.answer } : {}),
              ...(r.simulatedReceipt ? { simulatedReceipt: r.simulatedReceipt } : {}),
            };
            return smsSent.add({ sent, run });
          }
          const answer = `${provider.name}: ${r.code ? `${r.code} ` : ''}${r.error}`;
          if (!r.retryable) return markFailed(store, m.id, 'failed', answer, clock.now());
          // A temporary failure (no connection, throttled): the route's fallback gets its chance now.
          answers.push(answer);
          retry ??= new RetryLater(`${provider.name}: ${r.error}`, r.retryAfterMs);
        }
        if (!retry) throw new Error('no SMS provider to send with');
        return retryLater('deliver.sms', run, m.id, answers.join('; '), retry);
      },
    },
    'deliver.email': {
      giveUp,
      async handle({ message_id }, run) {
        const begun = await emailBegin.add(message_id);
        const m = outgoing(begun.m);
        if (!m) return;
        const p = JSON.parse(m.payload ?? '{}') as EmailPayload;
        const provider = channels.email(m.sandbox === 1);
        const r = await provider.send({
          messageId: m.id,
          from: p.from,
          to: p.to,
          cc: p.cc,
          bcc: p.bcc,
          replyTo: p.reply_to,
          subject: p.subject,
          html: p.html,
          text: p.text,
          headers: p.headers,
          attachments: p.attachments,
          dkim: begun.extra,
          // Only a verified domain publishes the bounces.<domain> record that brings bounces back to us.
          returnPath: begun.extra && deps.returnPathHost ? `${m.id}@${RETURN_PATH_LABEL}.${begun.extra.domainName}` : null,
        });
        if (r.ok) {
          // The server's reply is the word on both steps: the hand-over's (sent) and the delivery's.
          const sent: SentMessage = { messageId: m.id, provider: provider.name, providerIds: [r.providerMessageId], answer: r.response };
          return emailDelivered.add({ sent, response: r.response, run });
        }
        if (r.retryable) return retryLater('deliver.email', run, m.id, `${provider.name}: ${r.error}`, new RetryLater(`${provider.name}: ${r.error}`));
        await markFailed(store, m.id, 'bounced', `${provider.name}: ${r.error}`, clock.now());
      },
    },
  };
}
