import type { Selectable } from '../kysely.ts';
import type { LedgerTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type LedgerRow = Selectable<LedgerTable>;

/** Which ledger rows a page shows. */
export interface LedgerFilter {
  kind?: LedgerRow['kind'];
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms). */
  to?: number;
  /** Only ids older than this one (the cursor). */
  before?: string;
}

export class WalletRepo {
  constructor(private readonly db: Executor) {}

  async balance(accountId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select('balance_micros')
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row?.balance_micros;
  }

  /**
   * Moves the balance by `amount` (negative to debit) unless that would take it below zero, and
   * returns the new balance; undefined when refused. The conditional UPDATE is the lock: two
   * concurrent debits can never both spend the same money.
   */
  async move(accountId: string, amount: number, allowNegative = false): Promise<number | undefined> {
    let q = this.db
      .updateTable('accounts')
      .set((eb) => ({ balance_micros: eb('balance_micros', '+', amount) }))
      .where('id', '=', accountId);
    if (amount < 0 && !allowNegative) q = q.where('balance_micros', '>=', -amount);
    const row = await q.returning('balance_micros').executeTakeFirst();
    return row?.balance_micros;
  }

  /** Active accounts whose balance is below their low-balance threshold, and those with nothing left. */
  async lowCounts(): Promise<{ belowAlert: number; empty: number }> {
    const row = await this.db
      .selectFrom('accounts')
      .select((eb) => [
        eb.fn.sum<number | string | null>(eb.case().when(eb.and([eb('balance_low_micros', 'is not', null), eb('balance_micros', '<', eb.ref('balance_low_micros'))])).then(1).else(0).end()).as('below_alert'),
        eb.fn.sum<number | string | null>(eb.case().when('balance_micros', '<=', 0).then(1).else(0).end()).as('empty'),
      ])
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    // SUM over no rows is NULL; PostgreSQL answers a bigint as a string.
    return { belowAlert: Number(row.below_alert ?? 0), empty: Number(row.empty ?? 0) };
  }

  async appendLedger(row: LedgerRow): Promise<void> {
    await this.db.insertInto('ledger').values(row).execute();
  }

  async ledgerSum(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_micros'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** One account's ledger, newest first, before `before`; by kind and creation time [from, to). */
  async ledgerPage(accountId: string, f: LedgerFilter, limit: number): Promise<LedgerRow[]> {
    let q = this.db.selectFrom('ledger').selectAll().where('account_id', '=', accountId);
    if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
    if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('created_at', '<', f.to);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  async ledger(accountId: string): Promise<LedgerRow[]> {
    return this.db.selectFrom('ledger').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
  }
}
