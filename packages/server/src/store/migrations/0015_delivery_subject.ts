import type { Kysely } from '../kysely.ts';

/**
 * The id of the resource a delivery's event is about (a message, a campaign…), so the webhook
 * deliveries of one message are found without reading every payload. On the deliveries rather
 * than the events: only accounts with subscribed endpoints write it, and the accept path pays
 * nothing more when there are none. Null for events about no single resource, and for deliveries
 * made before this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').addColumn('subject_id', 'text').execute();
  await db.schema.createIndex('webhook_deliveries_subject').on('webhook_deliveries').columns(['subject_id']).execute();
}
