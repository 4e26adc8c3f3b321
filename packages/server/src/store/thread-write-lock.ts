// SQLite has one writer per database; when another connection holds it, SQLite's busy handler
// sleeps the calling thread (1, 2, 5, 10 … ms) — for `hellio start`'s API thread that is an event
// loop frozen while the delivery thread commits. The threads of one process instead take turns
// through this lock first: a thread waiting for it keeps its event loop running (Atomics.waitAsync),
// is woken the moment the lock is free, and turns are first come, first served, so a delivery
// thread that commits batch after batch cannot starve the API. Other processes (the CLI, a
// `hellio worker` beside `hellio api`) still meet SQLite's busy handler, as before.

// Node 20 has Atomics.waitAsync; the TypeScript lib this project targets does not declare it yet.
const waitAsync = (Atomics as unknown as {
  waitAsync(cells: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** The lock's two cells: the next ticket to hand out, and the ticket being served. */
export const TICKET_CELLS = { next: 0, serving: 1 } as const;
const NEXT = TICKET_CELLS.next;
const SERVING = TICKET_CELLS.serving;

/** A ticket lock shared by the threads of one process through a SharedArrayBuffer. */
export class ThreadWriteLock {
  private readonly cells: Int32Array;

  /** `buffer`: the lock's memory, made once with `ThreadWriteLock.memory()` and handed to every thread. */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /** Fresh memory for a lock (two 32-bit cells: the next ticket, the ticket being served). */
  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(8);
  }

  /** Resolves once it is this caller's turn; the caller must `release()` after. */
  async acquire(): Promise<void> {
    const ticket = Atomics.add(this.cells, NEXT, 1);
    for (;;) {
      const serving = Atomics.load(this.cells, SERVING);
      if (serving === ticket) return;
      const wait = waitAsync(this.cells, SERVING, serving);
      if (wait.async) await wait.value;
    }
  }

  /** Hands the turn to the next ticket and wakes the threads waiting. */
  release(): void {
    Atomics.add(this.cells, SERVING, 1);
    Atomics.notify(this.cells, SERVING);
  }

  /** `fn` in this caller's turn. */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
