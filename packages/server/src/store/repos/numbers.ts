import type { Selectable } from '../kysely.ts';
import type { NumbersTable } from '../schema.ts';
import type { Executor } from './executor.ts';

/** A number and the account it belongs to. */
export type NumberRow = Selectable<NumbersTable>;

/** The numbers accounts receive SMS on. */
export class NumbersRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: NumberRow): Promise<void> {
    await this.db.insertInto('numbers').values(row).execute();
  }

  async get(number: string): Promise<NumberRow | undefined> {
    return this.db.selectFrom('numbers').selectAll().where('number', '=', number).executeTakeFirst();
  }

  /** Removes the number; true when it was assigned. */
  async delete(number: string): Promise<boolean> {
    const result = await this.db.deleteFrom('numbers').where('number', '=', number).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Every number, or one account's, in number order. */
  async list(accountId?: string): Promise<NumberRow[]> {
    let q = this.db.selectFrom('numbers').selectAll();
    if (accountId !== undefined) q = q.where('account_id', '=', accountId);
    return q.orderBy('number').execute();
  }
}
