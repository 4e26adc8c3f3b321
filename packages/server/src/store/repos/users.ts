import { type Selectable, type SqlBool, sql, type Updateable } from '../kysely.ts';
import type { MembershipsTable, Role, UsersTable } from '../schema.ts';
import type { Capabilities } from '../capabilities.ts';
import type { Executor } from './executor.ts';
import { idIn } from './id-list.ts';
import type { SecretBox } from '../../lib/sealed-secrets.ts';

const TOTP = 'users.totp_secret';

export type UserRow = Selectable<UsersTable>;
export type MembershipRow = Selectable<MembershipsTable>;

/** A membership with its account's name and status (the accounts a user can open). */
export interface MembershipWithAccount extends MembershipRow {
  account_name: string;
  account_status: string;
}

/** A membership with its user's email (an account's members). */
export interface MemberWithUser extends MembershipRow {
  email: string;
  name: string | null;
}

/** Users and their membership of accounts. The TOTP secret is sealed at rest (lib/sealed-secrets.ts). */
export class UsersRepo {
  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
    private readonly box: SecretBox,
  ) {}

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values({ ...row, totp_secret: this.box.sealNullable(row.totp_secret, TOTP) }).execute();
  }

  async get(id: string): Promise<UserRow | undefined> {
    return this.opened(await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());
  }

  /** By email, which the caller has lower-cased. */
  async byEmail(email: string): Promise<UserRow | undefined> {
    return this.opened(await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst());
  }

  private opened(row: UserRow | undefined): UserRow | undefined {
    return row && { ...row, totp_secret: this.box.openNullable(row.totp_secret, TOTP) };
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Users in id order, after `cursor`; `search` matches part of the email. */
  async list(opts: { limit: number; cursor?: string; search?: string }): Promise<UserRow[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('id').limit(opts.limit);
    if (opts.cursor) q = q.where('id', '>', opts.cursor);
    if (opts.search) {
      // LIKE's own wildcards in the text are matched literally (ESCAPE '\'), on both backends.
      const pattern = `%${opts.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<SqlBool>`email like ${pattern} escape '\\'`);
    }
    return (await q.execute()).map((r) => this.opened(r)!);
  }

  async update(id: string, changes: Updateable<UsersTable>): Promise<boolean> {
    const sealed = typeof changes.totp_secret === 'string' ? { ...changes, totp_secret: this.box.seal(changes.totp_secret, TOTP) } : changes;
    const r = await this.db.updateTable('users').set(sealed).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Records that a code of TOTP step `step` was used, if no code of that step or a later one was:
   * the guard that makes a code single-use when two sign-ins race. False when one got there first.
   */
  async spendTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Replaces the recovery codes if they are still `expected`: a code spent twice at once is spent once. */
  async swapRecoveryCodes(id: string, expected: string, next: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ recovery_codes: next, updated_at: now })
      .where('id', '=', id)
      .where('recovery_codes', '=', expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async membership(accountId: string, userId: string): Promise<MembershipRow | undefined> {
    return this.db.selectFrom('memberships').selectAll().where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
  }

  async addMembership(row: MembershipRow): Promise<void> {
    await this.db.insertInto('memberships').values(row).execute();
  }

  async setRole(accountId: string, userId: string, role: Role): Promise<boolean> {
    const r = await this.db.updateTable('memberships').set({ role }).where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async removeMembership(accountId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('memberships').where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** The accounts a user belongs to, oldest membership first. */
  async accountsOf(userId: string): Promise<MembershipWithAccount[]> {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .selectAll('m')
      .select(['a.name as account_name', 'a.status as account_status'])
      .where('m.user_id', '=', userId)
      .orderBy('m.created_at')
      .orderBy('m.account_id')
      .execute();
  }

  /** An account's members, oldest first. */
  async membersOf(accountId: string): Promise<MemberWithUser[]> {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .selectAll('m')
      .select(['u.email', 'u.name'])
      .where('m.account_id', '=', accountId)
      .orderBy('m.created_at')
      .orderBy('m.user_id')
      .execute();
  }

  async countRole(accountId: string, role: Role): Promise<number> {
    const r = await this.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * The account's owners, locked to the end of the transaction (row locks where the store has
   * them; SQLite's transaction holds the whole database): two changes that each leave one owner
   * cannot both pass and leave none.
   */
  async ownersForUpdate(accountId: string): Promise<string[]> {
    let q = this.db.selectFrom('memberships').select('user_id').where('account_id', '=', accountId).where('role', '=', 'owner').orderBy('user_id');
    if (this.caps.rowLocks) q = q.forUpdate();
    return (await q.execute()).map((r) => r.user_id);
  }

  /**
   * The operators' ids, locked until the transaction ends where the store has row locks (on
   * SQLite the transaction already holds the only write lock): two operators revoking each other
   * at once then count in turn, and the second sees the first's change.
   */
  async lockOperators(): Promise<string[]> {
    let q = this.db.selectFrom('users').select('id').where('operator', '=', 1).orderBy('id');
    if (this.caps.rowLocks) q = q.forUpdate();
    return (await q.execute()).map((r) => r.id);
  }

  /** The memberships of several users at once (a page of the operators' user list), with their accounts' names. */
  async accountsOfMany(userIds: readonly string[]): Promise<MembershipWithAccount[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .selectAll('m')
      .select(['a.name as account_name', 'a.status as account_status'])
      .where(idIn(this.caps, 'm.user_id', userIds))
      .orderBy('m.created_at')
      .orderBy('m.account_id')
      .execute();
  }
}
