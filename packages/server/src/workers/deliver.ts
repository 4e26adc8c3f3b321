import type { SmsEncoding } from '../lib/sms-encoding.ts';
import type { EmailPayload } from '../modules/email.ts';
import { beginSending, markDelivered, markFailed, markSent } from '../modules/lifecycle.ts';
import { dkimKeyFor } from '../modules/domains.ts';
import { smsProvidersFor } from '../modules/routing.ts';
import type { Channels } from '../providers/channels.ts';
import { type JobDefinition, RetryLater } from '../queue/job-definition.ts';
import type { Store } from '../store/store.ts';
import type { MessageRow } from '../store/repos/messages.ts';
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

/** The delivery jobs that the accept transaction enqueues, one per message. */
export function deliveryJobs(store: Store, channels: Channels, opts: { otpKeys?: OtpKeys } = {}): JobDefinition[] {
  // OTP messages are stored with their code redacted and sealed; the real text is opened only here.
  const outgoing = (m: MessageRow | null) => (m ? revealMessage(opts.otpKeys ?? null, m) : null);
  return [
    {
      kind: 'deliver.sms',
      timeoutMs: 60_000,
      ...RETRY,
      giveUp: giveUp(store),
      async handle(payload) {
        const m = outgoing(await beginSending(store, (payload as DeliverPayload).message_id));
        if (!m) return;
        const providers = await smsProvidersFor(store, channels, m.sandbox === 1, m.recipient);
        let retry: RetryLater | null = null;
        for (const provider of providers) {
          const r = await provider.submit({
            messageId: m.id,
            from: m.sender,
            to: m.recipient,
            text: m.body ?? '',
            encoding: (m.encoding ?? 'GSM-7') as SmsEncoding,
          });
          if (r.ok) return markSent(store, m.id, provider.name, r.providerMessageIds);
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
      ...RETRY,
      giveUp: giveUp(store),
      async handle(payload) {
        const m = outgoing(await beginSending(store, (payload as DeliverPayload).message_id));
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
          dkim: await dkimKeyFor(store, m.account_id, m.sender),
        });
        if (r.ok) {
          // The receiving server's 250 is the last word SMTP gives: sent and delivered at once.
          await markSent(store, m.id, provider.name, [r.providerMessageId]);
          return markDelivered(store, m.id, r.response);
        }
        if (r.retryable) throw new RetryLater(`${provider.name}: ${r.error}`);
        await markFailed(store, m.id, 'bounced', `${provider.name}: ${r.error}`);
      },
    },
  ];
}
