import { randomBytes } from 'node:crypto';
import type { Kysely } from '../kysely.ts';

/**
 * The compatibility APIs (docs/compat-twilio.md, docs/compat-kannel.md):
 *
 * - `accounts.twilio_account_sid`: the account's Twilio-style id (`AC` + 32 hex), the user name
 *   of HTTP Basic on /twilio/…; made at account creation, given here to every existing account.
 * - `message_callbacks`: where a message's status changes are reported, for messages sent
 *   through a compatibility API with a StatusCallback (Twilio) or a dlr-url (Kannel). `token` is
 *   what signs them (Twilio's auth token: the key the message was sent with), sealed at rest
 *   like every secret; the row goes once the message's final status has been reported.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('twilio_account_sid', 'text').execute();
  const accounts = await db.selectFrom('accounts').select('id').execute();
  for (const a of accounts) {
    await db.updateTable('accounts').set({ twilio_account_sid: `AC${randomBytes(16).toString('hex')}` }).where('id', '=', a.id).execute();
  }
  await db.schema.createIndex('accounts_twilio_account_sid').on('accounts').column('twilio_account_sid').unique().execute();

  await db.schema
    .createTable('message_callbacks')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('token', 'text')
    .addColumn('mask', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_callbacks_created').on('message_callbacks').column('created_at').execute();
}
