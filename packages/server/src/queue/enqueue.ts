import { newId } from '../lib/ids.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import type { Store } from '../store/store.ts';
import { JOB_POLICIES, type NewJob } from './catalogue.ts';

/**
 * The rows that put jobs on the queue: pending, unleased, due at their time. The only place a job
 * row is made, so no producer writes lease columns or picks its own attempt limit.
 */
export function jobRows(jobs: readonly NewJob[], now: number): JobRow[] {
  return jobs.map((j) => ({
    id: newId('job'),
    kind: j.kind,
    payload: JSON.stringify(j.payload),
    status: 'pending',
    run_at: j.runAt ?? now,
    attempts: 0,
    max_attempts: Math.min(j.maxAttempts ?? Infinity, JOB_POLICIES[j.kind].maxAttempts),
    locked_until: null,
    locked_by: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    group_key: j.group ?? null,
    // Only rows that carry a key name the column: the accept path's rows stay as they were.
    ...(j.dedupeKey !== undefined ? { dedupe_key: j.dedupeKey } : {}),
  }));
}

/**
 * Puts jobs that carry a dedupe key on the queue unless a live job (pending or running) already
 * holds their key; answers how many were made. Safe from any number of processes at once: the
 * database's unique index decides (a loser's insert does nothing).
 */
export async function enqueueUnique(store: Store, jobs: readonly NewJob[], now: number): Promise<number> {
  return store.jobs.insertUnlessLive(jobRows(jobs, now));
}

/** Puts jobs on the queue in `store`'s transaction: they run only if it commits. */
export async function enqueue(store: Store, jobs: readonly NewJob[], now: number): Promise<void> {
  const keyed = jobs.filter((j) => j.dedupeKey !== undefined);
  const plain = jobs.filter((j) => j.dedupeKey === undefined);
  // A multi-row insert takes its columns from its first row: keyed rows go in their own.
  if (plain.length > 0) await store.jobs.insertMany(jobRows(plain, now));
  if (keyed.length > 0) await store.jobs.insertMany(jobRows(keyed, now));
}
