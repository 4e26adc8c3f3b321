import { type Selectable, type SqlBool, sql, type Updateable } from '../kysely.ts';
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

  /**
   * Newest first, before `cursor`: the operators' list. `search` is an account id, or part of a
   * name (any case); `status` keeps one status.
   */
  async search(opts: { limit: number; cursor?: string; search?: string; status?: AccountRow['status'] }): Promise<AccountRow[]> {
    let q = this.db.selectFrom('accounts').selectAll().orderBy('id', 'desc').limit(opts.limit);
    if (opts.cursor) q = q.where('id', '<', opts.cursor);
    if (opts.status) q = q.where('status', '=', opts.status);
    const text = opts.search?.trim();
    if (text) {
      // LIKE's own wildcards in the text are matched literally (ESCAPE '\'), on both backends.
      const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('id', '=', text), sql<SqlBool>`lower(name) like ${pattern} escape '\\'`]));
    }
    return q.execute();
  }

  /** Updates the given columns; false when no such account. */
  async update(id: string, changes: Updateable<AccountsTable>): Promise<boolean> {
    const r = await this.db.updateTable('accounts').set(changes).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
