import { newId } from '../../lib/ids.ts';
import { type NewEvent, messageEventType, recordEvents } from '../webhooks/events.ts';
import { campaignDetailView, FINAL_STATUSES, messageView } from './views.ts';
import type { PendingReceiptRow, ProviderRefRow } from '../../store/repos/delivery.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Store } from '../../store/store.ts';
import { refund } from '../billing/wallet.ts';
import { queueStatusCallbacks } from '../compat/status-callbacks.ts';
import { Jobs, type NewJob } from '../../queue/catalogue.ts';
import { enqueue } from '../../queue/enqueue.ts';
import type { SimulatedReceipt } from '../../providers/sms/sms-provider.ts';

/**
 * Message status transitions. Each happens at most once (a guarded UPDATE), writes its timeline
 * entry and its webhook event (and campaign.completed with the campaign's last message) in the
 * same transaction, and a failure refunds the charge there too.
 *
 *   scheduled|queued → sending → sent → delivered | undelivered | failed
 *                              ↘ failed | bounced (refused before or at hand-over)
 *   sent | delivered → bounced (a DSN received later), delivered → complained (an ARF report)
 *
 * Beside the steps, the timeline records each attempt that failed and will be tried again (a
 * `retrying` entry, `recordRetries`): the status stays `sending`, and no webhook event is sent.
 */

/** The timeline entry of an attempt that failed and will be tried again; not a message status. */
export const RETRYING = 'retrying';

/** One message's move, with its timeline entry's detail. */
interface Move {
  id: string;
  detail: string | null;
}

/**
 * Moves each of these messages to `to` if it is in one of `from` (one guarded UPDATE for all),
 * and writes, for the ones that moved, their timeline entries, their webhook events and — when
 * `to` is final and a campaign's last message got there — campaign.completed. Answers the rows
 * that moved, as they now are.
 */
async function moveMany(
  tx: Store,
  moves: readonly Move[],
  from: readonly string[],
  to: string,
  now: number,
  extra: { provider?: string; error?: string | null } = {},
  /** False when the messages were final already (a late report): they are not counted as finishing twice. */
  finishing = FINAL_STATUSES.has(to),
): Promise<MessageRow[]> {
  if (moves.length === 0) return [];
  const rows = await tx.delivery.transitionMany(
    moves.map((m) => m.id),
    from,
    to,
    now,
    extra,
  );
  if (rows.length === 0) return rows;
  const detail = new Map(moves.map((m) => [m.id, m.detail]));
  await tx.delivery.addEvents(rows.map((r) => ({ id: newId('ev'), message_id: r.id, status: to, detail: detail.get(r.id) ?? null, created_at: now })));
  const events: NewEvent[] = [];
  const type = messageEventType(to);
  if (type) for (const r of rows) events.push({ accountId: r.account_id, type, data: messageView(r, tx.currency) });
  if (finishing) {
    signalFinished(tx, rows, to);
    const perCampaign = new Map<string, { accountId: string; n: number }>();
    for (const r of rows) {
      if (r.campaign_id === null) continue;
      const c = perCampaign.get(r.campaign_id) ?? { accountId: r.account_id, n: 0 };
      c.n++;
      perCampaign.set(r.campaign_id, c);
    }
    for (const [campaignId, { accountId, n }] of perCampaign) {
      // Each message becomes final once, so the bump that reaches the total is the campaign's last.
      const campaign = await tx.campaigns.bumpFinal(campaignId, n);
      if (campaign && campaign.final_count === campaign.total_count) {
        events.push({ accountId, type: 'campaign.completed', data: await campaignDetailView(tx, campaign, tx.currency) });
      }
    }
  }
  await recordEvents(tx, events, now);
  await queueStatusCallbacks(tx, rows, to, now);
  return rows;
}

