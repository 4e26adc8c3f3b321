import { newId } from '../lib/ids.ts';
import { type NewEvent, messageEventType, recordEvents } from './events.ts';
import { campaignDetailView, FINAL_STATUSES, messageView } from './views.ts';
import type { PendingReceiptRow, ProviderRefRow } from '../store/repos/delivery.ts';
import type { MessageRow } from '../store/repos/messages.ts';
import type { Store } from '../store/store.ts';

/**
 * Message status transitions. Each happens at most once (a guarded UPDATE), writes its timeline
 * entry and its webhook event (and campaign.completed with the campaign's last message) in the
 * same transaction, and a failure refunds the charge there too.
 *
 *   scheduled|queued → sending → sent → delivered | undelivered | failed
 *                              ↘ failed | bounced (refused before or at hand-over)
 */
const DELIVERABLE = ['queued', 'scheduled', 'sending'] as const;

async function move(
  tx: Store,
  message: Pick<MessageRow, 'id'>,
  from: readonly string[],
  to: string,
  now: number,
  detail: string | null,
  extra: { provider?: string; error?: string | null } = {},
): Promise<boolean> {
  const row = await tx.delivery.transition(message.id, from, to, now, extra);
  if (!row) return false;
  await tx.delivery.addEvent({ id: newId('ev'), message_id: message.id, status: to, detail, created_at: now });
  const events: NewEvent[] = [];
  const type = messageEventType(to);
  if (type) events.push({ accountId: row.account_id, type, data: messageView(row, tx.currency) });
  if (row.campaign_id !== null && FINAL_STATUSES.has(to)) {
    const campaign = await tx.campaigns.bumpFinal(row.campaign_id);
    if (campaign && campaign.final_count === campaign.total_count) {
      events.push({ accountId: row.account_id, type: 'campaign.completed', data: await campaignDetailView(tx, campaign, tx.currency) });
    }
  }
  await recordEvents(tx, events, now);
  return true;
}

/** Claims a message for a delivery attempt; null when it is no longer deliverable (canceled, done). */
export async function beginSending(store: Store, messageId: string, now = Date.now()): Promise<MessageRow | null> {
  return store.transaction(async (tx) => {
    const m = await tx.delivery.getMessage(messageId);
    if (!m || !(DELIVERABLE as readonly string[]).includes(m.status)) return null;
    // A retry finds the message already "sending": no second event for the same state.
    if (m.status !== 'sending') await move(tx, m, ['queued', 'scheduled'], 'sending', now, null);
    return { ...m, status: 'sending' };
  });
}

/** The network took the message: remember its ids (one per SMS part) for the receipts to come. */
export async function markSent(store: Store, messageId: string, provider: string, providerIds: string[], now = Date.now()): Promise<void> {
  await store.transaction(async (tx) => {
    if (!(await move(tx, { id: messageId }, ['sending'], 'sent', now, `accepted by ${provider}`, { provider }))) return;
    await tx.delivery.addRefs(
      providerIds.map((pid, i) => ({ provider, provider_message_id: pid, message_id: messageId, part: i + 1, status: null, created_at: now })),
    );
    // A receipt that beat this commit waits in pending_receipts: apply it now.
    for (const p of await tx.delivery.pendingReceiptsFor(provider, providerIds)) await applyPending(tx, p, now);
  });
}

/** Delivered on the network's word (an SMTP 250 from the receiving server, a DELIVRD receipt). */
export async function markDelivered(store: Store, messageId: string, detail: string | null, now = Date.now()): Promise<void> {
  await store.transaction((tx) => move(tx, { id: messageId }, ['sent'], 'delivered', now, detail));
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
  now = Date.now(),
): Promise<void> {
  await store.transaction(async (tx) => {
    const m = await tx.delivery.getMessage(messageId);
    if (!m) return;
    const from = status === 'undelivered' ? ['sent'] : ['queued', 'scheduled', 'sending', 'sent'];
    if (!(await move(tx, m, from, status, now, error, { error }))) return;
    if (status !== 'undelivered') await refund(tx, m, error, now);
  });
}

