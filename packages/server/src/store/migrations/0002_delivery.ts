import type { Kysely } from '../kysely.ts';

/**
 * Delivery: each message's provider and error, the network ids behind each message
 * (`provider_refs`) and the sandbox inbox.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('provider', 'text').execute();
  await db.schema.alterTable('messages').addColumn('error', 'text').execute();
  // Which of our messages a network's id (one per SMS part) belongs to, for receipts.
  await db.schema
    .createTable('provider_refs')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_refs_pk', ['provider', 'provider_message_id'])
    .execute();
  await db.schema.createIndex('provider_refs_message').on('provider_refs').column('message_id').execute();
  // What the simulated phones and mailboxes received (hellio sandbox inbox).
  await db.schema
    .createTable('sandbox_inbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_inbox_recipient').on('sandbox_inbox').columns(['recipient', 'id']).execute();
}
