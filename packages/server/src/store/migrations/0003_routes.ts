import type { Kysely } from '../kysely.ts';

/**
 * Admin routes: which provider carries a channel's traffic to a destination prefix, and
 * which one takes over when it cannot (connection lost, throttling).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('routes')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('fallback', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('routes_pk', ['channel', 'prefix'])
    .execute();
}
