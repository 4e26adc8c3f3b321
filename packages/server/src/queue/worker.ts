import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../lib/clock.ts';
import type { Store } from '../store/store.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import { type JobContext, type JobDefinition, PermanentFailure, RetryLater, retryDelayMs } from './job-definition.ts';
import { wasSettledByHandler } from './settle.ts';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerOptions {
  store: Store;
  definitions: JobDefinition[];
  logger: WorkerLogger;
  /** Decides what is due and when a retry runs (tests move a MovableClock instead of waiting). */
  clock?: Clock;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /**
   * While jobs are running, claim again only once this many slots are free (default: a quarter
   * of `concurrency`): one claim of many jobs instead of a claim per finished job. A poll claims
   * whatever is free.
   */
  claimWhenFree?: number;
  /** Most jobs taken by one claim (default 500). */
  claimBatch?: number;
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

/** Room a capped kind needs before a claim for it is worth making: a quarter of its cap. */
function capThreshold(def: JobDefinition): number {
  return Math.max(1, Math.floor(def.concurrency! / 4));
}

/** What a timer answers when the handler has not settled in time. */
const LATE: unique symbol = Symbol('late');

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
  private readonly claimWhenFree: number;
  private readonly claimBatch: number;
  private readonly groupLimits: Map<string, number>;
  private readonly clock: Clock;
  /** Jobs of each kind in hand, for the kinds with a concurrency of their own. */
  private readonly runningOfKind = new Map<string, number>();
  private running = false;
  /** Set by stop() with a grace: a job that fails for a passing reason is given back rather than retried later. */
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** The claims of the jobs in hand, by job id: what the heartbeat renews, and gives back when stopping runs out of time. */
  private readonly claims = new Map<string, { id: string; lockedBy: string; attempts: number }>();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** The last claim took all it asked for: more jobs are probably due. */
  private backlog = false;
  /** Kinds with a concurrency of their own whose last claim filled their room. */
  private readonly cappedBacklog = new Set<string>();
  /** Counted up by every claim: which plain kind claims first (JobsRepo.claim's `turn`). */
  private claimTurn = 0;
  /** A grouped job (webhook) ended since the last claim: its group may have room for the next. */
  private groupFreed = false;
  private beat: NodeJS.Timeout | null = null;

  constructor(private readonly opts: WorkerOptions) {
    this.defs = new Map(opts.definitions.map((d) => [d.kind, d]));
    this.groupLimits = new Map(opts.definitions.filter((d) => d.groupConcurrency !== undefined).map((d) => [d.kind, d.groupConcurrency!]));
    this.clock = opts.clock ?? systemClock;
    this.concurrency = opts.concurrency ?? 16;
    this.pollMs = opts.pollMs ?? 200;
    this.claimWhenFree = Math.min(this.concurrency, Math.max(1, opts.claimWhenFree ?? Math.floor(this.concurrency / 4)));
    this.claimBatch = Math.max(1, opts.claimBatch ?? 500);
    // Kinds that renew their claim while they run do not stretch everyone's lease.
    const maxTimeout = Math.max(0, ...opts.definitions.filter((d) => !d.renewsLease).map((d) => d.timeoutMs));
    this.leaseMs = opts.leaseMs ?? maxTimeout + (opts.leaseMarginMs ?? 30_000);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops claiming and waits for the jobs in hand to finish. With `graceMs`, waits that long at
   * most, then gives the claims of the jobs still running back to the queue (their attempt not
   * counted), due at `retakeAt` — when this process is surely gone (its exit deadline), since
   * their handlers may still be at work until then: a job retaken at once could be handed to the
   * network twice — rather than when their lease expires; answers how many were given back.
   * Then, too, a job that fails for a passing reason while the worker stops (the SMPP link
   * closing, say) is given back, due at once, instead of waiting out a retry delay.
   */
  async stop(opts: { graceMs?: number; retakeAt?: number } = {}): Promise<number> {
    this.stopping = opts.graceMs !== undefined;
    this.running = false;
    this.wake?.();
    await this.loop;
    const all = Promise.allSettled([...this.inFlight]).then(() => false);
    if (opts.graceMs === undefined) {
      await all;
      return 0;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([all, new Promise<boolean>((r) => (timer = setTimeout(() => r(true), opts.graceMs)))]);
    clearTimeout(timer);
    if (!late || this.claims.size === 0) return 0;
    const left = [...this.claims.values()];
    const now = this.clock.now();
    const released = await this.opts.store.jobs.release(left, now, Math.max(now, opts.retakeAt ?? now));
    this.opts.logger.warn({ running: left.length, released }, 'stopping: gave the claims of unfinished jobs back to the queue');
    return released;
  }

  /**
   * The heartbeat: while this worker has runs in hand, every third of a lease it extends all
   * their leases in one UPDATE. A live worker therefore never loses a claim to a lease running
   * out while its handler is still at work (a busy batch, a slow commit, a run past its time
   * limit) — the way one message used to be handed to the network twice; only a dead or
   * unreachable worker's claims expire (docs/reliability.md).
   */
  private heartbeat(): void {
    if (this.beat || this.claims.size === 0) return;
    this.beat = setInterval(() => {
      if (this.claims.size === 0) {
        clearInterval(this.beat!);
        this.beat = null;
        return;
      }
      this.opts.store.jobs.renewMany(this.id, [...this.claims.keys()], this.clock.now() + this.leaseMs).catch((err: unknown) => {
        this.opts.logger.warn({ err: (err as Error).message, claims: this.claims.size }, 'renewing job leases failed');
      });
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.beat.unref();
  }

  /** Claims and runs what is due once (tests drive the worker with this). */
  async tick(): Promise<number> {
    const free = Math.min(this.concurrency - this.inFlight.size, this.claimBatch);
    if (free <= 0) return 0;
    const kindLimits = new Map<string, number>();
    for (const d of this.defs.values()) if (d.concurrency !== undefined) kindLimits.set(d.kind, this.roomFor(d));
    const now = this.clock.now();
    const jobs = await this.opts.store.exclusively((store) =>
      store.jobs.claim({
        workerId: this.id,
        kinds: [...this.defs.keys()],
        groupLimits: this.groupLimits,
        kindLimits,
        limit: free,
        leaseMs: this.leaseMs,
        now,
        turn: this.claimTurn++,
      }),
    );
    // A capped kind that filled its room probably has more due: claim it again as it frees up.
    this.cappedBacklog.clear();
    for (const [kind, room] of kindLimits) if (room > 0 && jobs.filter((j) => j.kind === kind).length >= room) this.cappedBacklog.add(kind);
    for (const job of jobs) {
      const def = this.defs.get(job.kind)!;
      const counted = def.concurrency !== undefined;
      if (counted) this.runningOfKind.set(job.kind, (this.runningOfKind.get(job.kind) ?? 0) + 1);
      const p = this.execute(job).finally(() => {
        this.inFlight.delete(p);
        if (counted) this.runningOfKind.set(job.kind, this.runningOfKind.get(job.kind)! - 1);
        // Wake the loop when a claim is worth making: more is due (the last claim took all it
        // could) and enough slots are free, a capped kind has room again, or a grouped job's end
        // freed room in its group (which only a claim can see). Otherwise the poll finds new work.
        const grouped = this.groupLimits.has(job.kind);
        if (grouped) this.groupFreed = true;
        if (
          grouped ||
          (this.backlog && this.concurrency - this.inFlight.size >= this.claimWhenFree) ||
          (counted && this.cappedBacklog.has(job.kind) && this.roomFor(def) >= capThreshold(def))
        ) {
          this.wake?.();
        }
      });
      this.inFlight.add(p);
    }
    return jobs.length;
  }

  private roomFor(def: JobDefinition): number {
    return Math.max(0, def.concurrency! - (this.runningOfKind.get(def.kind) ?? 0));
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
    let polled = true;
    while (this.running) {
      let claimed = 0;
      const free = this.concurrency - this.inFlight.size;
      // A few free slots are not worth a claim while jobs run (each claim is a write); a poll,
      // enough finished jobs, or room again for a capped kind that has more due are.
      const cappedRoom = [...this.cappedBacklog].some((k) => this.roomFor(this.defs.get(k)!) >= capThreshold(this.defs.get(k)!));
      const worthIt = free >= this.claimWhenFree || this.inFlight.size === 0 || (free > 0 && (polled || cappedRoom || this.groupFreed));
      if (worthIt) {
        this.groupFreed = false;
        try {
          claimed = await this.tick();
        } catch (err) {
          this.opts.logger.error({ err }, 'claiming jobs failed');
        }
      }
      if (!this.running) break;
      polled = false;
      // A full claim means more may be due: go again at once; otherwise wait for a poll or free slots.
      const full = claimed > 0 && claimed >= Math.min(free, this.claimBatch);
      if (worthIt) this.backlog = full;
      if (!full || this.concurrency - this.inFlight.size < this.claimWhenFree) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            polled = true;
            resolve();
          }, this.pollMs);
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
    const ctx: JobContext = { attempt: job.attempts, jobId: job.id, maxAttempts, claim };
    this.claims.set(job.id, claim);
    this.heartbeat();
    try {
      await this.withTimeout(def.handle(payload, ctx), def.timeoutMs);
      // The handler may have settled the job in the transaction of its outcome (queue/settle.ts).
      if (!wasSettledByHandler(ctx)) await store.jobs.settle(claim, { status: 'done' }, this.clock.now());
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const permanent = err instanceof PermanentFailure;
      // Not a timed-out run: its handler may still be at work, so its job waits for the lease.
      if (!permanent && this.stopping && !(err instanceof Timeout)) {
        // Most likely the stop itself (a link closing): not the job's fault, and not worth a wait.
        const released = await store.jobs.release([claim], this.clock.now());
        this.opts.logger.info({ job: job.id, kind: job.kind, released: released === 1, err: err.message }, 'stopping: job given back to the queue');
        return;
      }
      if (!permanent && job.attempts < maxAttempts) {
        const delay =
          err instanceof RetryLater && err.exact && err.retryAfterMs !== undefined
            ? err.retryAfterMs
            : retryDelayMs(def, job.attempts, err instanceof RetryLater ? err.retryAfterMs : undefined);
        this.opts.logger.warn({ job: job.id, kind: job.kind, attempt: job.attempts, delay, err: err.message }, 'job will be retried');
        const now = this.clock.now();
        await store.jobs.settle(claim, { status: 'pending', runAt: now + delay, error: err.message }, now);
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
      await store.jobs.settle(claim, { status: 'failed', error: err.message }, this.clock.now());
    } finally {
      if (this.claims.get(job.id)?.attempts === job.attempts) this.claims.delete(job.id);
    }
  }

  /**
   * The handler's promise, rejected with a Timeout when it has not settled after `ms`. A run past
   * its limit is not abandoned at once: it may be in the middle of a hand-over (a submit_sm whose
   * answer is on its way), and a retry started beside it would send the message twice. It gets as
   * long again to finish, its claim renewed all along; only a run that still hangs after that is
   * abandoned and retried.
   */
  private async withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = (after: number) =>
      new Promise<typeof LATE>((resolve) => {
        timer = setTimeout(() => resolve(LATE), after);
      });
    try {
      const first = await Promise.race([p, late(ms)]);
      if (first !== LATE) return first;
      clearTimeout(timer);
      this.opts.logger.warn({ timeoutMs: ms }, 'a job ran past its time limit; giving it as long again to finish before it is retried');
      const second = await Promise.race([p, late(ms)]);
      if (second !== LATE) return second;
      throw new Timeout(`timed out after ${ms} ms`);
    } finally {
      clearTimeout(timer);
    }
  }
}
