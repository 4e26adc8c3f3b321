import type { Selectable } from '../kysely.ts';
import type { SendersTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type SenderRow = Selectable<SendersTable>;
export type SenderKey = Pick<SenderRow, 'kind' | 'value'>;

export class SendersRepo {
  constructor(private readonly db: Executor) {}

  /** Adds an approval; true when it was new. */
  async add(row: SenderRow): Promise<boolean> {
    const r = await this.db
      .insertInto('senders')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'kind', 'value']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async remove(accountId: string, key: SenderKey): Promise<boolean> {
    const r = await this.db
      .deleteFrom('senders')
      .where('account_id', '=', accountId)
      .where('kind', '=', key.kind)
      .where('value', '=', key.value)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async list(accountId: string): Promise<SenderRow[]> {
    return this.db.selectFrom('senders').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
  }
}
