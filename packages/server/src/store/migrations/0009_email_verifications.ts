import type { Kysely } from '../kysely.ts';

/**
 * Email verifications, and the flat price of one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('checks', 'text', (c) => c.notNull())
    .addColumn('mx_hosts', 'text', (c) => c.notNull())
    .addColumn('suggestion', 'text')
    .addColumn('price_micros', 'bigint', (c) => c.notNull())
    .addColumn('sandbox', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_verifications_account').on('email_verifications').columns(['account_id', 'id']).execute();
  // One flat rate per verification (0.0020), inserted here so that this released migration
  // always writes the same row; `hellio prices set --channel email_verify` changes it.
  await db.insertInto('prices').values({ channel: 'email_verify', prefix: '', price_micros: 2_000 }).execute();
}
