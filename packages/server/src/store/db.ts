import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { type Capabilities, POSTGRES, SQLITE } from './capabilities.ts';
import type { Database } from './schema.ts';
import { DurableSqliteDialect, WalSync } from './wal-sync.ts';

// int8 and numeric arrive as strings from pg; our integers (epoch ms, micro-units, counts and
// sums of them) stay far below 2^53, so numbers are exact and match what SQLite returns.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface DbOptions {
  databaseUrl: string | null;
  dataDir: string;
  pgPoolSize?: number;
}

export interface Db {
  db: Kysely<Database>;
  capabilities: Capabilities;
}

/** Opens the store: PostgreSQL when a URL is given, else SQLite (WAL, every commit fsync'd before it is answered) in dataDir. */
export function openDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.pgPoolSize ?? 16 });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), capabilities: POSTGRES };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'hellio.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL, with the WAL fsync'd by WalSync before any commit is answered: as durable as FULL
  // (an acknowledged message survives power loss), without blocking the event loop on the disk.
  sqlite.pragma('synchronous = NORMAL');
  // The CLI and other processes share the file; wait for the write lock instead of failing.
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const written = { dirty: false };
  const dialect = new DurableSqliteDialect({ database: withStatementCache(sqlite, written) }, sqlite, new WalSync(`${file}-wal`), written);
  return { db: new Kysely<Database>({ dialect }), capabilities: SQLITE };
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
