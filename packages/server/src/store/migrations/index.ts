import { Migrator, type Kysely, type Migration, type MigrationProvider } from '../kysely.ts';
import * as foundation from './0001_foundation.ts';
import * as delivery from './0002_delivery.ts';
import * as routes from './0003_routes.ts';
import * as domains from './0004_domains.ts';
import * as pendingReceipts from './0005_pending_receipts.ts';
import * as eventsWebhooks from './0006_events_webhooks.ts';
import * as otp from './0007_otp.ts';
import * as lookups from './0008_lookups.ts';
import * as emailVerifications from './0009_email_verifications.ts';
import * as cacheEpoch from './0010_cache_epoch.ts';
import * as deliveryBatch from './0011_delivery_batch.ts';
import * as people from './0012_people.ts';
import * as accountReads from './0013_account_reads.ts';
import * as totpLastStep from './0014_totp_last_step.ts';
import * as deliverySubject from './0015_delivery_subject.ts';
import * as eventAttempts from './0016_event_attempts.ts';
import * as voice from './0017_voice.ts';
import * as retention from './0018_retention.ts';
import * as receiptTimeout from './0019_receipt_timeout.ts';
import * as compat from './0020_compat.ts';
import * as inbound from './0021_inbound.ts';
import * as inboundEmail from './0022_inbound_email.ts';
import * as leanIndexes from './0023_lean_indexes.ts';

/**
 * Migrations are code, in order, never edited once released. Column types are the common
 * subset of SQLite and PostgreSQL (text, bigint, integer) so one migration serves both.
 *
 * One file a migration in this folder, named as the migration: the name is what databases record
 * as applied, so it never changes. A new migration is a new file, imported and listed here last;
 * test/unit/migrations.test.ts fails when a file is not listed, is listed under another name, or
 * the list is out of name order. The list is static (not a directory read) so that the sources
 * run through tsx and can be bundled.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001_foundation', foundation],
  ['0002_delivery', delivery],
  ['0003_routes', routes],
  ['0004_domains', domains],
  ['0005_pending_receipts', pendingReceipts],
  ['0006_events_webhooks', eventsWebhooks],
  ['0007_otp', otp],
  ['0008_lookups', lookups],
  ['0009_email_verifications', emailVerifications],
  ['0010_cache_epoch', cacheEpoch],
  ['0011_delivery_batch', deliveryBatch],
  ['0012_people', people],
  ['0013_account_reads', accountReads],
  ['0014_totp_last_step', totpLastStep],
  ['0015_delivery_subject', deliverySubject],
  ['0016_event_attempts', eventAttempts],
  ['0017_voice', voice],
  ['0018_retention', retention],
  ['0019_receipt_timeout', receiptTimeout],
  ['0020_compat', compat],
  ['0021_inbound', inbound],
  ['0022_inbound_email', inboundEmail],
  ['0023_lean_indexes', leanIndexes],
];

const provider: MigrationProvider = { getMigrations: async () => Object.fromEntries(MIGRATIONS) };

/** Brings the schema up to date; safe to run from several processes at once (the migrator locks). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
