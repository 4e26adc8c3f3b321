import { type Kysely, sql } from '../kysely.ts';

/**
 * The receipt-timeout sweep (modules/messages/receipt-timeout.ts) looks for messages left `sent`
 * longest, per channel: a partial index holds only those, so it stays as small as the messages
 * awaiting a receipt and the sweep never scans the delivered history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('messages_sent_since')
    .on('messages')
    .columns(['channel', 'updated_at'])
    .where(sql.ref('status'), '=', 'sent')
    .execute();
}
