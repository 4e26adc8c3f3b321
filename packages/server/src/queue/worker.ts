import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../store/store.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import { type JobDefinition, PermanentFailure, RetryLater, retryDelayMs } from './job-definition.ts';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerOptions {
  store: Store;
  definitions: JobDefinition[];
  logger: WorkerLogger;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** Sleep between polls when nothing was due. */
  pollMs?: number;
  /** How long a claim lasts beyond the job's timeout before another worker may take the job over. */
  leaseMarginMs?: number;
  /**
   * How long a claim lasts in all, instead of the longest job timeout + `leaseMarginMs`. Shorter
   * than a job's run, the job is taken over while still running (run twice; the late settle is refused).
   */
  leaseMs?: number;
}

class Timeout extends Error {
  override name = 'Timeout';
}

/**
 * Claims due jobs from the database and runs them. Any number of workers, in any number of
 * processes, may run against one database: claims are leases, so a job is run by one worker at a
 * time and a dead worker's jobs are taken over when their lease expires.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly defs: Map<string, JobDefinition>;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly groupLimits: Map<string, number>;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: WorkerOptions) {
    this.defs = new Map(opts.definitions.map((d) => [d.kind, d]));
    this.groupLimits = new Map(opts.definitions.filter((d) => d.groupConcurrency !== undefined).map((d) => [d.kind, d.groupConcurrency!]));
    this.concurrency = opts.concurrency ?? 16;
    this.pollMs = opts.pollMs ?? 200;
    const maxTimeout = Math.max(0, ...opts.definitions.map((d) => d.timeoutMs));
    this.leaseMs = opts.leaseMs ?? maxTimeout + (opts.leaseMarginMs ?? 30_000);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims and runs what is due once (tests drive the worker with this). */
  async tick(): Promise<number> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const jobs = await this.opts.store.jobs.claim({
      workerId: this.id,
      kinds: [...this.defs.keys()],
      groupLimits: this.groupLimits,
      limit: free,
      leaseMs: this.leaseMs,
      now: Date.now(),
    });
    for (const job of jobs) {
      const p = this.execute(job).finally(() => {
        this.inFlight.delete(p);
        this.wake?.();
      });
      this.inFlight.add(p);
    }
    return jobs.length;
  }

  /** Runs until every due job is done (tests). */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.tick();
      if (claimed === 0 && this.inFlight.size === 0) return;
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 10))]);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (err) {
        this.opts.logger.error({ err }, 'claiming jobs failed');
      }
      if (!this.running) break;
      // A full claim means more may be due: go again at once; otherwise wait for a poll or a free slot.
      if (claimed === 0 || this.inFlight.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const def = this.defs.get(job.kind)!;
    const claim = { id: job.id, lockedBy: this.id, attempts: job.attempts };
    const store = this.opts.store;
    const payload: unknown = JSON.parse(job.payload);
    const maxAttempts = Math.min(def.maxAttempts, job.max_attempts);
    try {
      await this.withTimeout(def.handle(payload, { attempt: job.attempts, jobId: job.id, maxAttempts }), def.timeoutMs);
      await store.jobs.settle(claim, { status: 'done' }, Date.now());
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const permanent = err instanceof PermanentFailure;
      if (!permanent && job.attempts < maxAttempts) {
        const delay =
          err instanceof RetryLater && err.exact && err.retryAfterMs !== undefined
            ? err.retryAfterMs
            : retryDelayMs(def, job.attempts, err instanceof RetryLater ? err.retryAfterMs : undefined);
        this.opts.logger.warn({ job: job.id, kind: job.kind, attempt: job.attempts, delay, err: err.message }, 'job will be retried');
        await store.jobs.settle(claim, { status: 'pending', runAt: Date.now() + delay, error: err.message }, Date.now());
        return;
      }
      this.opts.logger.warn({ job: job.id, kind: job.kind, attempt: job.attempts, err: err.message }, 'job given up');
      try {
        await def.giveUp?.(payload, err);
      } catch (giveUpErr) {
        // Leave the claim to expire: another worker retries the give-up rather than losing it.
        this.opts.logger.error({ job: job.id, err: giveUpErr }, 'giving up on a job failed');
        return;
      }
      await store.jobs.settle(claim, { status: 'failed', error: err.message }, Date.now());
    }
  }

  private withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`timed out after ${ms} ms`)), ms);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  }
}
