import { newId } from '../lib/ids.ts';
import { GroupCommit } from '../lib/group-commit.ts';
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
  if (FINAL_STATUSES.has(to)) {
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
  return rows;
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
export async function beginSendingMany(store: Store, messageIds: readonly string[], now = Date.now()): Promise<Map<string, MessageRow>> {
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
export async function beginSending(store: Store, messageId: string, now = Date.now()): Promise<MessageRow | null> {
  return (await beginSendingMany(store, [messageId], now)).get(messageId) ?? null;
}

/** A message the network took, with its ids (one per SMS part) for the receipts to come. */
export interface SentMessage {
  messageId: string;
  provider: string;
  providerIds: string[];
}

/** `markSent` for many messages in one transaction (one UPDATE per provider). */
export async function markSentMany(store: Store, sent: readonly SentMessage[], now = Date.now()): Promise<void> {
  if (sent.length === 0) return;
  await store.transaction(async (tx) => {
    const byProvider = new Map<string, SentMessage[]>();
    for (const s of sent) byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s]);
    for (const [provider, items] of byProvider) {
      const moved = await moveMany(
        tx,
        items.map((s) => ({ id: s.messageId, detail: `accepted by ${provider}` })),
        ['sending'],
        'sent',
        now,
        { provider },
      );
      if (moved.length === 0) continue;
      const movedIds = new Set(moved.map((m) => m.id));
      const refs: ProviderRefRow[] = [];
      for (const s of items) {
        if (!movedIds.has(s.messageId)) continue;
        s.providerIds.forEach((pid, i) => refs.push({ provider, provider_message_id: pid, message_id: s.messageId, part: i + 1, status: null, created_at: now }));
      }
      await tx.delivery.addRefs(refs);
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
export async function markSent(store: Store, messageId: string, provider: string, providerIds: string[], now = Date.now()): Promise<void> {
  await markSentMany(store, [{ messageId, provider, providerIds }], now);
}

/** `markDelivered` for many messages in one transaction. */
export async function markDeliveredMany(store: Store, delivered: ReadonlyArray<{ messageId: string; detail: string | null }>, now = Date.now()): Promise<void> {
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
export async function markDelivered(store: Store, messageId: string, detail: string | null, now = Date.now()): Promise<void> {
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

/**
 * A sink for delivery receipts that writes the ones arriving together in one transaction (each
 * applied as `applyReceipt` would, in arrival order), so a burst of receipts costs one commit
 * rather than one each. Each receipt's promise resolves once its transaction has committed: SMPP
 * acknowledges a receipt only then.
 */
export function receiptWriter(store: Store, opts: { writers?: number; lingerMs?: number } = {}) {
  const batch = new GroupCommit<{ provider: string; receipt: ReceiptInput }, void>(
    async (items) => {
      const now = Date.now();
      await store.transaction(async (tx) => {
        for (const { provider, receipt } of items) await applyReceipt(tx, provider, receipt, now);
      });
      return items.map(() => undefined);
    },
    { maxBatch: 500, concurrency: opts.writers ?? (store.dialect === 'postgres' ? 2 : 1), lingerMs: opts.lingerMs ?? 2 },
  );
  return (provider: string, receipt: ReceiptInput): Promise<void> => batch.add({ provider, receipt });
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
