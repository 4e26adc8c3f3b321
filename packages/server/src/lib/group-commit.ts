import { type BatchTiming, since, timings } from './timings.ts';

/**
 * Gathers the items that callers add while a batch is being written and writes them together:
 * one transaction (one commit, one fsync on SQLite, one round of statements on PostgreSQL) for as
 * many items as arrived meanwhile, each caller answered when its batch has committed.
 *
 * Items added in the same turn of the event loop (say, the answers of one read from a socket) go
 * out together: a flush starts on `setImmediate`, after the loop's I/O callbacks, or — with
 * `lingerMs` — once the first waiting item has waited that long, unless a full batch is there
 * sooner: fewer, bigger commits for outcomes that trickle in, at that cost in latency. At most
 * `concurrency` batches are written at once (1 for SQLite, which has one writer).
 *
 * One item's failure never fails its batch-mates: when a batch fails, each of its items is
 * written again alone, and only the ones that fail alone are rejected.
 *
 * A batch holds at most `maxBatch` of weight (an item's `weight`, 1 by default: the rows it
 * writes). Items with the same `key` (the row they all lock, an account's wallet) never go in two
 * batches in flight at once — the second would only wait for the first one's lock — and gather
 * into the next batch instead.
 *
 * Each batch's timings (how long its items waited for it, how long it took) are published under
 * its `name` for whoever listens (lib/timings.ts).
 */
export class GroupCommit<I, O> {
  /** Each waiting item, with when it was added (for the batch timings, lib/timings.ts). */
  private pending: Array<{ item: I; at: number; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private readonly lingerMs: number;
  private readonly weight: (item: I) => number;
  private readonly key: ((item: I) => string) | null;
  private readonly name: string;
  private readonly busyKeys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Writes a batch; answers one result per item, in order. */
    private readonly write: (items: I[]) => Promise<O[]>,
    opts: { name?: string; maxBatch?: number; concurrency?: number; lingerMs?: number; weight?: (item: I) => number; key?: (item: I) => string } = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 500);
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.lingerMs = Math.max(0, opts.lingerMs ?? 0);
    this.weight = opts.weight ?? (() => 1);
    this.key = opts.key ?? null;
    this.name = opts.name ?? 'batch';
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, at: performance.now(), resolve, reject });
      this.kick();
    });
  }

  /** Items waiting for a batch or being written. */
  get size(): number {
    return this.pending.length + this.running;
  }

  private kick(): void {
    if (this.running >= this.concurrency || this.pending.length === 0) return;
    // A full batch goes at once; a smaller one may wait `lingerMs` for company.
    if (this.pending.length >= this.maxBatch || this.lingerMs === 0) {
      if (this.scheduled) return;
      this.scheduled = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.scheduled) void this.flush();
    }, this.lingerMs);
  }

  /** The next batch: the oldest items that fit, leaving those whose key is in flight. */
  private take(): typeof this.pending {
    const batch: typeof this.pending = [];
    const rest: typeof this.pending = [];
    let total = 0;
    for (const p of this.pending) {
      const w = this.weight(p.item);
      if ((batch.length > 0 && total + w > this.maxBatch) || (this.key && this.busyKeys.has(this.key(p.item)))) rest.push(p);
      else {
        total += w;
        batch.push(p);
      }
    }
    this.pending = rest;
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.running >= this.concurrency || this.pending.length === 0) return;
    const batch = this.take();
    if (batch.length === 0) return; // every waiting item's key is in flight: its batch's end kicks again
    const keys = this.key ? [...new Set(batch.map((b) => this.key!(b.item)))] : [];
    for (const k of keys) this.busyKeys.add(k);
    this.running++;
    // With room for another writer, the rest of the queue need not wait for this batch.
    this.kick();
    try {
      let results: O[] | null = null;
      let error: unknown = null;
      const start = performance.now();
      try {
        results = await this.write(batch.map((b) => b.item));
      } catch (err) {
        error = err;
      }
      if (timings.batch.hasSubscribers) {
        timings.batch.publish({ name: this.name, waitsMs: batch.map((b) => start - b.at), writeMs: since(start) } satisfies BatchTiming);
      }
      if (results !== null) {
        batch.forEach((b, i) => b.resolve(results[i]!));
      } else if (batch.length === 1) {
        batch[0]!.reject(error);
      } else {
        // Find the culprit(s): every item again on its own.
        for (const b of batch) {
          try {
            b.resolve((await this.write([b.item]))[0]!);
          } catch (err) {
            b.reject(err);
          }
        }
      }
    } finally {
      for (const k of keys) this.busyKeys.delete(k);
      this.running--;
      this.kick();
    }
  }
}
