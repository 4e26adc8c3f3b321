import type { Kysely } from '../kysely.ts';

/**
 * Receipts that arrived before the network id they name was stored (the SMSC can answer
 * and report faster than the worker commits); applied as soon as the id is known.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_receipts')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pending_receipts_pk', ['provider', 'provider_message_id'])
    .execute();
}
