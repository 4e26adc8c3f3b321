import type { Selectable } from '../kysely.ts';
import type { CampaignsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type CampaignRow = Selectable<CampaignsTable>;

export class CampaignsRepo {
  constructor(private readonly db: Executor) {}

  async get(accountId: string, id: string): Promise<CampaignRow | undefined> {
    return this.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  /**
   * Counts `by` more of the campaign's messages as final and answers the campaign after the bump.
   * The row lock orders concurrent bumps, so exactly one of them sees the last message counted.
   */
  async bumpFinal(id: string, by = 1): Promise<CampaignRow | undefined> {
    return this.db
      .updateTable('campaigns')
      .set((eb) => ({ final_count: eb('final_count', '+', by) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** Newest first, ids below `before` when given. */
  async list(accountId: string, before: string | undefined, limit: number): Promise<CampaignRow[]> {
    let q = this.db.selectFrom('campaigns').selectAll().where('account_id', '=', accountId);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
}
