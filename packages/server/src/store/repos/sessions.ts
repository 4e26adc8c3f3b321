import type { Selectable } from '../kysely.ts';
import type { SessionsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type SessionRow = Selectable<SessionsTable>;

/** Sign-in sessions, found by the hash of their cookie. */
export class SessionsRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  async byHash(hash: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  async get(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  /** A user's sessions that are neither revoked nor past their absolute expiry, newest first. */
  async liveOf(userId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** Revokes one session of the user; false when it is not theirs or already revoked. */
  async revoke(userId: string, id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Revokes every session of the user but `keep` (null: all); answers how many. */
  async revokeAll(userId: string, now: number, keep: string | null): Promise<number> {
    let q = this.db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (keep !== null) q = q.where('id', '!=', keep);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
