import type { Selectable } from 'kysely';
import type { IdempotencyKeysTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export class IdempotencyRepo {
  constructor(private readonly db: Executor) {}

  /** Claims the key; false when a row for it already exists. */
  async tryInsert(row: IdempotencyRow): Promise<boolean> {
    const r = await this.db
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'idem_key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async get(accountId: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('idem_key', '=', key)
      .executeTakeFirst();
  }

  async complete(accountId: string, key: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status: 'completed', response_status: status, response_body: body })
      .where('account_id', '=', accountId)
      .where('idem_key', '=', key)
      .execute();
  }

  /** Drops the row created at `createdAt` (not one another request has since taken over). */
  async delete(accountId: string, key: string, createdAt: number, onlyInProgress = false): Promise<void> {
    let q = this.db
      .deleteFrom('idempotency_keys')
      .where('account_id', '=', accountId)
      .where('idem_key', '=', key)
      .where('created_at', '=', createdAt);
    if (onlyInProgress) q = q.where('status', '=', 'in_progress');
    await q.execute();
  }

  async deleteExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
