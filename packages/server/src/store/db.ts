import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase } from './kysely.ts';
import type pg from 'pg';
import { loadPackage } from '../lib/load-package.ts';
import { type Capabilities, POSTGRES, SQLITE } from './capabilities.ts';
import type { Database } from './schema.ts';
import { DurableSqliteDialect, WalSync } from './wal-sync.ts';
import { ThreadWriteLock } from './thread-write-lock.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { ensurePrivateDir } from '../lib/secret-key-file.ts';
import { backupSqlite, DATABASE_FILE } from './sqlite-files.ts';

let pgDriver: typeof pg | null = null;

/** The pg driver, loaded with the first PostgreSQL store (a SQLite process never loads it). */
function postgresDriver(): typeof pg {
  if (pgDriver) return pgDriver;
  pgDriver = loadPackage<typeof pg>('pg');
  // int8 and numeric arrive as strings from pg; our integers (epoch ms, micro-units, counts and
  // sums of them) stay far below 2^53, so numbers are exact and match what SQLite returns.
  pgDriver.types.setTypeParser(pgDriver.types.builtins.INT8, (v) => Number(v));
  pgDriver.types.setTypeParser(pgDriver.types.builtins.NUMERIC, (v) => Number(v));
  return pgDriver;
}

export interface DbOptions {
  databaseUrl: string | null;
  dataDir: string;
  pgPoolSize?: number;
  /** Told when an idle PostgreSQL connection breaks (a server restart, say); the pool replaces it. */
  onConnectionError?: (err: Error) => void;
  /**
   * SQLite: the memory of a `ThreadWriteLock` shared with the other threads of this process that
   * open the same database (`hellio start`'s API and delivery threads); their write transactions
   * then take turns without SQLite's sleeping busy handler.
   */
  threadWriteLock?: SharedArrayBuffer;
  /**
   * SQLite: who copies the WAL back into the database file. 'inline' (SQLite's default, for short
   * processes: the CLI): the connection that commits past 1,000 pages, inside its COMMIT.
   * 'thread': a thread this opens (store/wal-checkpointer.ts), so no commit ever pays for it.
   * 'elsewhere': another thread of this process has one; this connection never checkpoints.
   */
  checkpoints?: 'inline' | 'thread' | 'elsewhere';
  /** Told when the checkpoint thread fails. */
  onCheckpointError?: (message: string) => void;
}

export interface Db {
  db: Kysely<Database>;
  capabilities: Capabilities;
  /** A consistent copy of the live database into `file` (mode 0600); present when `capabilities.onlineBackup`. */
  backupTo?: (file: string) => Promise<void>;
  /** The turns the write transactions of this process's threads take (SQLite opened with `threadWriteLock`). */
  writeLock?: ThreadWriteLock;
}

/** The page cache of a server's SQLite connection, in KiB (one per thread that writes). */
export const SERVER_CACHE_KIB = 65_536;

/** Opens the store: PostgreSQL when a URL is given, else SQLite (WAL, every commit fsync'd before it is answered) in dataDir. */
export function openDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    const pool = new (postgresDriver().Pool)({ connectionString: opts.databaseUrl, max: opts.pgPoolSize ?? 16 });
    // A connection the server closes (a restart, a failover, an administrator's terminate) is an
    // 'error' event: on the pool for an idle one, on the client itself for one checked out between
    // two statements (mid-transaction, say). Unheard, either would end the process. The broken
    // client fails its next query to its caller, and the pool drops it on release and opens a new one.
    pool.on('connect', (client) => client.on('error', (err) => opts.onConnectionError?.(err)));
    pool.on('error', () => undefined); // an idle client's error, already told by its own listener
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), capabilities: POSTGRES };
  }
  ensurePrivateDir(opts.dataDir);
  const file = join(opts.dataDir, DATABASE_FILE);
  createPrivately(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL, with the WAL fsync'd by WalSync before any commit is answered: as durable as FULL
  // (an acknowledged message survives power loss), without blocking the event loop on the disk.
  sqlite.pragma('synchronous = NORMAL');
  // The CLI and other processes share the file; wait for the write lock instead of failing.
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const checkpoints = opts.checkpoints ?? 'inline';
  if (checkpoints !== 'inline') sqlite.pragma('wal_autocheckpoint = 0');
  // A server's connection keeps up to 64 MiB of pages in its cache (better-sqlite3 builds SQLite
  // with 16 MiB): the tables and indexes every accepted and delivered message touches (~2.4 KB a
  // message) outgrow 16 MiB within seconds of load. bench/e2e, five runs alternating with the
  // default: 1.03–1.20× accepted/s, median 1.05× (docs/performance.md, fifth round). A short
  // process (the CLI) keeps the default.
  if (checkpoints !== 'inline') sqlite.pragma(`cache_size = -${SERVER_CACHE_KIB}`);
  // The checkpoint thread truncates the WAL in the process's write turn (store/wal-checkpointer.ts):
  // a process without other writing threads still takes turns with it, not SQLite's busy handler.
  const turns = opts.threadWriteLock ?? (checkpoints === 'thread' ? ThreadWriteLock.memory() : undefined);
  const checkpointer = checkpoints === 'thread' ? WalCheckpointer.start(file, opts.onCheckpointError ?? (() => undefined), { lock: turns! }) : null;
  const written = { dirty: false };
  const dialect = new DurableSqliteDialect({ database: withStatementCache(sqlite, written) }, sqlite, new WalSync(`${file}-wal`), written, checkpointer);
  return {
    db: new Kysely<Database>({ dialect }),
    capabilities: SQLITE,
    backupTo: (target) => backupSqlite(sqlite, file, target),
    ...(turns ? { writeLock: new ThreadWriteLock(turns) } : {}),
  };
}

/**
 * Creates the database file with mode 0600 before SQLite opens it: SQLite gives the -wal and -shm
 * files the mode of the database file, so all three stay private. A file made by an older version
 * (0644) is narrowed, with its -wal and -shm.
 */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      if (!existsSync(f)) continue;
      try {
        chmodSync(f, 0o600);
      } catch {
        // Not ours to change (another user's file): SQLite reads it all the same.
      }
    }
  }
}

// Kysely prepares every query afresh; preparing cost more than running in the accept profile.
// Query shapes are few (multi-row inserts vary by row count), so a capped cache holds them all.
const STATEMENT_CACHE_LIMIT = 2000;

function withStatementCache(sqlite: SQLite.Database, written: { dirty: boolean }): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
        stmt = sqlite.prepare(text);
        cache.set(text, stmt);
      }
      // Kysely prepares every statement it runs: a writing one means a commit to wait for (WalSync).
      if (!stmt.readonly) written.dirty = true;
      return stmt;
    },
    close: () => sqlite.close(),
  };
}
