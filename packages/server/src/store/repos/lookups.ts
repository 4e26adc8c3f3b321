import type { Selectable } from '../kysely.ts';
import type { LookupsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type LookupRow = Selectable<LookupsTable>;

export class LookupsRepo {
  constructor(private readonly db: Executor) {}

  async get(accountId: string, id: string): Promise<LookupRow | undefined> {
    return this.db
      .selectFrom('lookups')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  /** Newest first, ids below `before` when given. */
  async list(accountId: string, before: string | undefined, limit: number): Promise<LookupRow[]> {
    let q = this.db.selectFrom('lookups').selectAll().where('account_id', '=', accountId);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
}
