import type { Selectable } from 'kysely';
import type { DomainsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type DomainRow = Selectable<DomainsTable>;

export class DomainsRepo {
  constructor(private readonly db: Executor) {}

  /** Adds the domain; false when the account already has it. */
  async insert(row: DomainRow): Promise<boolean> {
    const r = await this.db
      .insertInto('domains')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'domain']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async get(accountId: string, id: string): Promise<DomainRow | undefined> {
    return this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  async byName(accountId: string, domain: string): Promise<DomainRow | undefined> {
    return this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('domain', '=', domain).executeTakeFirst();
  }

  async list(accountId: string): Promise<DomainRow[]> {
    return this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
  }

  async markVerified(id: string, now: number): Promise<void> {
    await this.db.updateTable('domains').set({ status: 'verified', verified_at: now }).where('id', '=', id).execute();
  }
}
