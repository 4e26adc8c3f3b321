import type { Selectable } from '../kysely.ts';
import type { ConsentRepliesTable } from '../schema.ts';
import type { Executor } from './executor.ts';

/** An account's own STOP / START / HELP replies. */
export type ConsentRepliesRow = Selectable<ConsentRepliesTable>;

/** Accounts' replies to consent keywords (a missing row: every reply is the default). */
export class ConsentRepliesRepo {
  constructor(private readonly db: Executor) {}

  async get(accountId: string): Promise<ConsentRepliesRow | undefined> {
    return this.db.selectFrom('consent_replies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  }

  /** Writes the whole row (insert or replace). */
  async put(row: ConsentRepliesRow): Promise<void> {
    const { account_id: _, ...rest } = row;
    await this.db
      .insertInto('consent_replies')
      .values(row)
      .onConflict((oc) => oc.column('account_id').doUpdateSet(rest))
      .execute();
  }
}