/** Messages that reached the final status `to`, per channel (counted once the transaction commits). */
function signalFinished(tx: Store, rows: readonly MessageRow[], to: string): void {
  const perChannel = new Map<string, number>();
  for (const r of rows) perChannel.set(r.channel, (perChannel.get(r.channel) ?? 0) + 1);
  for (const [channel, n] of perChannel) tx.signals.messagesFinished(channel, to, n);
}

async function move(
  tx: Store,
  message: Pick<MessageRow, 'id'>,
  from: readonly string[],
  to: string,
  now: number,
  detail: string | null,
  extra: { provider?: string; error?: string | null } = {},
): Promise<boolean> {
  return (await moveMany(tx, [{ id: message.id, detail }], from, to, now, extra)).length === 1;
}

/**
 * Claims messages for a delivery attempt, all in one transaction: queued and scheduled ones move
 * to `sending`; a retry finds its message already `sending` and takes it as it is (no second
 * event for the same state). Answers the messages to send, by id; the others are no longer
 * deliverable (canceled meanwhile, or done).
 */
export async function beginSendingMany(store: Store, messageIds: readonly string[], now: number): Promise<Map<string, MessageRow>> {
  return store.transaction(async (tx) => {
    const ready = new Map<string, MessageRow>();
    // The guarded UPDATE decides: a message canceled by a concurrent transaction is not moved, so not sent.
    const moved = await moveMany(
      tx,
      messageIds.map((id) => ({ id, detail: null })),
      ['queued', 'scheduled'],
      'sending',
      now,
    );
    for (const m of moved) ready.set(m.id, m);
    const rest = messageIds.filter((id) => !ready.has(id));
    if (rest.length > 0) for (const m of await tx.delivery.getMessages(rest)) if (m.status === 'sending') ready.set(m.id, m);
    return ready;
  });
}

/** Claims one message for a delivery attempt; null when it is no longer deliverable (canceled, done). */
export async function beginSending(store: Store, messageId: string, now: number): Promise<MessageRow | null> {
  return (await beginSendingMany(store, [messageId], now)).get(messageId) ?? null;
}

/** A message the network took, with its ids (one per SMS part) for the receipts to come. */
export interface SentMessage {
  messageId: string;
  provider: string;
  providerIds: string[];
  /** The provider's own word on taking it, when it gives one: the SMTP reply, the submit_sm_resp status. */
  answer?: string;
  /** A simulated network's promised receipt (for every part): stored as a job with the `sent` step. */
  simulatedReceipt?: SimulatedReceipt;
}

/**
 * The `sent` step's detail: who took the message, the ids its answer gave (one per SMS part),
 * which its receipts will name, and the provider's own word when it has one
 * (`accepted by smtp (id <…>): 250 2.0.0 Ok: queued as …`).
 */
export function acceptedBy(provider: string, providerIds: readonly string[], answer?: string): string {
  const ids = providerIds.length === 0 ? '' : ` (${providerIds.length === 1 ? 'id' : 'ids'} ${providerIds.join(', ')})`;
  return `accepted by ${provider}${ids}${answer ? `: ${answer}` : ''}`;
}

/** A delivery attempt that failed and will be tried again. */
export interface RetriedAttempt {
  messageId: string;
  /** Which attempt failed (1 = the first). */
  attempt: number;
  /** The provider's answer (`simulator: ESME_RSYSERR …`, `smtp: 451 4.7.1 …`) or why none came. */
  detail: string;
  /** When the next attempt is due (epoch ms). */
  nextAttemptAt: number;
}

/**
 * Writes a `retrying` timeline entry for each of these attempts whose message is still `sending`
 * (one a finished or canceled message does not get). Call it in the transaction that schedules
 * the retry, so the entry and the retry it announces commit together. The message itself —
 * status, error, money — is left as it is, and no webhook event is sent: `data` of the events
 * stays the message as GET /messages/{id} shows it.
 */
