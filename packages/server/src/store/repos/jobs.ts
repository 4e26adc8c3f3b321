import type { Selectable } from 'kysely';
import type { Dialect } from '../db.ts';
import type { JobsTable } from '../schema.ts';
import { type Executor, insertChunked } from './executor.ts';

export type JobRow = Selectable<JobsTable>;

/** Identifies one claim of a job: a worker may only settle the claim it holds. */
export interface JobClaim {
  id: string;
  lockedBy: string;
  attempts: number;
}

export class JobsRepo {
  constructor(
    private readonly db: Executor,
    private readonly dialect: Dialect,
  ) {}

  async insertMany(rows: JobRow[]): Promise<void> {
    await insertChunked(rows, (chunk) => this.db.insertInto('jobs').values(chunk).execute());
  }

  async countByKind(kind: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Takes up to `limit` due jobs — pending ones whose time has come, and running ones whose
   * lease expired (their worker died) — and leases them to `workerId`. On PostgreSQL rows
   * locked by another claimer are skipped, so workers never wait for or double-claim a job;
   * SQLite has one writer at a time, so each UPDATE is already exclusive.
   */
  async claim(opts: { workerId: string; kinds: string[]; limit: number; leaseMs: number; now: number }): Promise<JobRow[]> {
    // Two narrow claims rather than one "pending OR expired" query: each walks the (status, run_at)
    // index in order and stops at the limit, where the OR made SQLite sort every due job first.
    const due = await this.claimWhere(opts, 'pending', opts.limit);
    if (due.length >= opts.limit) return due;
    return [...due, ...(await this.claimWhere(opts, 'running', opts.limit - due.length))];
  }

  private async claimWhere(
    opts: { workerId: string; kinds: string[]; leaseMs: number; now: number },
    status: 'pending' | 'running',
    limit: number,
  ): Promise<JobRow[]> {
    const { now } = opts;
    let ids = this.db.selectFrom('jobs').select('id').where('status', '=', status).where('kind', 'in', opts.kinds);
    // A running job is claimable only once its lease has expired (its worker died or hung).
    ids = status === 'pending' ? ids.where('run_at', '<=', now).orderBy('run_at') : ids.where('locked_until', '<', now);
    ids = ids.limit(limit);
    if (this.dialect === 'postgres') ids = ids.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        locked_by: opts.workerId,
        locked_until: now + opts.leaseMs,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  }

  /** Settles a claim; false when the claim was lost (its lease expired and another worker took it). */
  async settle(
    claim: JobClaim,
    outcome: { status: 'done' } | { status: 'failed'; error: string } | { status: 'pending'; runAt: number; error: string },
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({
        status: outcome.status,
        locked_by: null,
        locked_until: null,
        updated_at: now,
        ...(outcome.status === 'pending' ? { run_at: outcome.runAt } : {}),
        ...(outcome.status !== 'done' ? { last_error: outcome.error.slice(0, 1000) } : {}),
      })
      .where('id', '=', claim.id)
      .where('locked_by', '=', claim.lockedBy)
      .where('attempts', '=', claim.attempts)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
