import type { Clock } from '../lib/clock.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import type { JobOutcome } from '../store/repos/jobs.ts';
import type { Store } from '../store/store.ts';
import type { JobContext } from './job-definition.ts';

// Runs whose handler settled the job itself. A WeakSet rather than a flag on the context: the
// context stays the plain data handlers see, and a finished run is forgotten with it.
const settledByHandler = new WeakSet<JobContext>();

/**
 * Settles the jobs of these runs inside `tx`, the transaction that records their outcome, so the
 * outcome and the job's end commit together (one commit, and no window in which a crash leaves a
 * finished job to be run again). Fenced like the worker's own settle: a run whose claim was lost
 * (its lease expired and another worker took the job) settles nothing — its outcome still
 * commits, guarded as every status move is — and is returned.
 *
 * The worker leaves a run settled here alone once its handler returns. Call it only from inside a
 * transaction whose failure reaches the handler's caller: should the transaction roll back and the
 * handler still return normally, the job stays claimed until its lease expires and is run again.
 */
export async function settleInTransaction(tx: Store, runs: readonly JobContext[], outcome: JobOutcome, now: number): Promise<JobContext[]> {
  if (runs.length === 0) return [];
  const settled = await tx.jobs.settleMany(
    runs.map((r) => r.claim),
    outcome,
    now,
  );
  const lost: JobContext[] = [];
  for (const r of runs) {
    // Lost or not, the worker has nothing left to settle for this run.
    settledByHandler.add(r);
    if (!settled.has(r.claim.id)) lost.push(r);
  }
  return lost;
}

/** True once the run's handler has settled its job (the worker must not settle it again). */
export function wasSettledByHandler(run: JobContext): boolean {
  return settledByHandler.has(run);
}

/**
 * Outcomes of runs that arrive together, written with their jobs' settles (done) in one
 * transaction per batch: `write` records what the items did, and the batch's jobs end with it.
 */
export function settlingCommit<I extends { run: JobContext }>(
  store: Store,
  clock: Clock,
  write: (tx: Store, items: I[], now: number) => Promise<void>,
  opts: { name?: string; maxBatch?: number; concurrency?: number; lingerMs?: number },
): GroupCommit<I, void> {
  return new GroupCommit<I, void>(async (items) => {
    await store.transaction(async (tx) => {
      const now = clock.now();
      await write(tx, items, now);
      await settleInTransaction(
        tx,
        items.map((i) => i.run),
        { status: 'done' },
        now,
      );
    });
    return items.map(() => undefined);
  }, opts);
}
