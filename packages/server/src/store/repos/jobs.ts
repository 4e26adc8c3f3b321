import type { Selectable } from '../kysely.ts';
import type { Capabilities } from '../capabilities.ts';
import type { JobsTable, RetentionColumns } from '../schema.ts';
import { type Executor, insertRows } from './executor.ts';
import { idIn } from './id-list.ts';

export type JobRow = Selectable<JobsTable> & { dedupe_key?: string | null };

/** Identifies one claim of a job: a worker may only settle the claim it holds. */
export interface JobClaim {
  id: string;
  lockedBy: string;
  attempts: number;
}

/** How a run ends: done, given up on, or to be run again at `runAt`. */
export type JobOutcome = { status: 'done' } | { status: 'failed'; error: string } | { status: 'pending'; runAt: number; error: string };

function settledColumns(outcome: JobOutcome, now: number) {
  return {
    status: outcome.status,
    locked_by: null,
    locked_until: null,
    updated_at: now,
    ...(outcome.status === 'pending' ? { run_at: outcome.runAt } : {}),
    ...(outcome.status !== 'done' ? { last_error: outcome.error.slice(0, 1000) } : {}),
  };
}

export class JobsRepo {
  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
  ) {}

  async insertMany(rows: JobRow[]): Promise<void> {
    await insertRows(this.db, 'jobs', rows);
  }

  /**
   * Inserts rows that carry a dedupe key, each unless a live job holds its key (the partial unique
   * index jobs_live_dedupe; ON CONFLICT DO NOTHING on both backends). Answers how many went in.
   */
  async insertUnlessLive(rows: JobRow[]): Promise<number> {
    let made = 0;
    for (const row of rows) {
      const r = await this.db
        .withTables<RetentionColumns>()
        .insertInto('jobs')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      made += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    return made;
  }

  /** Live (pending or running) jobs of a kind. */
  async countLive(kind: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countByKind(kind: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The queue per kind, for the operators' console: jobs waiting (pending, due now or later), how
   * many of them are due, how many are running, and the run_at of the oldest due one.
   */
  async depth(now: number): Promise<Array<{ kind: string; pending: number; due: number; running: number; oldest_due_at: number | null }>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => [
        'kind',
        eb.fn.sum<number | string>(eb.case().when('status', '=', 'pending').then(1).else(0).end()).as('pending'),
        eb.fn.sum<number | string>(eb.case().when(eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)])).then(1).else(0).end()).as('due'),
        eb.fn.sum<number | string>(eb.case().when('status', '=', 'running').then(1).else(0).end()).as('running'),
        eb.fn.min<number | string | null>(eb.case().when(eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)])).then(eb.ref('run_at')).end()).as('oldest_due_at'),
      ])
      .where('status', 'in', ['pending', 'running'])
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      pending: Number(r.pending),
      due: Number(r.due),
      running: Number(r.running),
      oldest_due_at: r.oldest_due_at === null ? null : Number(r.oldest_due_at),
    }));
  }

  /**
   * Moves a pending job, found by kind, payload (as stored) and its current run time, to run at
   * `runAt`; false when no such job is pending (a worker holds it, or it ran). The run time
   * narrows the look-up to the (kind, status, run_at) index.
   */
  async moveRun(kind: string, payload: string, from: number, runAt: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ run_at: runAt, updated_at: now })
      .where('kind', '=', kind)
      .where('status', '=', 'pending')
      .where('run_at', '=', from)
      .where('payload', '=', payload)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
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
  async claim(opts: {
    workerId: string;
    kinds: string[];
    /** Kinds whose jobs run at most this many at a time per group_key. */
    groupLimits?: ReadonlyMap<string, number>;
    /** Kinds of which this claim may take at most so many (the claimer's room for them). */
    kindLimits?: ReadonlyMap<string, number>;
    /**
     * Which plain kind claims first (taken modulo their number): a claimer that claims again and
     * again counts it up, so no kind's backlog keeps another's waiting. Default 0.
     */
    turn?: number;
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<JobRow[]> {
    const groupLimits = opts.groupLimits ?? new Map<string, number>();
    const kindLimits = opts.kindLimits ?? new Map<string, number>();
    const kinds = opts.kinds.filter((k) => (kindLimits.get(k) ?? 1) > 0);
    const grouped = kinds.filter((k) => groupLimits.has(k));
    const plain = kinds.filter((k) => !groupLimits.has(k));
    const claimed: JobRow[] = [];
    const left = () => opts.limit - claimed.length;
    // Grouped kinds (webhooks) get at most half of the free slots when plain kinds (deliveries)
    // run beside them, so neither backlog can starve the other.
    for (const kind of grouped) {
      const budget = Math.ceil((plain.length > 0 ? Math.ceil(opts.limit / 2) : opts.limit) / grouped.length);
      claimed.push(...(await this.claimGrouped(opts, kind, groupLimits.get(kind)!, Math.min(budget, kindLimits.get(kind) ?? budget))));
    }
    // One narrow claim per kind, each walking the kind's stretch of jobs_kind_due in run_at order
    // and stopping at its limit (one "any of these kinds" claim made SQLite sort every due job;
    // a kind's cap is its own limit). The kinds take turns going first, so no kind's backlog
    // keeps another's waiting.
    const start = plain.length > 0 ? (opts.turn ?? 0) % plain.length : 0;
    for (let i = 0; i < plain.length && left() > 0; i++) {
      const kind = plain[(start + i) % plain.length]!;
      claimed.push(...(await this.claimWhere({ ...opts, kinds: [kind] }, 'pending', Math.min(left(), kindLimits.get(kind) ?? Infinity))));
    }
    // Then jobs whose lease expired (a dead worker's), of every kind with room: few, so a capped
    // kind may go over its cap by as many as this claim finds of them at once.
    if (kinds.length > 0 && left() > 0) claimed.push(...(await this.claimWhere({ ...opts, kinds }, 'running', left())));
    return claimed;
  }

  /**
   * Claims due jobs of one kind without letting any group run more than `perGroup` at once:
   * groups already at their limit are left out of the search, the oldest due jobs of the others
   * are taken up to each group's room. The claim is a guarded UPDATE (still pending), so two
   * claimers racing for a job cannot both get it; at worst they overshoot a group's limit by
   * what each took in the same instant.
   */
  private async claimGrouped(
    opts: { workerId: string; leaseMs: number; now: number },
    kind: string,
    perGroup: number,
    limit: number,
  ): Promise<JobRow[]> {
    const { now } = opts;
    const running = await this.db
      .selectFrom('jobs')
      .select((eb) => ['group_key', eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'running')
      .where('kind', '=', kind)
      .where('locked_until', '>=', now)
      .groupBy('group_key')
      .execute();
    const room = new Map<string | null, number>(running.map((r) => [r.group_key, perGroup - Number(r.n)]));
    const full = [...room].filter(([g, n]) => g !== null && n <= 0).map(([g]) => g as string);
    let q = this.db
      .selectFrom('jobs')
      .select(['id', 'group_key'])
      .where('kind', '=', kind)
      .where('status', '=', 'pending')
      .where('run_at', '<=', now);
    if (full.length > 0) q = q.where((eb) => eb.or([eb('group_key', 'is', null), eb('group_key', 'not in', full)]));
    const candidates = await q.orderBy('run_at').limit(limit * perGroup).execute();
    const ids: string[] = [];
    for (const c of candidates) {
      if (ids.length >= limit) break;
      if (c.group_key !== null) {
        const left = room.get(c.group_key) ?? perGroup;
        if (left <= 0) continue;
        room.set(c.group_key, left - 1);
      }
      ids.push(c.id);
    }
    if (ids.length === 0) return [];
    return this.lease(opts).where('id', 'in', ids).where('status', '=', 'pending').returningAll().execute();
  }

  /** The UPDATE that leases jobs to a worker (its WHERE says which): running, locked, one attempt more. */
  private lease(opts: { workerId: string; leaseMs: number; now: number }) {
    return this.db.updateTable('jobs').set((eb) => ({
      status: 'running',
      locked_by: opts.workerId,
      locked_until: opts.now + opts.leaseMs,
      attempts: eb('attempts', '+', 1),
      updated_at: opts.now,
    }));
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
    if (this.caps.skipLocked) ids = ids.forUpdate().skipLocked();
    return this.lease(opts).where('id', 'in', ids).returningAll().execute();
  }

  /**
   * Settles many claims with one outcome; answers the ids settled, leaving out the claims that
   * were lost (as `settle` answers false for one). One UPDATE per (worker, attempt) pair, which
   * is one for a batch claimed together.
   */
  async settleMany(claims: readonly JobClaim[], outcome: JobOutcome, now: number): Promise<Set<string>> {
    const groups = new Map<string, { lockedBy: string; attempts: number; ids: string[] }>();
    for (const c of claims) {
      const key = `${c.attempts}\u0000${c.lockedBy}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { lockedBy: c.lockedBy, attempts: c.attempts, ids: [] }));
      g.ids.push(c.id);
    }
    const settled = new Set<string>();
    for (const g of groups.values()) {
      const rows = await this.db
        .updateTable('jobs')
        .set(settledColumns(outcome, now))
        .where(idIn(this.caps, 'id', g.ids))
        .where('locked_by', '=', g.lockedBy)
        .where('attempts', '=', g.attempts)
        .returning('id')
        .execute();
      for (const r of rows) settled.add(r.id);
    }
    return settled;
  }

  /** Settles a claim; false when the claim was lost (its lease expired and another worker took it). */
  async settle(claim: JobClaim, outcome: JobOutcome, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set(settledColumns(outcome, now))
      .where('id', '=', claim.id)
      .where('locked_by', '=', claim.lockedBy)
      .where('attempts', '=', claim.attempts)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Gives claims back without counting their attempt (a worker stopping in order): the jobs are
   * pending and due at `runAt` (default `now`), so another worker takes them then instead of after
   * the lease. Claims already lost or settled are left alone; answers how many were released.
   */
  async release(claims: readonly JobClaim[], now: number, runAt: number = now): Promise<number> {
    let n = 0;
    for (const c of claims) {
      const r = await this.db
        .updateTable('jobs')
        .set((eb) => ({ status: 'pending', locked_by: null, locked_until: null, run_at: runAt, updated_at: now, attempts: eb('attempts', '-', 1) }))
        .where('id', '=', c.id)
        .where('locked_by', '=', c.lockedBy)
        .where('attempts', '=', c.attempts)
        .where('status', '=', 'running')
        .executeTakeFirst();
      n += Number(r.numUpdatedRows);
    }
    return n;
  }

  /**
   * Extends the leases of these running jobs that `workerId` still holds to `until`, in one
   * UPDATE (a worker's heartbeat over every run in hand); answers how many it still held.
   */
  async renewMany(workerId: string, ids: readonly string[], until: number): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('jobs')
      .set({ locked_until: until })
      .where(idIn(this.caps, 'id', ids))
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
