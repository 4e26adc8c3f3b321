import type { Selectable, Updateable } from 'kysely';
import type { AccountsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type AccountRow = Selectable<AccountsTable>;

export class AccountsRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: AccountRow): Promise<void> {
    await this.db.insertInto('accounts').values(row).execute();
  }

  async get(id: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<AccountRow[]> {
    return this.db.selectFrom('accounts').selectAll().orderBy('id').execute();
  }

  /** Updates the given columns; false when no such account. */
  async update(id: string, changes: Updateable<AccountsTable>): Promise<boolean> {
    const r = await this.db.updateTable('accounts').set(changes).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
