import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TICKET_CELLS } from './thread-write-lock.ts';

// How often the thread copies committed WAL frames back into the database file. A passive
// checkpoint with nothing new to copy only reads the WAL index; a shorter period keeps the WAL
// small, a longer one copies a hot page (a wallet, an index root) once for many commits.
const CHECKPOINT_EVERY_MS = 200;

// Passive checkpoints alone never bring the WAL back to its start under a steady load: SQLite
// rewinds it only when a writer begins with every frame already copied, and a commit lands every
// millisecond or so. Measured (docs/performance.md): the WAL grew by ~20 MB/s under bench/e2e
// (~500 MB in 25 s), and the accept rate sank by a third within a minute — every page read
// searches the WAL's index, which grows with it. Past this many frames (~32 MB at 4 KiB pages)
// the thread takes the write turn, copies what is left and truncates the WAL: a pause of a few
// milliseconds for the writers, about once a second at full load.
const TRUNCATE_AFTER_FRAMES = 8_192;

// How long the truncating checkpoint may wait for readers still on old frames (a reader is one
// statement; the turn keeps this process's writers out meanwhile), and how long the thread leaves
// the WAL be when one did not finish in time (a backup, a long export: truncating can wait).
const TRUNCATE_WAIT_MS = 20;
const TRUNCATE_BACKOFF_MS = 2_000;

// The thread's code, small enough to need no TypeScript loader: it opens its own connection and
// runs PASSIVE checkpoints, which never wait for readers or writers and never block them, and a
// TRUNCATE one when the WAL has grown past the limit — inside the process's write turn
// (store/thread-write-lock.ts: the same ticket cells, waited for with a blocking Atomics.wait,
// which only this thread pays), so the other threads' writes wait on the turn's lock, not in
// SQLite's sleeping busy handler.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const cells = workerData.lock ? new Int32Array(workerData.lock) : null;
const { next: NEXT, serving: SERVING } = workerData.cells;
function inTurn(fn) {
  if (!cells) return fn();
  const ticket = Atomics.add(cells, NEXT, 1);
  for (;;) {
    const serving = Atomics.load(cells, SERVING);
    if (serving === ticket) break;
    Atomics.wait(cells, SERVING, serving);
  }
  try { return fn(); } finally { Atomics.add(cells, SERVING, 1); Atomics.notify(cells, SERVING); }
}
function truncate() {
  db.pragma('busy_timeout = ' + workerData.truncateWaitMs);
  try { return db.pragma('wal_checkpoint(TRUNCATE)')[0]; } finally { db.pragma('busy_timeout = 0'); }
}
let failures = 0;
let truncateFrom = 0;
const timer = setInterval(() => {
  try {
    const [state] = db.pragma('wal_checkpoint(PASSIVE)');
    if (state && state.log >= workerData.truncateAfterFrames && Date.now() >= truncateFrom) {
      const done = inTurn(truncate);
      if (done && done.busy) truncateFrom = Date.now() + workerData.truncateBackoffMs;
    }
    failures = 0;
  } catch (err) {
    if (++failures === 1) parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite's checkpoints, on a thread of their own. By default the connection that commits past
 * 1,000 WAL pages copies them back into the database file and fsyncs it, inside its COMMIT: for
 * the API that is a request answered 5–25 ms late every few dozen batches (measured in
 * docs/performance.md). Connections opened with `checkpoints: 'thread'` or `'elsewhere'` turn
 * that off (`wal_autocheckpoint = 0`) and this thread does the copying instead, beside them.
 */
export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
  ) {}

  /**
   * Starts the thread on the database `file`; `onError` hears its first failure in a row. `lock`:
   * the memory of the process's ThreadWriteLock, when its threads take turns at writing.
   */
  static start(file: string, onError: (message: string) => void, opts: { lock?: SharedArrayBuffer; truncateAfterFrames?: number } = {}): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const workerData = {
      file,
      driver,
      everyMs: CHECKPOINT_EVERY_MS,
      truncateAfterFrames: opts.truncateAfterFrames ?? TRUNCATE_AFTER_FRAMES,
      truncateWaitMs: TRUNCATE_WAIT_MS,
      truncateBackoffMs: TRUNCATE_BACKOFF_MS,
      lock: opts.lock ?? null,
      cells: TICKET_CELLS,
    };
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData });
    worker.on('message', (m: { type: string; message: string }) => {
      if (m.type === 'error') onError(m.message);
    });
    worker.on('error', (err) => onError(err.message));
    // Known from the start: a thread that failed has exited before anyone closes it.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // It works for the process's connections; it never keeps the process alive on its own.
    worker.unref();
    return new WalCheckpointer(worker, exited);
  }

  /** Runs a last checkpoint and ends the thread. */
  async close(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}
