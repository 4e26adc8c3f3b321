import { type Selectable, sql } from '../kysely.ts';
import type { MessageEventsTable, MessagesTable } from '../schema.ts';
import type { Executor } from './executor.ts';

/** A message as read back: `direction` is always there (the column has a default). */
export type MessageRow = Omit<Selectable<MessagesTable>, 'direction'> & Pick<MessagesTable, 'direction'>;
export type MessageEventRow = Selectable<MessageEventsTable>;

export interface MessageFilter {
  channel?: string;
  status?: string;
  recipient?: string;
  campaignId?: string;
  sender?: string;
  createdFrom?: number;
  createdUntil?: number;
  direction?: 'outbound' | 'inbound';
  /** SMS to this number or received from it: one conversation with it. */
  conversation?: string;
  /** Return only ids older than this one (the cursor of the previous page). */
  before?: string;
}

/** One cell of a usage series: the messages of one time bucket, channel and status. */
export interface UsageCell {
  /** The bucket's start (epoch ms, a multiple of its width). */
  bucket: number;
  channel: string;
  status: string;
  count: number;
  /** The prices of its live messages (sandbox messages are never charged), in micro-units. */
  spend: number;
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

  /** Moves a scheduled message of the account to `scheduledAt`; false when it is not scheduled (any more). */
  async reschedule(accountId: string, id: string, scheduledAt: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('messages')
      .set({ scheduled_at: scheduledAt, updated_at: now })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Newest first; `limit` rows at most. */
  async list(accountId: string, f: MessageFilter, limit: number): Promise<MessageRow[]> {
    return this.listQuery(accountId, f, limit).execute();
  }

  /** The query `list` runs, unexecuted (its plan is tested: test/unit/indexes.test.ts). */
  listQuery(accountId: string, f: MessageFilter, limit: number) {
    let q = this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId);
    if (f.channel !== undefined) q = q.where('channel', '=', f.channel as MessageRow['channel']);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.recipient !== undefined) q = q.where('recipient', '=', f.recipient);
    if (f.campaignId !== undefined) q = q.where('campaign_id', '=', f.campaignId);
    if (f.sender !== undefined) q = q.where('sender', '=', f.sender);
    if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
    if (f.createdUntil !== undefined) q = q.where('created_at', '<', f.createdUntil);
    // A literal, not a parameter: only then can the planner match messages_inbound's condition.
    if (f.direction !== undefined) q = q.where('direction', '=', sql.lit(f.direction));
    if (f.conversation !== undefined) {
      const other = f.conversation;
      q = q
        .where('channel', '=', 'sms')
        .where((eb) =>
          eb.or([
            eb.and([eb('direction', '=', 'outbound'), eb('recipient', '=', other)]),
            eb.and([eb('direction', '=', 'inbound'), eb('sender', '=', other)]),
          ]),
        );
    }
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(limit);
  }

  /**
   * An account's messages created in [from, to), counted and their prices summed per time bucket
   * of `bucketMs`, channel and status. The bucket is integer arithmetic on created_at (epoch ms),
   * which both databases do the same way, so buckets are UTC hours or days whatever the server's zone.
   */
  async usage(accountId: string, q: { bucketMs: number; from: number; to: number; channel?: string }): Promise<UsageCell[]> {
    const width = sql.lit(q.bucketMs);
    const bucket = sql<number>`(${sql.ref('created_at')} / ${width}) * ${width}`;
    const live = sql<number>`case when ${sql.ref('sandbox')} = 0 then ${sql.ref('price_micros')} else 0 end`;
    let query = this.db
      .selectFrom('messages')
      .select((eb) => [bucket.as('bucket'), 'channel', 'status', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>(live).as('spend')])
      .where('account_id', '=', accountId)
      .where('created_at', '>=', q.from)
      .where('created_at', '<', q.to);
    if (q.channel !== undefined) query = query.where('channel', '=', q.channel as MessageRow['channel']);
    const rows = await query.groupBy([bucket, 'channel', 'status']).execute();
    // PostgreSQL answers bigint and numeric aggregates as strings.
    return rows
      .map((r) => ({ bucket: Number(r.bucket), channel: r.channel, status: r.status, count: Number(r.count), spend: Number(r.spend ?? 0) }))
      .sort((a, b) => a.bucket - b.bucket || a.channel.localeCompare(b.channel) || a.status.localeCompare(b.status));
  }

  /** How many of a campaign's messages are in each status. */
  async countByStatus(campaignId: string): Promise<Record<string, number>> {
    const rows = await this.countByStatusQuery(campaignId).execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** The query `countByStatus` runs, unexecuted (its plan is tested). */
  countByStatusQuery(campaignId: string) {
    return this.db
      .selectFrom('messages')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .groupBy('status');
  }
}
