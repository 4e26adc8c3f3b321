// Read access to a bench run's database from outside the server (bench/fuzz, bench/chaos): the
// SQLite file of HELLIO_DATA_DIR, or DATABASE_URL. Plain SQL with `?` placeholders (turned into
// $n for PostgreSQL); only what a harness needs to count rows and compare wallets with ledgers.
import { join } from 'node:path';

/** Opens the database a throwaway env points at: `{ all(sql, params), tables(), close() }`. */
export async function openBenchDb(env) {
  if (env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
    // A PostgreSQL restart (bench/chaos) drops idle connections: the pool reconnects on the next query.
    pool.on('error', () => undefined);
    const all = async (sql, params = []) => {
      let n = 0;
      return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    };
    return {
      all,
      tables: async () => (await all("select tablename as name from pg_tables where schemaname = 'public'")).map((r) => r.name).filter((t) => !t.startsWith('kysely_')),
      close: () => pool.end(),
    };
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(env.HELLIO_DATA_DIR, 'hellio.db'), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const all = async (sql, params = []) => db.prepare(sql).all(...params);
  return {
    all,
    tables: async () =>
      (await all("select name from sqlite_master where type = 'table'")).map((r) => r.name).filter((t) => !t.startsWith('sqlite_') && !t.startsWith('kysely_')),
    close: async () => db.close(),
  };
}

/** Row count of every table. */
export async function rowCounts(db) {
  const out = {};
  for (const t of await db.tables()) out[t] = Number((await db.all(`select count(*) as n from "${t}"`))[0].n);
  return out;
}

/** Tables whose row count differs between two `rowCounts`, with both counts. */
export function countDiff(before, after) {
  const diff = {};
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) if (before[t] !== after[t]) diff[t] = { before: before[t] ?? 0, after: after[t] ?? 0 };
  return diff;
}
