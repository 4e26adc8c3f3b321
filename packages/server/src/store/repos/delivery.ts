import type { Insertable, Selectable } from '../kysely.ts';
import type { MessageEventsTable, PendingReceiptsTable, ProviderRefsTable, SandboxInboxTable } from '../schema.ts';
import type { Capabilities } from '../capabilities.ts';
import { type Executor, insertChunked } from './executor.ts';
import { idIn } from './id-list.ts';
import type { MessageRow } from './messages.ts';

export type ProviderRefRow = Selectable<ProviderRefsTable>;
export type SandboxInboxRow = Selectable<SandboxInboxTable>;
export type PendingReceiptRow = Selectable<PendingReceiptsTable>;

/** Delivery bookkeeping: status transitions, network ids for receipts, the sandbox inbox. */
export class DeliveryRepo {
  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
  ) {}

  /**
   * Moves a message to `to` only from one of `from` — the guard that makes every transition
   * happen once even when a job runs twice or a receipt arrives twice. Answers the message as
   * it now is, or undefined when the move did not apply.
   */
  async transition(
    messageId: string,
    from: readonly string[],
    to: string,
    now: number,
    extra: { provider?: string; error?: string | null } = {},
  ): Promise<MessageRow | undefined> {
    return this.db
      .updateTable('messages')
      .set({ status: to, updated_at: now, ...extra })
      .where('id', '=', messageId)
      .where('status', 'in', [...from])
      .returningAll()
      .executeTakeFirst();
  }

  /** `transition` for many messages at once (one UPDATE); answers the rows that moved, in no order. */
  async transitionMany(
    messageIds: readonly string[],
    from: readonly string[],
    to: string,
    now: number,
    extra: { provider?: string; error?: string | null } = {},
  ): Promise<MessageRow[]> {
    if (messageIds.length === 0) return [];
    return this.db
      .updateTable('messages')
      .set({ status: to, updated_at: now, ...extra })
      .where(idIn(this.caps, 'id', messageIds))
      .where('status', 'in', [...from])
      .returningAll()
      .execute();
  }

  /**
   * Ids of `channel` messages `sent` before `before` (the time of their `sent` step: nothing else
   * touches a message while it awaits its receipt), oldest first — the receipt-timeout sweep's
   * candidates, read off the partial index messages_sent_since.
   */
  async sentBefore(channel: 'sms' | 'email', before: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('id')
      .where('status', '=', 'sent')
      .where('channel', '=', channel)
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Timeline entries; the rows of one call must name the same columns (they share one INSERT). */
  async addEvents(rows: Array<Insertable<MessageEventsTable>>): Promise<void> {
    await insertChunked(rows, (chunk) => this.db.insertInto('message_events').values(chunk).execute());
  }

  async getMessage(id: string) {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getMessages(ids: readonly string[]): Promise<MessageRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('messages').selectAll().where(idIn(this.caps, 'id', ids)).execute();
  }

  async addRefs(rows: ProviderRefRow[]): Promise<void> {
    await insertChunked(rows, (chunk) => this.db.insertInto('provider_refs').values(chunk).execute());
  }

  async ref(provider: string, providerMessageId: string): Promise<ProviderRefRow | undefined> {
    return this.db
      .selectFrom('provider_refs')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_message_id', '=', providerMessageId)
      .executeTakeFirst();
  }

  async setRefStatus(provider: string, providerMessageId: string, status: string): Promise<void> {
    await this.db
      .updateTable('provider_refs')
      .set({ status })
      .where('provider', '=', provider)
      .where('provider_message_id', '=', providerMessageId)
      .execute();
  }

  async refsOf(messageId: string): Promise<ProviderRefRow[]> {
    return this.db.selectFrom('provider_refs').selectAll().where('message_id', '=', messageId).orderBy('part').execute();
  }

  async addPendingReceipt(row: PendingReceiptRow): Promise<void> {
    await this.db
      .insertInto('pending_receipts')
      .values(row)
      .onConflict((oc) => oc.columns(['provider', 'provider_message_id']).doNothing())
      .execute();
  }

  /** Pending receipts whose network id is now known, oldest first. */
  async matchedPendingReceipts(limit: number): Promise<PendingReceiptRow[]> {
    return this.db
      .selectFrom('pending_receipts as p')
      .innerJoin('provider_refs as r', (j) =>
        j.onRef('r.provider', '=', 'p.provider').onRef('r.provider_message_id', '=', 'p.provider_message_id'),
      )
      .selectAll('p')
      .orderBy('p.received_at')
      .limit(limit)
      .execute();
  }

  async pendingReceiptsFor(provider: string, ids: string[]): Promise<PendingReceiptRow[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('pending_receipts')
      .selectAll()
      .where('provider', '=', provider)
      .where(idIn(this.caps, 'provider_message_id', ids))
      .execute();
  }

  async deletePendingReceipt(provider: string, providerMessageId: string): Promise<void> {
    await this.db
      .deleteFrom('pending_receipts')
      .where('provider', '=', provider)
      .where('provider_message_id', '=', providerMessageId)
      .execute();
  }

  async deletePendingReceiptsBefore(time: number): Promise<number> {
    const r = await this.db.deleteFrom('pending_receipts').where('received_at', '<', time).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async addInbox(row: SandboxInboxRow): Promise<void> {
    await this.db.insertInto('sandbox_inbox').values(row).execute();
  }

  /** What simulated recipients received, newest first; one account's (before `cursor`) or everyone's. */
  async inbox(opts: { recipient?: string; accountId?: string; cursor?: string; limit: number }): Promise<SandboxInboxRow[]> {
    let q = this.db.selectFrom('sandbox_inbox').selectAll();
    if (opts.recipient !== undefined) q = q.where('recipient', '=', opts.recipient);
    if (opts.accountId !== undefined) q = q.where('account_id', '=', opts.accountId);
    if (opts.cursor !== undefined) q = q.where('id', '<', opts.cursor);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  }
}
