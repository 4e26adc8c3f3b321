import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// How often the thread copies committed WAL frames back into the database file. A passive
// checkpoint with nothing new to copy only reads the WAL index; a shorter period keeps the WAL
// small, a longer one copies a hot page (a wallet, an index root) once for many commits.
const CHECKPOINT_EVERY_MS = 200;

// The thread's code, small enough to need no TypeScript loader: it opens its own connection and
// runs PASSIVE checkpoints, which never wait for readers or writers and never block them.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
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

  /** Starts the thread on the database `file`; `onError` hears its first failure in a row. */
  static start(file: string, onError: (message: string) => void): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
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
