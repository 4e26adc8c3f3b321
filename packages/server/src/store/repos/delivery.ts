import type { Selectable } from 'kysely';
import type { PendingReceiptsTable, ProviderRefsTable, SandboxInboxTable } from '../schema.ts';
import type { Executor } from './executor.ts';
import type { MessageRow } from './messages.ts';

export type ProviderRefRow = Selectable<ProviderRefsTable>;
export type SandboxInboxRow = Selectable<SandboxInboxTable>;
export type PendingReceiptRow = Selectable<PendingReceiptsTable>;

/** Delivery bookkeeping: status transitions, network ids for receipts, the sandbox inbox. */
export class DeliveryRepo {
  constructor(private readonly db: Executor) {}

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

  async addEvent(row: { id: string; message_id: string; status: string; detail: string | null; created_at: number }): Promise<void> {
    await this.db.insertInto('message_events').values(row).execute();
  }

  async getMessage(id: string) {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async addRefs(rows: ProviderRefRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto('provider_refs').values(rows).execute();
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
      .where('provider_message_id', 'in', ids)
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

  /** What simulated recipients received, newest first. */
  async inbox(opts: { recipient?: string; limit: number }): Promise<SandboxInboxRow[]> {
    let q = this.db.selectFrom('sandbox_inbox').selectAll();
    if (opts.recipient !== undefined) q = q.where('recipient', '=', opts.recipient);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  }
}