/** Gives a message's charge back with a ledger row (sandbox messages were never charged). */
async function refund(tx: Store, m: MessageRow, why: string, now: number): Promise<void> {
  if (m.sandbox === 1 || m.price_micros === 0) return;
  const balance = await tx.wallet.move(m.account_id, m.price_micros);
  await tx.wallet.appendLedger({
    id: newId('led'),
    account_id: m.account_id,
    amount_micros: m.price_micros,
    balance_after_micros: balance!,
    kind: 'refund',
    reference: m.id,
    note: why.slice(0, 200),
    created_at: now,
  });
}

/**
 * Cancels a scheduled message of the account and refunds it. Its delivery job finds it
 * canceled when due and does nothing. Returns false when the message is not scheduled.
 */
export async function cancelScheduled(store: Store, accountId: string, messageId: string, now = Date.now()): Promise<boolean> {
  return store.transaction(async (tx) => {
    const m = await tx.messages.get(accountId, messageId);
    if (!m || !(await move(tx, m, ['scheduled'], 'canceled', now, 'canceled by the sender'))) return false;
    await refund(tx, m, 'canceled', now);
    return true;
  });
}

/**
 * Applies a delivery receipt for one part. A message is delivered when every part is; the
 * first part that is not decides the outcome. Repeated receipts change nothing. A receipt for
 * an id not stored yet (the network reported before the worker's commit) is kept and applied
 * when the id arrives (markSent, or reconcileReceipts for the race between the two).
 */
export async function applyReceipt(store: Store, provider: string, receipt: ReceiptInput, now = Date.now()): Promise<void> {
  await store.transaction(async (tx) => {
    const ref = await tx.delivery.ref(provider, receipt.providerMessageId);
    if (!ref) {
      await tx.delivery.addPendingReceipt({
        provider,
        provider_message_id: receipt.providerMessageId,
        status: receipt.status,
        detail: receipt.detail,
        received_at: now,
      });
      return;
    }
    await applyToRef(tx, ref, receipt, now);
  });
}

interface ReceiptInput {
  providerMessageId: string;
  status: 'delivered' | 'undelivered' | 'failed';
  detail: string;
}

async function applyToRef(tx: Store, ref: ProviderRefRow, receipt: ReceiptInput, now: number): Promise<void> {
  if (ref.status !== null) return;
  await tx.delivery.setRefStatus(ref.provider, receipt.providerMessageId, receipt.status);
  if (receipt.status !== 'delivered') {
    await markFailed(tx, ref.message_id, receipt.status, `receipt: ${receipt.detail}`, now);
    return;
  }
  const refs = await tx.delivery.refsOf(ref.message_id);
  if (refs.every((r) => r.status === 'delivered')) await markDelivered(tx, ref.message_id, `receipt: ${receipt.detail}`, now);
}

async function applyPending(tx: Store, p: PendingReceiptRow, now: number): Promise<void> {
  const ref = await tx.delivery.ref(p.provider, p.provider_message_id);
  if (ref) await applyToRef(tx, ref, { providerMessageId: p.provider_message_id, status: p.status, detail: p.detail }, now);
  await tx.delivery.deletePendingReceipt(p.provider, p.provider_message_id);
}

const PENDING_RECEIPT_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Applies kept receipts whose id has since been stored. On PostgreSQL a receipt and the commit
 * of its id can miss each other (neither sees the other's uncommitted row); workers run this
 * now and then to close that gap. Returns how many were applied.
 */
export async function reconcileReceipts(store: Store, limit = 500, now = Date.now()): Promise<number> {
  // Receipts for ids never stored (another installation's, or a submit we lost) are dropped after a week.
  await store.delivery.deletePendingReceiptsBefore(now - PENDING_RECEIPT_TTL_MS);
  const matched = await store.delivery.matchedPendingReceipts(limit);
  for (const p of matched) await store.transaction((tx) => applyPending(tx, p, now));
  return matched.length;
}
