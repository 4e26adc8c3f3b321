import type { SmsEncoding } from '../lib/sms-encoding.ts';
import type { EmailPayload } from '../modules/email.ts';
import { beginSendingMany, markDeliveredMany, markFailed, markSentMany, type SentMessage } from '../modules/lifecycle.ts';
import { dkimKeyFor } from '../modules/domains.ts';
import { smsProvidersByRoutes } from '../modules/routing.ts';
import type { Channels } from '../providers/channels.ts';
import type { DkimKey } from '../providers/email/email-provider.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { type JobContext, type JobDefinition, RetryLater } from '../queue/job-definition.ts';
import { settleInTransaction } from '../queue/settle.ts';
import type { Store } from '../store/store.ts';
import type { MessageRow } from '../store/repos/messages.ts';
import type { RouteRow } from '../store/repos/routes.ts';
import type { OtpKeys } from '../modules/otp/otp-keys.ts';
import { revealMessage } from '../modules/otp/sealed-message.ts';

interface DeliverPayload {
  message_id: string;
}

const giveUp = (store: Store) => async (payload: unknown, err: Error) => {
  await markFailed(store, (payload as DeliverPayload).message_id, 'failed', `gave up: ${err.message}`);
};

// About a day of retries (5 s doubling to a 1 h cap) before a message is failed and refunded.
const RETRY = { maxAttempts: 30, backoff: { baseMs: 5_000, maxMs: 3_600_000 } };

/** How the delivery jobs group their writes (see lib/group-commit.ts). */
export interface DeliveryBatching {
  /** Most messages per transaction. */
  maxBatch: number;
  /** Transactions written at once: 1 on SQLite (one writer), a few on PostgreSQL. */
  writers: number;
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
 * Email jobs one worker process runs at once: enough to keep an SMTP pool busy and its outcomes
 * batched (64 left PostgreSQL's round trips showing: ~870 against ~1,070 emails/s with 256 in
 * bench/deliver), bounded because each waits for a connection (SmtpProvider gives a message up
 * unsent after 60 s of that, before its job's 120 s run out).
 */
export const EMAIL_CONCURRENCY = 256;

/**
 * The delivery jobs that the accept transaction enqueues, one per message. Each job runs on its
 * own (its own provider call, retry and give-up), but their writes are group-committed: the jobs
 * of one claim move to `sending` in one transaction, and the outcomes that arrive together (a
 * read's worth of submit_sm_resp, say) are written — the status, its events, the provider ids
 * and the jobs' settles — in one more.
 */
export function deliveryJobs(
  store: Store,
  channels: Channels,
  opts: { otpKeys?: OtpKeys; batching?: Partial<DeliveryBatching> } = {},
): JobDefinition[] {
  // OTP messages are stored with their code redacted and sealed; the real text is opened only here.
  const outgoing = (m: MessageRow | null) => (m ? revealMessage(opts.otpKeys ?? null, m) : null);
  const batch = {
    maxBatch: opts.batching?.maxBatch ?? DEFAULT_MAX_BATCH,
    concurrency: opts.batching?.writers ?? (store.dialect === 'postgres' ? 2 : 1),
  };

  // SMS: claimed messages to `sending`, with the routes as they are now (read once per batch).
  const smsBegin = new GroupCommit<string, { m: MessageRow | null; routes: RouteRow[] }>(
    (ids) =>
      store.transaction(async (tx) => {
        const ready = await beginSendingMany(tx, ids);
        const routes = await tx.routes.list('sms');
        return ids.map((id) => ({ m: ready.get(id) ?? null, routes }));
      }),
    batch,
  );
  // SMS taken by the network: `sent`, its ids, and the job done — one commit.
  const smsSent = new GroupCommit<{ sent: SentMessage; run: JobContext }, void>(async (items) => {
    await store.transaction(async (tx) => {
      const now = Date.now();
      await markSentMany(
        tx,
        items.map((i) => i.sent),
        now,
      );
      await settleInTransaction(
        tx,
        items.map((i) => i.run),
        { status: 'done' },
        now,
      );
    });
    return items.map(() => undefined);
  }, { ...batch, lingerMs: OUTCOME_LINGER_MS });

  // Email: to `sending`, with the sender domain's DKIM key.
  const emailBegin = new GroupCommit<string, { m: MessageRow | null; dkim: DkimKey | null }>(
    (ids) =>
      store.transaction(async (tx) => {
        const ready = await beginSendingMany(tx, ids);
        const keys = new Map<string, DkimKey | null>();
        const out: Array<{ m: MessageRow | null; dkim: DkimKey | null }> = [];
        for (const id of ids) {
          const m = ready.get(id) ?? null;
          if (!m) {
            out.push({ m, dkim: null });
            continue;
          }
          const key = `${m.account_id}\u0000${m.sender}`;
          if (!keys.has(key)) keys.set(key, await dkimKeyFor(tx, m.account_id, m.sender));
          out.push({ m, dkim: keys.get(key)! });
        }
        return out;
      }),
    batch,
  );
  // The receiving server's 250 is the last word SMTP gives: sent and delivered at once, job done.
  const emailDelivered = new GroupCommit<{ sent: SentMessage; response: string; run: JobContext }, void>(async (items) => {
    await store.transaction(async (tx) => {
      const now = Date.now();
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
      await settleInTransaction(
        tx,
        items.map((i) => i.run),
        { status: 'done' },
        now,
      );
    });
    return items.map(() => undefined);
  }, { ...batch, lingerMs: OUTCOME_LINGER_MS });

  return [
    {
      kind: 'deliver.sms',
      timeoutMs: 60_000,
      ...RETRY,
      giveUp: giveUp(store),
      async handle(payload, ctx) {
        const begun = await smsBegin.add((payload as DeliverPayload).message_id);
        const m = outgoing(begun.m);
        if (!m) return;
        const providers = smsProvidersByRoutes(begun.routes, channels, m.sandbox === 1, m.recipient);
        let retry: RetryLater | null = null;
        for (const provider of providers) {
          const r = await provider.submit({
            messageId: m.id,
            from: m.sender,
            to: m.recipient,
            text: m.body ?? '',
            encoding: (m.encoding ?? 'GSM-7') as SmsEncoding,
          });
          if (r.ok) return smsSent.add({ sent: { messageId: m.id, provider: provider.name, providerIds: r.providerMessageIds }, run: ctx });
          if (!r.retryable) return markFailed(store, m.id, 'failed', `${provider.name}: ${r.code ? `${r.code} ` : ''}${r.error}`);
          // A temporary failure (no connection, throttled): the route's fallback gets its chance now.
          retry ??= new RetryLater(`${provider.name}: ${r.error}`, r.retryAfterMs);
        }
        throw retry!;
      },
    },
    {
      kind: 'deliver.email',
      timeoutMs: 120_000,
      concurrency: EMAIL_CONCURRENCY,
      ...RETRY,
      giveUp: giveUp(store),
      async handle(payload, ctx) {
        const begun = await emailBegin.add((payload as DeliverPayload).message_id);
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
          dkim: begun.dkim,
        });
        if (r.ok) {
          return emailDelivered.add({ sent: { messageId: m.id, provider: provider.name, providerIds: [r.providerMessageId] }, response: r.response, run: ctx });
        }
        if (r.retryable) throw new RetryLater(`${provider.name}: ${r.error}`);
        await markFailed(store, m.id, 'bounced', `${provider.name}: ${r.error}`);
      },
    },
  ];
}
