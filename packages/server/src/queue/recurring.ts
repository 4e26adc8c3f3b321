import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/store.ts';
import { Jobs, RECURRING, type RecurringKind } from './catalogue.ts';
import { enqueueUnique } from './enqueue.ts';
import type { JobHandler } from './handlers.ts';
import type { JobContext } from './job-definition.ts';
import { settleInTransaction } from './settle.ts';

/** How long after a run of `kind` ends the next one is due (the catalogue's RECURRING). */
export function recurrenceOf(kind: RecurringKind): number {
  const entry = RECURRING.find((r) => r.kind === kind);
  if (!entry) throw new Error(`${kind} is not in RECURRING`);
  return entry.everyMs;
}

/** What a recurring run may ask of the next: to come sooner (it stopped with work left). */
export interface RecurringOutcome {
  nextInMs?: number;
}

/**
 * The handler of a recurring kind: runs `work`, then ends this job and puts the next run on the
 * queue in one transaction, so there is never a moment with two live jobs of the kind (the
 * unique index would refuse the second) nor none (a crash before the commit leaves this one to
 * be run again). A run whose claim was lost (another worker took the job over) schedules nothing:
 * the run that holds it will.
 */
export function recurring<K extends RecurringKind>(
  kind: K,
  deps: { store: Store; clock: Clock },
  work: (run: JobContext) => Promise<RecurringOutcome | void>,
): JobHandler<K> {
  const everyMs = recurrenceOf(kind);
  return {
    async handle(_payload, run) {
      const outcome = await work(run);
      const now = deps.clock.now();
      const next = now + Math.min(everyMs, outcome?.nextInMs ?? everyMs);
      await deps.store.transaction(async (tx) => {
        const lost = await settleInTransaction(tx, [run], { status: 'done' }, now);
        // Unless live already (a run enqueued by hand beside the schedule): then that one stands.
        if (lost.length === 0) await enqueueUnique(tx, [Jobs.recurring(kind, next)], now);
      });
    },
  };
}

/** How often a worker process checks that every recurring kind has its job (a failed or lost one is replaced). */
export const RECURRING_CHECK_MS = 60_000;

/**
 * Makes sure every recurring kind of the catalogue has one live job: at start, then every
 * `RECURRING_CHECK_MS`. Each worker process runs one; they agree through the database (an insert
 * that would make a second live job does nothing), so any number of them make exactly one.
 * A kind's first run is due at once; after that its handler schedules the next.
 */
export class RecurringDriver {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      onError(err: unknown): void;
      /** The kinds to keep alive (the worker's); every recurring kind by default. */
      kinds?: readonly RecurringKind[];
      checkEveryMs?: number;
    },
  ) {}

  /** Inserts the missing jobs once; answers how many were made. */
  async ensure(): Promise<number> {
    const now = this.deps.clock.now();
    const kinds = this.deps.kinds ?? RECURRING.map((r) => r.kind);
    return enqueueUnique(
      this.deps.store,
      kinds.map((k) => Jobs.recurring(k, now)),
      now,
    );
  }

  start(): void {
    if (this.timer) return;
    const tick = () => void this.ensure().catch(this.deps.onError);
    tick();
    this.timer = setInterval(tick, this.deps.checkEveryMs ?? RECURRING_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
