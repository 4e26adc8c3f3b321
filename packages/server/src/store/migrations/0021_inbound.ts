import { sql, type Kysely } from '../kysely.ts';

/**
 * Two-way SMS and one suppression list (issue 18, SPEC §3 "Inbound and consent"):
 *
 * - `numbers`: the E.164 numbers an account receives on, one owner each (assigned by an operator).
 * - `suppressions`: per account, recipients never sent to on a channel (`sms`: E.164; `email`: a
 *   lower-cased address), with the source that put them there (`stop`, `bounce`, `complaint`,
 *   `manual`, `import`) and an optional free-text reason; one row per (account, channel, value).
 * - `messages.direction`: `outbound` (every message so far) or `inbound` (a reply received).
 * - `inbound_parts`: the parts of a concatenated MO SMS kept until all have arrived (a restart
 *   between two parts loses nothing); keyed by who sent it, to which number, the reference and
 *   the part count, as the sender's phone numbers them.
 * - `consent_replies`: an account's own answers to STOP, START and HELP (null: the default).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('numbers')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('numbers_account').on('numbers').columns(['account_id', 'number']).execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('suppressions_value').on('suppressions').columns(['account_id', 'channel', 'value']).unique().execute();
  await db.schema.createIndex('suppressions_list').on('suppressions').columns(['account_id', 'id']).execute();

  await db.schema.alterTable('messages').addColumn('direction', 'text', (c) => c.notNull().defaultTo(sql`'outbound'`)).execute();
  await db.schema.createIndex('messages_direction').on('messages').columns(['account_id', 'direction', 'id']).execute();
  await db.schema.createIndex('messages_sender').on('messages').columns(['account_id', 'sender', 'id']).execute();

  await db.schema
    .createTable('inbound_parts')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('ref', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_parts_pk', ['source', 'destination', 'ref', 'total', 'seq'])
    .execute();
  await db.schema.createIndex('inbound_parts_created').on('inbound_parts').column('created_at').execute();

  await db.schema
    .createTable('consent_replies')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('stop_reply', 'text')
    .addColumn('start_reply', 'text')
    .addColumn('help_reply', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
