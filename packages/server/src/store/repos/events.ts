import type { Selectable } from '../kysely.ts';
import type { EventsTable } from '../schema.ts';
import { type Executor, insertRows } from './executor.ts';

export type EventRow = Selectable<EventsTable>;

export class EventsRepo {
  constructor(private readonly db: Executor) {}

  async insertMany(rows: EventRow[]): Promise<void> {
    await insertRows(this.db, 'events', rows);
  }

  async get(id: string): Promise<EventRow | undefined> {
    return this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** An account's events, newest first, optionally of one type. */
  async list(accountId: string, opts: { type?: string; before?: string; limit: number }): Promise<EventRow[]> {
    let q = this.db.selectFrom('events').selectAll().where('account_id', '=', accountId);
    if (opts.type !== undefined) q = q.where('type', '=', opts.type);
    if (opts.before !== undefined) q = q.where('id', '<', opts.before);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  }
}
