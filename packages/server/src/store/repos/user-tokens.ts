import type { Selectable } from '../kysely.ts';
import type { UserTokenKind, UserTokensTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type UserTokenRow = Selectable<UserTokensTable>;

/** One-time tokens: first-run setup, invitations, password resets, email verification. */
export class UserTokensRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: UserTokenRow): Promise<void> {
    await this.db.insertInto('user_tokens').values(row).execute();
  }

  async byHash(hash: string): Promise<UserTokenRow | undefined> {
    return this.db.selectFrom('user_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  async get(id: string): Promise<UserTokenRow | undefined> {
    return this.db.selectFrom('user_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Marks the token used if it is still unused and unexpired: the guard that makes it single-use
   * when two requests race. False when another use (or the clock) got there first.
   */
  async consume(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('user_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Ends every unused token of a kind for a user (a new reset link voids the older ones). */
  async voidFor(kind: UserTokenKind, userId: string, now: number): Promise<void> {
    await this.db.updateTable('user_tokens').set({ used_at: now }).where('kind', '=', kind).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  }

  /** Ends every unused token of a kind, whoever it is for (a new setup link voids the older ones). */
  async voidKind(kind: UserTokenKind, now: number): Promise<void> {
    await this.db.updateTable('user_tokens').set({ used_at: now }).where('kind', '=', kind).where('used_at', 'is', null).execute();
  }

  /** Ends the account's unused invitations to an address (a new invitation replaces them). */
  async voidInvitationsTo(accountId: string, email: string, now: number): Promise<void> {
    await this.db
      .updateTable('user_tokens')
      .set({ used_at: now })
      .where('account_id', '=', accountId)
      .where('kind', '=', 'invitation')
      .where('email', '=', email)
      .where('used_at', 'is', null)
      .execute();
  }

  /** An account's invitations still open at `now`, newest first. */
  async openInvitations(accountId: string, now: number): Promise<UserTokenRow[]> {
    return this.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', 'invitation')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('id', 'desc')
      .execute();
  }

  /** Ends an open invitation of the account; false when there is none by that id. */
  async revokeInvitation(accountId: string, id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('user_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('kind', '=', 'invitation')
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Whether an unused, unexpired token of the kind exists. */
  async anyOpen(kind: UserTokenKind, now: number): Promise<boolean> {
    const r = await this.db.selectFrom('user_tokens').select('id').where('kind', '=', kind).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    return r !== undefined;
  }
}
