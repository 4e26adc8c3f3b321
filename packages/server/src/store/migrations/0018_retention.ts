import { type Kysely, sql } from '../kysely.ts';

/**
 * Retention (docs/retention.md): what the purge job needs to find old rows without reading
 * whole tables, the recurring jobs' de-duplication, and the per-account period of message bodies.
 *
 * - `jobs.dedupe_key` with `jobs_live_dedupe`: at most one live (pending or running) job per key.
 *   Only recurring jobs carry a key, so the partial index holds a row per recurring kind and
 *   ordinary jobs never enter it. An insert that would make a second one does nothing.
 * - `accounts.body_retention_days`: days after which a message's body is redacted; null = the
 *   installation's default (HELLIO_RETENTION_BODIES_DAYS), 0 = never.
 * - `messages.body_redacted_at`, and `messages_unredacted` over the messages still holding their
 *   body: the redaction walks only those, so its cost does not grow with the messages it has done.
 * - Indexes on the time column each purge compares (the done jobs use `jobs_due`), and
 *   `webhook_deliveries_pending_event`: an event is kept while a delivery of it is pending (a
 *   manual retry of an old one), which the purge asks of the few pending deliveries only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('dedupe_key', 'text').execute();
  await db.schema
    .createIndex('jobs_live_dedupe')
    .on('jobs')
    .column('dedupe_key')
    .unique()
    .where(sql<boolean>`dedupe_key is not null and status in ('pending', 'running')`)
    .execute();
  await db.schema.alterTable('accounts').addColumn('body_retention_days', 'integer').execute();
  await db.schema.alterTable('messages').addColumn('body_redacted_at', 'bigint').execute();
  await db.schema
    .createIndex('messages_unredacted')
    .on('messages')
    .columns(['account_id', 'created_at'])
    .where(sql.ref('body_redacted_at'), 'is', null)
    .execute();
  const byTime: Array<[table: string, column: string]> = [
    ['events', 'created_at'],
    ['webhook_deliveries', 'created_at'],
    ['webhook_attempts', 'created_at'],
    ['sessions', 'expires_at'],
    ['user_tokens', 'expires_at'],
    ['otp_verifications', 'expires_at'],
    ['sandbox_inbox', 'created_at'],
    ['lookups', 'created_at'],
    ['email_verifications', 'created_at'],
    ['call_audio', 'created_at'],
  ];
  await db.schema
    .createIndex('webhook_deliveries_pending_event')
    .on('webhook_deliveries')
    .column('event_id')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  for (const [table, column] of byTime) {
    await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
  }
}
