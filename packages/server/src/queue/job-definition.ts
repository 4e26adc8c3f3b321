import type { JobClaim } from '../store/repos/jobs.ts';

/** How one kind of background job runs: its handler, time limit and retry policy (data, not code paths). */
export interface JobDefinition {
  kind: string;
  /** A run taking longer is abandoned and retried. */
  timeoutMs: number;
  /** Runs in all, the first included. */
  maxAttempts: number;
  backoff: Backoff;
  /**
   * At most this many jobs of one group (the job's group_key: a webhook endpoint) run at once,
   * across all workers, so one slow group cannot take every worker from the others. Every job
   * of such a kind carries a group_key: the claim counts each group's running jobs of the kind
   * (through jobs_kind_due).
   */
  groupConcurrency?: number;
  /**
   * At most this many jobs of this kind run at once in one worker process (within the worker's
   * own concurrency): for kinds whose provider serves a few at a time (an SMTP pool), so that
   * jobs do not sit claimed in its queue while their time runs out.
   */
  concurrency?: number;
  /**
   * The job runs for minutes (a call): its claim is renewed while it runs instead of lasting its
   * whole timeout, so the lease of every other kind — how soon a dead worker's jobs are taken
   * over — stays short. A dead worker's long job is taken over one lease after its last renewal.
   */
  renewsLease?: boolean;
  handle(payload: unknown, ctx: JobContext): Promise<void>;
  /** Called once when the job is given up on (attempts exhausted or a permanent failure). */
  giveUp?(payload: unknown, error: Error): Promise<void>;
}

/** What a handler knows about the run it is in. */
export interface JobContext {
  attempt: number;
  jobId: string;
  maxAttempts: number;
  /**
   * The claim this run holds. A handler may settle the job inside the transaction that records
   * its outcome (`settleInTransaction`, queue/settle.ts): one commit instead of two, and a crash
   * between the outcome and the settle can no longer leave the job to be run again.
   */
  claim: JobClaim;
}

/**
 * Exponential (base × 2^(attempt-1), capped) with equal jitter, or a fixed schedule — the delay
 * before the n-th retry is `scheduleMs[n-1]` (the last repeats), ± `jitter` of it.
 */
export type Backoff = { baseMs: number; maxMs: number } | { scheduleMs: readonly number[]; jitter: number };

/**
 * A failure that may succeed later; `retryAfterMs` is the other side's hint (Retry-After,
 * throttling), a lower bound on the delay. With `exact`, the handler has already decided the
 * delay (and told someone when the retry will come), and the queue keeps to it.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly exact = false,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A failure that will never succeed: no retry. */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
}

/**
 * The delay before the next attempt, `attempt` runs having been made: exponential with "equal
 * jitter" (half fixed, half random), or the schedule's step ± its jitter — either way a burst of
 * failures does not come back as a burst — and never sooner than the other side asked for.
 */
export function retryDelayMs(def: Pick<JobDefinition, 'backoff'>, attempt: number, hintMs?: number, random = Math.random): number {
  const b = def.backoff;
  let delay: number;
  if ('scheduleMs' in b) {
    const step = b.scheduleMs[Math.min(Math.max(attempt, 1), b.scheduleMs.length) - 1]!;
    delay = step * (1 - b.jitter + random() * 2 * b.jitter);
  } else {
    const exp = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
    delay = exp / 2 + random() * (exp / 2);
  }
  return Math.max(Math.round(delay), hintMs ?? 0);
}
