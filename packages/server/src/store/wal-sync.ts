import { type FileHandle, open } from 'node:fs/promises';
import type SQLite from 'better-sqlite3';
import { since, timings, type WalSyncTiming } from '../lib/timings.ts';
import { type DatabaseConnection, type Driver, SqliteDialect, type SqliteDialectConfig } from './kysely.ts';

/**
 * fdatasync of SQLite's write-ahead log, off the event loop, shared by every commit waiting for it.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside COMMIT, on the thread that runs it — for
 * better-sqlite3 the event loop, which then serves nobody for the ~1–2 ms the disk takes, once
 * per transaction. Instead the connection runs with `synchronous = NORMAL` (SQLite writes the
 * frames at commit but does not sync them; it still syncs around checkpoints) and every commit
 * waits for this: an fdatasync of the -wal file on libuv's thread pool that began after the
 * commit. The data is then exactly as durable as with FULL before anyone is answered, and one
 * fdatasync serves all the commits made while the previous one ran (group commit at the disk).
 */
export class WalSync {
  private handle: FileHandle | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.running === null) {
      this.running = this.flush();
      return this.running;
    }
    // The sync in flight may have begun before our commit: we need the next one.
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = null;
    this.running ??= this.flush();
    return this.running;
  }

  private async flush(): Promise<void> {
    try {
      // Opened once: the -wal file lives as long as any connection has the database open (ours does).
      this.handle ??= await open(this.walPath, 'r+');
      await this.handle.datasync();
    } finally {
      this.running = null;
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }
}

/**
 * Kysely's SQLite dialect, with commits made durable by WalSync before they are answered: when a
 * connection that wrote is released outside a transaction (an autocommit write, or the end of a
 * transaction), the release waits for the WAL sync — after the connection is free again, so the
 * next transaction runs while the disk works.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
    private readonly wal: WalSync,
    private readonly written: { dirty: boolean },
    /** The checkpoint thread of this connection's process, ended before the connection closes. */
    private readonly checkpointer: { close(): Promise<void> } | null = null,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const inner = super.createDriver();
    const { sqlite, wal, written, checkpointer } = this;
    return {
      init: () => inner.init(),
      acquireConnection: () => inner.acquireConnection(),
      beginTransaction: (c, s) => inner.beginTransaction(c, s),
      commitTransaction: (c) => inner.commitTransaction(c),
      rollbackTransaction: (c) => inner.rollbackTransaction(c),
      async releaseConnection(connection: DatabaseConnection) {
        await inner.releaseConnection(connection);
        if (written.dirty && !sqlite.inTransaction) {
          written.dirty = false;
          const start = performance.now();
          await wal.sync();
          if (timings.walSync.hasSubscribers) timings.walSync.publish({ ms: since(start) } satisfies WalSyncTiming);
        }
      },
      async destroy() {
        await checkpointer?.close();
        await inner.destroy();
        await wal.close();
      },
    };
  }
}
