import type { Kysely } from 'kysely';

/**
 * The id of the resource an event is about (a message, a campaign…), so the deliveries of one
 * message's events can be found without reading every payload. Null for events about no single
 * resource, and for events recorded before this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('subject_id', 'text').execute();
  await db.schema.createIndex('events_subject').on('events').columns(['subject_id']).execute();
}
