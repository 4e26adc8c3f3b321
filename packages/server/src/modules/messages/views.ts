import { formatMicros } from '../../lib/money.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { CampaignRow } from '../../store/repos/campaigns.ts';
import type { MessageEventRow, MessageRow } from '../../store/repos/messages.ts';
import type { Store } from '../../store/store.ts';
import type { EmailPayload } from './email-payload.ts';

/**
 * Resources as the API shows them. Reports answer with these and webhook events carry them as
 * `data`, so a customer reads the same shape from both.
 */
export const MESSAGE_STATUSES = ['scheduled', 'queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled', 'suppressed', 'received'] as const;

/**
 * Statuses a message never leaves. `suppressed`: a campaign's recipient on the suppression list,
 * never sent nor charged; `received`: an inbound message, the only status it has; `complained`:
 * the recipient reported it (a feedback-loop report), after which nothing changes it.
 */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled', 'suppressed', 'received']);

/** A message as the API shows it. Email bodies and attachments stay out of reports. */
export function messageView(m: MessageRow, currency: string) {
  const email = m.channel === 'email' && m.payload ? (JSON.parse(m.payload) as EmailPayload) : null;
  return {
    id: m.id,
    channel: m.channel,
    direction: m.direction ?? 'outbound',
    status: m.status,
    from: email ? email.from : m.sender,
    to: email ? email.to : m.recipient,
    subject: m.subject,
    body: m.channel === 'sms' ? m.body : null,
    segments: m.segments,
    encoding: m.encoding,
    price: formatMicros(m.price_micros),
    currency,
    sandbox: m.sandbox === 1,
    campaign_id: m.campaign_id,
    reference: m.reference,
    error: m.error,
    scheduled_at: rfc3339(m.scheduled_at),
    created_at: rfc3339(m.created_at),
    updated_at: rfc3339(m.updated_at),
  };
}

/**
 * One entry of a message's timeline: a status step, or a `retrying` entry — an attempt that
 * failed and will be tried again, with the provider's answer, its number and the next try's time
 * (both null on status steps).
 */
export function messageEventView(e: MessageEventRow) {
  return {
    id: e.id,
    status: e.status,
    detail: e.detail,
    attempt: e.attempt,
    next_attempt_at: rfc3339(e.next_attempt_at),
    created_at: rfc3339(e.created_at),
  };
}

export function campaignView(c: CampaignRow, currency: string) {
  return {
    id: c.id,
    channel: c.channel,
    from: c.sender,
    message: c.body,
    total_messages: c.total_count,
    cost: formatMicros(c.price_micros),
    currency,
    sandbox: c.sandbox === 1,
    reference: c.reference,
    scheduled_at: rfc3339(c.scheduled_at),
    created_at: rfc3339(c.created_at),
  };
}

/** A campaign with how many of its messages are in each status. */
export async function campaignDetailView(store: Store, c: CampaignRow, currency: string) {
  const counts = await store.messages.countByStatus(c.id);
  const statusCounts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, counts[s] ?? 0]));
  return { ...campaignView(c, currency), status_counts: statusCounts };
}
