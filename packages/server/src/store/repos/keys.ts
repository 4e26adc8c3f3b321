import type { Selectable, Updateable } from '../kysely.ts';
import type { AccountsTable, ApiKeysTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** A key with the account fields every request needs, fetched in one query. */
export interface KeyWithAccount extends ApiKeyRow {
  account_status: AccountsTable['status'];
  account_ip_allowlist: string;
  account_rate_limit_per_minute: number | null;
  account_daily_cap_micros: number | null;
  account_monthly_cap_micros: number | null;
  account_balance_low_micros: number | null;
  account_twilio_sid: string;
}

export class KeysRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: ApiKeyRow): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async get(id: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listByAccount(accountId: string): Promise<ApiKeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
  }

  async findByHash(hash: string): Promise<KeyWithAccount | undefined> {
    return this.db
      .selectFrom('api_keys as k')
      .innerJoin('accounts as a', 'a.id', 'k.account_id')
      .selectAll('k')
      .select([
        'a.status as account_status',
        'a.ip_allowlist as account_ip_allowlist',
        'a.rate_limit_per_minute as account_rate_limit_per_minute',
        'a.daily_cap_micros as account_daily_cap_micros',
        'a.monthly_cap_micros as account_monthly_cap_micros',
        'a.balance_low_micros as account_balance_low_micros',
        'a.twilio_account_sid as account_twilio_sid',
      ])
      .where('k.key_hash', '=', hash)
      .executeTakeFirst();
  }

  /** One account's keys, newest first, before `cursor` (the dashboard's list). */
  async page(accountId: string, opts: { limit: number; cursor?: string }): Promise<ApiKeyRow[]> {
    let q = this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(opts.limit);
    if (opts.cursor !== undefined) q = q.where('id', '<', opts.cursor);
    return q.execute();
  }

  /**
   * Marks a live key as replaced by `successor`, working until `expiresAt`; false when it was
   * revoked or rotated meanwhile (two rotations at once: only one may win).
   */
  async markRotated(id: string, successor: string, expiresAt: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ rotated_to: successor, expires_at: expiresAt })
      .where('id', '=', id)
      .where('rotated_to', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Updates the given columns; false when no such key. */
  async update(id: string, changes: Updateable<ApiKeysTable>): Promise<boolean> {
    const r = await this.db.updateTable('api_keys').set(changes).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
