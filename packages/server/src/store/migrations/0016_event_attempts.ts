import type { Kysely } from '../kysely.ts';

/**
 * A message's timeline records each delivery attempt that failed and will be tried again (a
 * `retrying` entry, docs/delivery.md): which attempt it was and when the next one is due. Both
 * null on the status steps, and on every entry written before this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('message_events').addColumn('attempt', 'integer').execute();
  await db.schema.alterTable('message_events').addColumn('next_attempt_at', 'bigint').execute();
}
