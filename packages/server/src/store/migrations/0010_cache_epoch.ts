import { PostgresAdapter, sql, type Kysely } from '../kysely.ts';

/**
 * One number that every change to what the API caches (keys, account settings, senders,
 * prices) increases, by trigger, whoever makes the change: the CLI, another process, raw
 * SQL. Each request reads it first and drops the caches when it moved (store/read-cache.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cache_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('cache_epoch').values({ id: 1, version: 1 }).execute();
  const watched: Array<[table: string, columns: string[]]> = [
    // Not last_used_at (written as keys are used) nor balance_micros (written by every charge).
    ['api_keys', ['account_id', 'key_hash', 'scopes', 'test', 'rate_limit_per_minute', 'daily_cap_micros', 'monthly_cap_micros', 'expires_at', 'revoked_at']],
    ['accounts', ['status', 'ip_allowlist', 'rate_limit_per_minute', 'daily_cap_micros', 'monthly_cap_micros', 'balance_low_micros']],
    ['senders', ['account_id', 'kind', 'value']],
    ['prices', ['channel', 'prefix', 'price_micros']],
  ];
  // The SQL text below keeps the indentation it was released with (from when this migration was
  // nested deeper): SQLite stores each trigger's text and PostgreSQL the function's body as written.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`create function hellio_bump_cache_epoch() returns trigger language plpgsql as $$
          begin update cache_epoch set version = version + 1 where id = 1; return null; end $$`.execute(db);
  }
  for (const [table, columns] of watched) {
    const cols = sql.raw(columns.join(', '));
    const t = sql.table(table);
    if (postgres) {
      await sql`create trigger ${sql.id(`${table}_cache_epoch`)} after insert or delete or update of ${cols} on ${t}
            for each statement execute function hellio_bump_cache_epoch()`.execute(db);
      continue;
    }
    for (const [op, event] of [['ins', sql`insert`], ['del', sql`delete`], ['upd', sql`update of ${cols}`]] as const) {
      await sql`create trigger ${sql.id(`${table}_cache_epoch_${op}`)} after ${event} on ${t}
            begin update cache_epoch set version = version + 1 where id = 1; end`.execute(db);
    }
  }
}
