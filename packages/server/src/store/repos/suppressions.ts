import type { Selectable } from '../kysely.ts';
import type { Capabilities } from '../capabilities.ts';
import type { SuppressionChannel, SuppressionSource, SuppressionsTable } from '../schema.ts';
import { type Executor, selectFixed } from './executor.ts';
import { GatheredReads } from './gathered-reads.ts';
import { idIn } from './id-list.ts';

/** One suppressed recipient of one account on one channel. */
export type SuppressionRow = Selectable<SuppressionsTable>;

/** Filters of a suppression listing. */
export interface SuppressionFilter {
  channel?: SuppressionChannel;
  source?: SuppressionSource;
}

const entryId = (accountId: string, channel: string, value: string) => `${accountId}\n${channel}\n${value}`;

/** The per-account suppression list: who is never sent to on a channel, and why. */
export class SuppressionsRepo {
  private readonly lookups: GatheredReads<{ accountId: string; channel: SuppressionChannel; value: string }, string> | null;

  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
    /** Gather the one-recipient lookups of requests that arrive together (Capabilities.roundTrips). */
    gather = false,
  ) {
    this.lookups = gather
      ? new GatheredReads(
          (k) => entryId(k.accountId, k.channel, k.value),
          async (keys) => {
            // Every combination of the accounts, channels and values asked for; the rest are dropped.
            const rows = await this.db
              .selectFrom('suppressions')
              .select(['account_id', 'channel', 'value'])
              .where(idIn(caps, 'account_id', [...new Set(keys.map((k) => k.accountId))]))
              .where(idIn(caps, 'channel', [...new Set(keys.map((k) => k.channel))]))
              .where(idIn(caps, 'value', [...new Set(keys.map((k) => k.value))]))
              .execute();
            return rows.map((r) => ({ id: entryId(r.account_id, r.channel, r.value), row: r.value }));
          },
        )
      : null;
  }

  /** Adds the row unless (account, channel, value) is already listed; true when it was added. */
  async insertIfAbsent(row: SuppressionRow): Promise<boolean> {
    const result = await this.db
      .insertInto('suppressions')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'channel', 'value']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async find(accountId: string, channel: SuppressionChannel, value: string): Promise<SuppressionRow | undefined> {
    return this.db
      .selectFrom('suppressions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('channel', '=', channel)
      .where('value', '=', value)
      .executeTakeFirst();
  }

  async get(accountId: string, id: string): Promise<SuppressionRow | undefined> {
    return this.db.selectFrom('suppressions').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Which of `values` are listed (one statement whatever their number). */
  async listedAmong(accountId: string, channel: SuppressionChannel, values: readonly string[]): Promise<string[]> {
    if (values.length === 0) return [];
    // The one recipient of most sends: a statement built once (this runs on every accepted request).
    if (values.length === 1) {
      if (this.lookups) {
        const listed = await this.lookups.read({ accountId, channel, value: values[0]! });
        return listed === undefined ? [] : [listed];
      }
      const one = await selectFixed<{ value: string }>(this.db, 'select value from suppressions where account_id = ? and channel = ? and value = ?', [accountId, channel, values[0]]);
      return one.map((r) => r.value);
    }
    const rows = await this.db
      .selectFrom('suppressions')
      .select('value')
      .where('account_id', '=', accountId)
      .where('channel', '=', channel)
      .where(idIn(this.caps, 'value', values))
      .execute();
    return rows.map((r) => r.value);
  }

  /** Removes one entry; the removed row, or undefined when there was none. */
  async delete(accountId: string, channel: SuppressionChannel, value: string): Promise<SuppressionRow | undefined> {
    const row = await this.find(accountId, channel, value);
    if (!row) return undefined;
    await this.db.deleteFrom('suppressions').where('id', '=', row.id).execute();
    return row;
  }

  /** Newest first, ids below `before` when given. */
  async list(accountId: string, filter: SuppressionFilter, before: string | undefined, limit: number): Promise<SuppressionRow[]> {
    let q = this.db.selectFrom('suppressions').selectAll().where('account_id', '=', accountId);
    if (filter.channel) q = q.where('channel', '=', filter.channel);
    if (filter.source) q = q.where('source', '=', filter.source);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
}
