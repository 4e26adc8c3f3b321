import { type Kysely, sql } from '../kysely.ts';

/**
 * Fewer index entries for every message and job (issue 17): each entry is a B-tree write when a
 * message is accepted and again at each change of its status, on the accept and delivery paths.
 *
 * - `jobs_group` (group_key, status) goes: no query leads with group_key (the grouped claim reads
 *   jobs_kind_due), yet every claim, settle and delete of every job rewrote an entry in it.
 * - `messages_campaign` keeps only campaign messages: `campaign_id = ?` implies it is not null,
 *   so both databases still use it for a campaign's counts, and the messages sent one by one —
 *   nearly all of them — no longer rewrite an entry at each status.
 * - `messages_direction` (account_id, direction, id) becomes `messages_inbound` (account_id, id)
 *   over inbound messages only: a list of inbound messages reads it (the query names the
 *   direction as a literal, so the planner can match the index's condition); a list of outbound
 *   ones walks messages_account, where nearly every row is outbound anyway.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_group').execute();
  await db.schema.dropIndex('messages_campaign').execute();
  await db.schema
    .createIndex('messages_campaign')
    .on('messages')
    .columns(['campaign_id', 'status'])
    .where(sql.ref('campaign_id'), 'is not', null)
    .execute();
  await db.schema.dropIndex('messages_direction').execute();
  await db.schema
    .createIndex('messages_inbound')
    .on('messages')
    .columns(['account_id', 'id'])
    .where(sql.ref('direction'), '=', 'inbound')
    .execute();
}
