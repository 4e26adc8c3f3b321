import type { Kysely } from '../kysely.ts';

/**
 * Number lookups, and the flat price of one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lookups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('input_country', 'text')
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('valid', 'integer', (c) => c.notNull())
    .addColumn('possible', 'integer', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('validation_error', 'text')
    .addColumn('carrier', 'text')
    .addColumn('region', 'text')
    .addColumn('national_format', 'text', (c) => c.notNull())
    .addColumn('international_format', 'text', (c) => c.notNull())
    .addColumn('price_micros', 'bigint', (c) => c.notNull())
    .addColumn('sandbox', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lookups_account').on('lookups').columns(['account_id', 'id']).execute();
  // One flat rate per lookup (0.0050), kept here rather than in default-prices.ts because a
  // released migration must insert the same rows forever; operators change it with
  // `hellio prices set --channel lookup`, per destination prefix too (docs/pricing.md).
  await db.insertInto('prices').values({ channel: 'lookup', prefix: '', price_micros: 5_000 }).execute();
}
