import type { Selectable, Updateable } from '../kysely.ts';
import type { CallAudioTable, CallEventsTable, CallsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type CallRow = Selectable<CallsTable>;
export type CallEventRow = Selectable<CallEventsTable>;
export type CallAudioRow = Selectable<CallAudioTable>;

/** What GET /voice filters by. */
export interface CallFilter {
  status?: string;
  to?: string;
  createdFrom?: number;
  createdUntil?: number;
  /** Only ids older than this one (the previous page's cursor). */
  before?: string;
}

/** Calls, their timelines and the audio they sent. */
export class CallsRepo {
  constructor(private readonly db: Executor) {}

  /** One call of an account. */
  async get(accountId: string, id: string): Promise<CallRow | undefined> {
    return this.db.selectFrom('calls').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  }

  /** One call by id alone (the worker's read). */
  async byId(id: string): Promise<CallRow | undefined> {
    return this.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first; `limit` rows at most. */
  async list(accountId: string, f: CallFilter, limit: number): Promise<CallRow[]> {
    let q = this.db.selectFrom('calls').selectAll().where('account_id', '=', accountId);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.to !== undefined) q = q.where('to_number', '=', f.to);
    if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
    if (f.createdUntil !== undefined) q = q.where('created_at', '<', f.createdUntil);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  /** A call's timeline, oldest first. */
  async events(callId: string): Promise<CallEventRow[]> {
    return this.db.selectFrom('call_events').selectAll().where('call_id', '=', callId).orderBy('id').execute();
  }

  /**
   * Moves a call out of one of the `from` statuses, with the other changes of that step; the
   * changed row, or undefined when the call was no longer in one of them (someone moved it first).
   */
  async move(id: string, from: readonly string[], patch: Updateable<CallsTable>): Promise<CallRow | undefined> {
    return this.db.updateTable('calls').set(patch).where('id', '=', id).where('status', 'in', [...from]).returningAll().executeTakeFirst();
  }

  /** Changes fields that are not a step (the heartbeat, a cancel request). */
  async touch(id: string, patch: Pick<Updateable<CallsTable>, 'alive_at' | 'cancel_requested_at' | 'updated_at'>): Promise<void> {
    await this.db.updateTable('calls').set(patch).where('id', '=', id).execute();
  }

  async addEvent(row: CallEventRow): Promise<void> {
    await this.db.insertInto('call_events').values(row).execute();
  }

  async putAudio(row: CallAudioRow): Promise<void> {
    await this.db.insertInto('call_audio').values(row).execute();
  }

  async audio(callId: string): Promise<CallAudioRow | undefined> {
    return this.db.selectFrom('call_audio').selectAll().where('call_id', '=', callId).executeTakeFirst();
  }
}
