import type { Selectable } from '../kysely.ts';
import type { OtpPrefixBlocksTable, OtpVerificationsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type OtpRow = Selectable<OtpVerificationsTable>;
export type OtpBlockRow = Selectable<OtpPrefixBlocksTable>;
export type OtpStatus = OtpRow['status'];

/** OTP verifications, the prefixes the pumping defence paused, and per-account country rules. */
export class OtpRepo {
  constructor(private readonly db: Executor) {}

  /**
   * Starts a verification; false when the destination already has a pending one (the partial
   * unique index), which is how two concurrent first sends are told apart.
   */
  async insert(row: OtpRow): Promise<boolean> {
    const r = await this.db
      .insertInto('otp_verifications')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async get(accountId: string, id: string): Promise<OtpRow | undefined> {
    return this.db.selectFrom('otp_verifications').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  }

  /** The destination's most recent verification, whatever its status. */
  async latestFor(accountId: string, recipient: string): Promise<OtpRow | undefined> {
    return this.db
      .selectFrom('otp_verifications')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('recipient', '=', recipient)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async pendingFor(accountId: string, recipient: string): Promise<OtpRow | undefined> {
    return this.db
      .selectFrom('otp_verifications')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('recipient', '=', recipient)
      .where('status', '=', 'pending')
      .executeTakeFirst();
  }

  /** Marks a destination's pending verification expired once its time is up, so a new one may start. */
  async expirePending(accountId: string, recipient: string, now: number): Promise<void> {
    await this.db
      .updateTable('otp_verifications')
      .set({ status: 'expired', updated_at: now })
      .where('account_id', '=', accountId)
      .where('recipient', '=', recipient)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute();
  }

  /**
   * Records a resend (a new code) — only if nobody resent or settled the verification since it
   * was read (`sends` unchanged, still pending); false otherwise.
   */
  async resend(
    id: string,
    seenSends: number,
    patch: Pick<OtpRow, 'channel' | 'code_hash' | 'code_length' | 'message_id' | 'expires_at' | 'last_sent_at' | 'key_id'>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('otp_verifications')
      .set({ ...patch, sends: seenSends + 1, updated_at: patch.last_sent_at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('sends', '=', seenSends)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Spends one verify attempt of a pending, unexpired verification and answers it as it now is;
   * undefined when no attempt is left to spend. The row lock (or SQLite's write lock) makes
   * concurrent guesses take attempts one at a time, so brute force stays bounded.
   */
  async spendAttempt(id: string, maxAttempts: number, now: number): Promise<OtpRow | undefined> {
    return this.db
      .updateTable('otp_verifications')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .where('attempts', '<', maxAttempts)
      .returningAll()
      .executeTakeFirst();
  }

  /** Moves a pending verification to a final status; undefined when it was no longer pending. */
  async settle(id: string, to: Exclude<OtpStatus, 'pending'>, now: number): Promise<OtpRow | undefined> {
    return this.db
      .updateTable('otp_verifications')
      .set({ status: to, updated_at: now, ...(to === 'approved' ? { approved_at: now } : {}) })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  }

  /** Sends and approvals of (live) verifications to a prefix started since `since`. */
  async prefixStats(accountId: string, prefix: string, since: number): Promise<{ sends: number; approvals: number }> {
    const row = await this.db
      .selectFrom('otp_verifications')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('sends'), eb.lit(0)).as('sends'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'approved').then(1).else(0).end()).as('approvals'),
      ])
      .where('account_id', '=', accountId)
      .where('prefix', '=', prefix)
      .where('sandbox', '=', 0)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return { sends: Number(row.sends ?? 0), approvals: Number(row.approvals ?? 0) };
  }

  /** The prefix's block, in force or ended (a prefix keeps its last one). */
  async block(accountId: string, prefix: string): Promise<OtpBlockRow | undefined> {
    return this.db.selectFrom('otp_prefix_blocks').selectAll().where('account_id', '=', accountId).where('prefix', '=', prefix).executeTakeFirst();
  }

  /** Blocks a prefix (replacing its previous, ended block). */
  async addBlock(row: OtpBlockRow): Promise<void> {
    await this.db
      .insertInto('otp_prefix_blocks')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['account_id', 'prefix']).doUpdateSet({
          blocked_until: row.blocked_until,
          sends: row.sends,
          approvals: row.approvals,
          reason: row.reason,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  async blocks(accountId: string, now: number): Promise<OtpBlockRow[]> {
    return this.db
      .selectFrom('otp_prefix_blocks')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('blocked_until', '>', now)
      .orderBy('prefix')
      .execute();
  }

  /** Ends a block in force now (kept, with its reason, as the prefix's last block); false when none was. */
  async endBlock(accountId: string, prefix: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('otp_prefix_blocks')
      .set({ blocked_until: now })
      .where('account_id', '=', accountId)
      .where('prefix', '=', prefix)
      .where('blocked_until', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The account's allowed destination countries; null = every country. */
  async allowedCountries(accountId: string): Promise<string[] | null> {
    const row = await this.db.selectFrom('otp_country_rules').select('allowed_countries').where('account_id', '=', accountId).executeTakeFirst();
    return row ? (JSON.parse(row.allowed_countries) as string[]) : null;
  }

  /** Sets the allowed countries; null lifts the restriction. */
  async setAllowedCountries(accountId: string, countries: string[] | null, now: number): Promise<void> {
    if (countries === null) {
      await this.db.deleteFrom('otp_country_rules').where('account_id', '=', accountId).execute();
      return;
    }
    const allowed = JSON.stringify(countries);
    await this.db
      .insertInto('otp_country_rules')
      .values({ account_id: accountId, allowed_countries: allowed, updated_at: now })
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ allowed_countries: allowed, updated_at: now }))
      .execute();
  }
}
