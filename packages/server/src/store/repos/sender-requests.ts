import type { Selectable, Updateable } from '../kysely.ts';
import type { SenderRequestsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type SenderRequestRow = Selectable<SenderRequestsTable>;

/** Senders an account asked for, waiting for (or decided by) an operator. */
export class SenderRequestsRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: SenderRequestRow): Promise<void> {
    await this.db.insertInto('sender_requests').values(row).execute();
  }

  /** Inserts a pending request unless one for the same sender is pending already; false then. */
  async insertPending(row: SenderRequestRow): Promise<boolean> {
    const r = await this.db
      .insertInto('sender_requests')
      .values({ ...row, status: 'pending' })
      // The partial unique index sender_requests_one_pending (migration 0013) is the conflict.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async get(id: string): Promise<SenderRequestRow | undefined> {
    return this.db.selectFrom('sender_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, before `cursor` (or with `oldestFirst`, the operators' queue, after it); by account and/or status. */
  async list(opts: { accountId?: string; status?: SenderRequestRow['status']; limit: number; cursor?: string; oldestFirst?: boolean }): Promise<SenderRequestRow[]> {
    const asc = opts.oldestFirst === true;
    let q = this.db.selectFrom('sender_requests').selectAll().orderBy('id', asc ? 'asc' : 'desc').limit(opts.limit);
    if (opts.accountId) q = q.where('account_id', '=', opts.accountId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.cursor) q = q.where('id', asc ? '>' : '<', opts.cursor);
    return q.execute();
  }

  async pendingFor(accountId: string, kind: SenderRequestRow['kind'], value: string): Promise<SenderRequestRow | undefined> {
    return this.db
      .selectFrom('sender_requests')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .where('value', '=', value)
      .where('status', '=', 'pending')
      .executeTakeFirst();
  }

  /** Decides a pending request; false when it was decided already (a race of two operators). */
  async decide(id: string, changes: Updateable<SenderRequestsTable>): Promise<boolean> {
    const r = await this.db.updateTable('sender_requests').set(changes).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
