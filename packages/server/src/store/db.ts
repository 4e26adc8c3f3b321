import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

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
  dialect: Dialect;
}

/** Opens the store: PostgreSQL when a URL is given, else SQLite (WAL, fsync on commit) in dataDir. */
export function openDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.pgPoolSize ?? 16 });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'hellio.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit returns only after the WAL is fsync'd, so an acknowledged message survives power loss.
  sqlite.pragma('synchronous = FULL');
  // The CLI and other processes share the file; wait for the write lock instead of failing.
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect: 'sqlite' };
}

// Kysely prepares every query afresh; preparing cost more than running in the accept profile.
// Query shapes are few (multi-row inserts vary by row count), so a capped cache holds them all.
const STATEMENT_CACHE_LIMIT = 2000;

function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
        stmt = sqlite.prepare(text);
        cache.set(text, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}
