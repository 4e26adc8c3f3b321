import { Kysely, Migrator, PostgresAdapter, sql, type Migration, type MigrationProvider } from 'kysely';
import { DEFAULT_PRICES } from './default-prices.ts';

/**
 * Migrations are code, in order, never edited once released. Column types are the common
 * subset of SQLite and PostgreSQL (text, bigint, integer) so one migration serves both.
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('balance_micros', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('ip_allowlist', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('rate_limit_per_minute', 'integer')
        .addColumn('daily_cap_micros', 'bigint')
        .addColumn('monthly_cap_micros', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('test', 'integer', (c) => c.notNull())
        .addColumn('rate_limit_per_minute', 'integer')
        .addColumn('daily_cap_micros', 'bigint')
        .addColumn('monthly_cap_micros', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('api_keys_account').on('api_keys').columns(['account_id', 'id']).execute();

      await db.schema
        .createTable('ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('amount_micros', 'bigint', (c) => c.notNull())
        .addColumn('balance_after_micros', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_account').on('ledger').columns(['account_id', 'id']).execute();

      await db.schema
        .createTable('spend')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('amount_micros', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('spend_pk', ['scope', 'period'])
        .execute();

      await db.schema
        .createTable('senders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('senders_unique', ['account_id', 'kind', 'value'])
        .execute();

      await db.schema
        .createTable('prices')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('price_micros', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('prices_pk', ['channel', 'prefix'])
        .execute();
      await db.insertInto('prices').values(DEFAULT_PRICES.map((p) => ({ ...p }))).execute();

      await db.schema
        .createTable('campaigns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('total_count', 'integer', (c) => c.notNull())
        .addColumn('price_micros', 'bigint', (c) => c.notNull())
        .addColumn('sandbox', 'integer', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('scheduled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('campaigns_account').on('campaigns').columns(['account_id', 'id']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text')
        .addColumn('payload', 'text')
        .addColumn('segments', 'integer')
        .addColumn('encoding', 'text')
        .addColumn('price_micros', 'bigint', (c) => c.notNull())
        .addColumn('sandbox', 'integer', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('scheduled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_account').on('messages').columns(['account_id', 'id']).execute();
      await db.schema
        .createIndex('messages_campaign')
        .on('messages')
        .columns(['campaign_id', 'status'])
        .execute();
      await db.schema
        .createIndex('messages_recipient')
        .on('messages')
        .columns(['account_id', 'recipient', 'id'])
        .execute();

      await db.schema
        .createTable('message_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('message_events_message').on('message_events').columns(['message_id', 'id']).execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('locked_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('idem_key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'idem_key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();
    },
  },
  '0002_delivery': {
    async up(db: Kysely<any>) {
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
    },
  },
  '0003_routes': {
    async up(db: Kysely<any>) {
      // Admin routes: which provider carries a channel's traffic to a destination prefix, and
      // which one takes over when it cannot (connection lost, throttling).
      await db.schema
        .createTable('routes')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('fallback', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('routes_pk', ['channel', 'prefix'])
        .execute();
    },
  },
  '0004_domains': {
    async up(db: Kysely<any>) {
      // Sending domains with their DKIM key, generated when the domain is added.
      await db.schema
        .createTable('domains')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('selector', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('domains_unique', ['account_id', 'domain'])
        .execute();
    },
  },
  '0005_pending_receipts': {
    async up(db: Kysely<any>) {
      // Receipts that arrived before the network id they name was stored (the SMSC can answer
      // and report faster than the worker commits); applied as soon as the id is known.
      await db.schema
        .createTable('pending_receipts')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_receipts_pk', ['provider', 'provider_message_id'])
        .execute();
    },
  },
  '0006_events_webhooks': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_account').on('events').columns(['account_id', 'id']).execute();

      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('disabled_reason', 'text')
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_until', 'bigint')
        .addColumn('failing_since', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_endpoints_account').on('webhook_endpoints').columns(['account_id', 'id']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();

      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('response_excerpt', 'text')
        .addColumn('next_retry_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();

      // Per-group concurrency (one webhook endpoint's jobs): the claim counts a group's running jobs.
      await db.schema.alterTable('jobs').addColumn('group_key', 'text').execute();
      await db.schema.createIndex('jobs_group').on('jobs').columns(['group_key', 'status']).execute();
      // campaign.completed fires once: the final transition whose bump makes final_count reach total_count.
      await db.schema.alterTable('campaigns').addColumn('final_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('accounts').addColumn('balance_low_micros', 'bigint').execute();
    },
  },
  '0008_lookups': {
    async up(db: Kysely<any>) {
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
    },
  },
  '0007_otp': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('otp_verifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('code_length', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('sends', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('sandbox', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
        .addColumn('approved_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('otp_verifications_recipient').on('otp_verifications').columns(['account_id', 'recipient', 'id']).execute();
      // At most one pending verification per destination: two concurrent sends cannot both start one.
      await db.schema
        .createIndex('otp_verifications_one_pending')
        .on('otp_verifications')
        .columns(['account_id', 'recipient'])
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema.createIndex('otp_verifications_prefix').on('otp_verifications').columns(['account_id', 'prefix', 'created_at']).execute();

      await db.schema
        .createTable('otp_prefix_blocks')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('blocked_until', 'bigint', (c) => c.notNull())
        .addColumn('sends', 'integer', (c) => c.notNull())
        .addColumn('approvals', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('otp_prefix_blocks_pk', ['account_id', 'prefix'])
        .execute();

      await db.schema
        .createTable('otp_country_rules')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
        .addColumn('allowed_countries', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0009_email_verifications': {
    async up(db: Kysely<any>) {
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
    },
  },
  '0010_cache_epoch': {
    async up(db: Kysely<any>) {
      // One number that every change to what the API caches (keys, account settings, senders,
      // prices) increases, by trigger, whoever makes the change: the CLI, another process, raw
      // SQL. Each request reads it first and drops the caches when it moved (store/read-cache.ts).
      await db.schema
        .createTable('cache_epoch')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('cache_epoch').values({ id: 1, version: 1 }).execute();
      const watched: Array<[table: string, columns: string[]]> = [
        // Not last_used_at (written as keys are used) nor balance_micros (written by every charge).
        ['api_keys', ['account_id', 'key_hash', 'scopes', 'test', 'rate_limit_per_minute', 'daily_cap_micros', 'monthly_cap_micros', 'expires_at', 'revoked_at']],
        ['accounts', ['status', 'ip_allowlist', 'rate_limit_per_minute', 'daily_cap_micros', 'monthly_cap_micros', 'balance_low_micros']],
        ['senders', ['account_id', 'kind', 'value']],
        ['prices', ['channel', 'prefix', 'price_micros']],
      ];
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      if (postgres) {
        await sql`create function hellio_bump_cache_epoch() returns trigger language plpgsql as $$
          begin update cache_epoch set version = version + 1 where id = 1; return null; end $$`.execute(db);
      }
      for (const [table, columns] of watched) {
        const cols = sql.raw(columns.join(', '));
        const t = sql.table(table);
        if (postgres) {
          await sql`create trigger ${sql.id(`${table}_cache_epoch`)} after insert or delete or update of ${cols} on ${t}
            for each statement execute function hellio_bump_cache_epoch()`.execute(db);
          continue;
        }
        for (const [op, event] of [['ins', sql`insert`], ['del', sql`delete`], ['upd', sql`update of ${cols}`]] as const) {
          await sql`create trigger ${sql.id(`${table}_cache_epoch_${op}`)} after ${event} on ${t}
            begin update cache_epoch set version = version + 1 where id = 1; end`.execute(db);
        }
      }
    },
  },
  '0011_delivery_batch': {
    async up(db: Kysely<any>) {
      // Jobs are claimed per kind: a kind with a cap of its own (email), and grouped kinds
      // (webhooks), look for due jobs of that kind alone. Through (status, run_at) such a claim
      // walked every due job of the other kinds first (~1 ms per claim with 20,000 SMS queued;
      // docs/performance.md). (kind, status, run_at) serves each kind's claim in run_at order, and
      // the others as well; it replaces jobs_due rather than joining it, so each job's status
      // change still updates one such index.
      await db.schema.createIndex('jobs_kind_due').on('jobs').columns(['kind', 'status', 'run_at']).execute();
      await db.schema.dropIndex('jobs_due').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; safe to run from several processes at once (the migrator locks). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
