/** How one kind of background job runs: its handler, time limit and retry policy (data, not code paths). */
export interface JobDefinition {
  kind: string;
  /** A run taking longer is abandoned and retried. */
  timeoutMs: number;
  /** Runs in all, the first included. */
  maxAttempts: number;
  /** Exponential backoff: base × 2^(attempt-1), capped, with jitter. */
  backoff: { baseMs: number; maxMs: number };
  handle(payload: unknown, ctx: { attempt: number; jobId: string }): Promise<void>;
  /** Called once when the job is given up on (attempts exhausted or a permanent failure). */
  giveUp?(payload: unknown, error: Error): Promise<void>;
}

/** A failure that may succeed later; `retryAfterMs` is the other side's hint (Retry-After, throttling). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
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
 * The delay before the next attempt: exponential in the attempts made, "equal jitter" (half
 * fixed, half random) so a burst of failures does not come back as a burst, and never sooner
 * than the other side asked for.
 */
export function retryDelayMs(def: Pick<JobDefinition, 'backoff'>, attempt: number, hintMs?: number, random = Math.random): number {
  const exp = Math.min(def.backoff.maxMs, def.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), hintMs ?? 0);
}
