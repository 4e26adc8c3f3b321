import type { Kysely } from '../kysely.ts';

/**
 * Inbound email (issue 18 part 4, docs/inbound.md "Email"):
 *
 * - `inbound_emails`: mail received for an account's verified domain that was not a bounce or a
 *   complaint about one of its messages: the envelope, the parsed headers and bodies, its size, and
 *   the SPF/DKIM/DMARC verdicts found on arrival. Retention redacts subject, bodies and attachments
 *   like a message's body (`body_redacted_at`).
 * - `inbound_email_attachments`: its attachments, numbered from 1 in the order of the mail; the
 *   bytes base64 in a text column (reads the same on both backends, as call_audio does).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('mail_from', 'text')
    .addColumn('rcpt_to', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('to_addresses', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('message_id_header', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('text_body', 'text')
    .addColumn('html_body', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('spf', 'text', (c) => c.notNull())
    .addColumn('dkim', 'text', (c) => c.notNull())
    .addColumn('dmarc', 'text', (c) => c.notNull())
    .addColumn('remote_address', 'text')
    .addColumn('body_redacted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_emails_account').on('inbound_emails').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('inbound_emails_created').on('inbound_emails').columns(['account_id', 'created_at']).execute();

  await db.schema
    .createTable('inbound_email_attachments')
    .addColumn('email_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_email_attachments_pk', ['email_id', 'n'])
    .execute();
}