export async function recordRetries(tx: Store, attempts: readonly RetriedAttempt[], now: number): Promise<void> {
  if (attempts.length === 0) return;
  const sending = new Set((await tx.delivery.getMessages(attempts.map((a) => a.messageId))).filter((m) => m.status === 'sending').map((m) => m.id));
  await tx.delivery.addEvents(
    attempts
      .filter((a) => sending.has(a.messageId))
      .map((a) => ({
        id: newId('ev'),
        message_id: a.messageId,
        status: RETRYING,
        detail: a.detail,
        created_at: now,
        attempt: a.attempt,
        next_attempt_at: a.nextAttemptAt,
      })),
  );
}

/** `markSent` for many messages in one transaction (one UPDATE per provider). */
export async function markSentMany(store: Store, sent: readonly SentMessage[], now: number): Promise<void> {
  if (sent.length === 0) return;
  await store.transaction(async (tx) => {
    const byProvider = new Map<string, SentMessage[]>();
    for (const s of sent) byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s]);
    for (const [provider, items] of byProvider) {
      const moved = await moveMany(
        tx,
        items.map((s) => ({ id: s.messageId, detail: acceptedBy(provider, s.providerIds, s.answer) })),
        ['sending'],
        'sent',
        now,
        { provider },
      );
      if (moved.length === 0) continue;
      const movedIds = new Set(moved.map((m) => m.id));
      const refs: ProviderRefRow[] = [];
      const receipts: NewJob[] = [];
      for (const s of items) {
        if (!movedIds.has(s.messageId)) continue;
        s.providerIds.forEach((pid, i) => refs.push({ provider, provider_message_id: pid, message_id: s.messageId, part: i + 1, status: null, created_at: now }));
        // A simulator's receipts are jobs committed with the step that awaits them: no crash can lose one.
        const r = s.simulatedReceipt;
        if (r) for (const pid of s.providerIds) receipts.push(Jobs.simulatedReceipt({ provider, providerMessageId: pid, status: r.status, detail: r.detail }, now + r.delayMs));
      }
      await tx.delivery.addRefs(refs);
      await enqueue(tx, receipts, now);
      // A receipt that beat this commit waits in pending_receipts: apply it now.
      const pending = await tx.delivery.pendingReceiptsFor(
        provider,
        refs.map((r) => r.provider_message_id),
      );
      for (const p of pending) await applyPending(tx, p, now);
    }
  });
}

/** The network took the message: remember its ids (one per SMS part) for the receipts to come. */
export async function markSent(store: Store, messageId: string, provider: string, providerIds: string[], now: number): Promise<void> {
  await markSentMany(store, [{ messageId, provider, providerIds }], now);
}

/** `markDelivered` for many messages in one transaction. */
export async function markDeliveredMany(store: Store, delivered: ReadonlyArray<{ messageId: string; detail: string | null }>, now: number): Promise<void> {
  if (delivered.length === 0) return;
  await store.transaction((tx) =>
    moveMany(
      tx,
      delivered.map((d) => ({ id: d.messageId, detail: d.detail })),
      ['sent'],
      'delivered',
      now,
    ),
  );
}

/** Delivered on the network's word (an SMTP 250 from the receiving server, a DELIVRD receipt). */
export async function markDelivered(store: Store, messageId: string, detail: string | null, now: number): Promise<void> {
  await markDeliveredMany(store, [{ messageId, detail }], now);
}

/**
 * A permanent failure. `failed` and `bounced` are refunded: the message never reached a
 * recipient's network. `undelivered` is not: the network took it (and charged for it).
 */
export async function markFailed(
  store: Store,
  messageId: string,
  status: 'failed' | 'bounced' | 'undelivered',
  error: string,
  now: number,
): Promise<void> {
  await store.transaction(async (tx) => {
    const m = await tx.delivery.getMessage(messageId);
    if (!m) return;
    const from = status === 'undelivered' ? ['sent'] : ['queued', 'scheduled', 'sending', 'sent'];
    if (!(await move(tx, m, from, status, now, error, { error }))) return;
    if (status !== 'undelivered') await refund(tx, m, error, now);
  });
}

