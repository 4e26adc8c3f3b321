import type { Selectable } from 'kysely';
import type { MessageEventsTable, MessagesTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type MessageRow = Selectable<MessagesTable>;
export type MessageEventRow = Selectable<MessageEventsTable>;

export interface MessageFilter {
  channel?: string;
  status?: string;
  recipient?: string;
  campaignId?: string;
  createdFrom?: number;
  createdUntil?: number;
  /** Return only ids older than this one (the cursor of the previous page). */
  before?: string;
}

export class MessagesRepo {
  constructor(private readonly db: Executor) {}

  async get(accountId: string, id: string): Promise<MessageRow | undefined> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  async events(messageId: string): Promise<MessageEventRow[]> {
    return this.db.selectFrom('message_events').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  }

  /** Newest first; `limit` rows at most. */
  async list(accountId: string, f: MessageFilter, limit: number): Promise<MessageRow[]> {
    let q = this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId);
    if (f.channel !== undefined) q = q.where('channel', '=', f.channel as MessageRow['channel']);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.recipient !== undefined) q = q.where('recipient', '=', f.recipient);
    if (f.campaignId !== undefined) q = q.where('campaign_id', '=', f.campaignId);
    if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
    if (f.createdUntil !== undefined) q = q.where('created_at', '<', f.createdUntil);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  /** How many of a campaign's messages are in each status. */
  async countByStatus(campaignId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
