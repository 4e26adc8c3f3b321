import { type Kysely, sql } from '../kysely.ts';

/**
 * What the management API (the dashboard's) reads by account, and one rule it relies on:
 *
 * - `messages_account_created` (account_id, created_at): usage time series group an account's
 *   messages of a time range; through (account_id, id) they would read all of its messages.
 * - `sandbox_inbox_account` (account_id, id): an account's sandbox inbox, newest first.
 * - `sender_requests_one_pending`: at most one pending request per account and sender, so two
 *   requests sent at once cannot both queue one for the operators.
 * - Email recipients are compared lower-cased (the search by recipient); the ones stored before
 *   are lowered here, as new ones are on the way in. Addresses are ASCII (the local part by the
 *   parser's rule, the domain in punycode), so lower() means the same on both databases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_account_created').on('messages').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('sandbox_inbox_account').on('sandbox_inbox').columns(['account_id', 'id']).execute();
  await db.schema
    .createIndex('sender_requests_one_pending')
    .on('sender_requests')
    .columns(['account_id', 'kind', 'value'])
    .unique()
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db
    .updateTable('messages')
    .set({ recipient: sql`lower(recipient)` })
    .where('channel', '=', 'email')
    .where('recipient', '<>', sql`lower(recipient)`)
    .execute();
}