/**
 * Messages still `sent` whose receipt never came: `undelivered` with `error` as the reason, their
 * timeline entries and message.undelivered events, in the caller's transaction (one UPDATE for
 * all). Not refunded, as any `undelivered`: the network took them. A message whose receipt
 * arrived meanwhile has left `sent` and is not moved. Answers how many moved.
 */
export async function markUndeliveredMany(tx: Store, messageIds: readonly string[], error: string, detail: string, now: number): Promise<number> {
  const moved = await moveMany(
    tx,
    messageIds.map((id) => ({ id, detail })),
    ['sent'],
    'undelivered',
    now,
    { error },
  );
  return moved.length;
}

/**
 * Cancels a scheduled message of the account and refunds it. Its delivery job finds it
 * canceled when due and does nothing. Returns false when the message is not scheduled.
 */
export async function cancelScheduled(store: Store, accountId: string, messageId: string, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const m = await tx.messages.get(accountId, messageId);
    if (!m || !(await move(tx, m, ['scheduled'], 'canceled', now, 'canceled by the sender'))) return false;
    await refund(tx, m, 'canceled', now);
    return true;
  });
}

/** A receipt as a provider reports it, for one part (its network id). */
export interface ReceiptInput {
  providerMessageId: string;
  status: 'delivered' | 'undelivered' | 'failed';
  detail: string;
}

/** Applies one part's receipt to its stored id (once: a repeated receipt changes nothing). */
export async function applyToRef(tx: Store, ref: ProviderRefRow, receipt: ReceiptInput, now: number): Promise<void> {
  if (ref.status !== null) return;
  await tx.delivery.setRefStatus(ref.provider, receipt.providerMessageId, receipt.status);
  if (receipt.status !== 'delivered') {
    await markFailed(tx, ref.message_id, receipt.status, `receipt: ${receipt.detail}`, now);
    return;
  }
  const refs = await tx.delivery.refsOf(ref.message_id);
  if (refs.every((r) => r.status === 'delivered')) await markDelivered(tx, ref.message_id, `receipt: ${receipt.detail}`, now);
}

/** Applies a kept receipt whose id has been stored meanwhile, and forgets it. */
export async function applyPending(tx: Store, p: PendingReceiptRow, now: number): Promise<void> {
  const ref = await tx.delivery.ref(p.provider, p.provider_message_id);
  if (ref) await applyToRef(tx, ref, { providerMessageId: p.provider_message_id, status: p.status, detail: p.detail }, now);
  await tx.delivery.deletePendingReceipt(p.provider, p.provider_message_id);
}

/** What a report received by the inbound SMTP server says of a message the relay had accepted. */
export type LateReport = 'bounced' | 'complained';

/**
 * A bounce (RFC 3464 DSN) or a complaint (RFC 5965 ARF report) received after the relay took the
 * message. A bounce moves a `sent` or `delivered` message to `bounced` and refunds it, as every
 * bounce is; a complaint moves a `delivered` (or `sent`) one to `complained`, not refunded: the
 * recipient got it. A message that was final already is not counted as finishing again (its
 * campaign's tally, the finished-messages metric). Answers whether the message moved.
 */
export async function markLateReport(tx: Store, message: MessageRow, report: LateReport, detail: string, now: number): Promise<boolean> {
  const from = ['sent', 'delivered'];
  if (!from.includes(message.status)) return false;
  const extra = report === 'bounced' ? { error: detail } : {};
  const moved = await moveMany(tx, [{ id: message.id, detail }], from, report, now, extra, !FINAL_STATUSES.has(message.status));
  if (moved.length === 0) return false;
  if (report === 'bounced') await refund(tx, message, detail, now);
  return true;
}
