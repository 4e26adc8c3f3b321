import type { Selectable } from '../kysely.ts';
import type { InboundEmailAttachmentsTable, InboundEmailsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type InboundEmailRow = Selectable<InboundEmailsTable>;
export type InboundAttachmentRow = Selectable<InboundEmailAttachmentsTable>;
/** An attachment without its bytes (what listings show). */
export type InboundAttachmentInfo = Omit<InboundAttachmentRow, 'content'>;

/** Mail received for accounts' verified domains, and its attachments. */
export class InboundEmailsRepo {
  constructor(private readonly db: Executor) {}

  /** The accounts that verified this domain (lower-case name); the mail for it is theirs. */
  async verifiedOwners(domain: string): Promise<string[]> {
    const rows = await this.db.selectFrom('domains').select('account_id').where('domain', '=', domain).where('status', '=', 'verified').execute();
    return [...new Set(rows.map((r) => r.account_id))];
  }

  /** Stores one received email and its attachments (call in a transaction). */
  async insert(row: InboundEmailRow, attachments: readonly InboundAttachmentRow[]): Promise<void> {
    await this.db.insertInto('inbound_emails').values(row).execute();
    if (attachments.length > 0) await this.db.insertInto('inbound_email_attachments').values([...attachments]).execute();
  }

  /** One email of an account. */
  async get(accountId: string, id: string): Promise<InboundEmailRow | undefined> {
    return this.db.selectFrom('inbound_emails').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  }

  /** Newest first, `limit` at most, older than the cursor `before` when given. */
  async list(accountId: string, f: { before?: string; createdFrom?: number; createdUntil?: number }, limit: number): Promise<InboundEmailRow[]> {
    let q = this.db.selectFrom('inbound_emails').selectAll().where('account_id', '=', accountId);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
    if (f.createdUntil !== undefined) q = q.where('created_at', '<', f.createdUntil);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  /** The attachments of these emails, without their bytes, in order. */
  async attachmentsOf(emailIds: readonly string[]): Promise<InboundAttachmentInfo[]> {
    if (emailIds.length === 0) return [];
    return this.db
      .selectFrom('inbound_email_attachments')
      .select(['email_id', 'n', 'filename', 'content_type', 'size'])
      .where('email_id', 'in', [...emailIds])
      .orderBy('email_id')
      .orderBy('n')
      .execute();
  }

  /** One attachment with its bytes. */
  async attachment(emailId: string, n: number): Promise<InboundAttachmentRow | undefined> {
    return this.db.selectFrom('inbound_email_attachments').selectAll().where('email_id', '=', emailId).where('n', '=', n).executeTakeFirst();
  }

  /** Up to `limit` ids of an account's emails received before `cutoff` that still hold their content. */
  async unredacted(accountId: string, cutoff: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('inbound_emails')
      .select('id')
      .where('account_id', '=', accountId)
      .where('created_at', '<', cutoff)
      .where('body_redacted_at', 'is', null)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Redacts these emails (call in one transaction): subject, bodies and attachments go; the envelope, addresses, size and verdicts stay. */
  async redact(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('inbound_email_attachments').where('email_id', 'in', [...ids]).execute();
    await this.db.updateTable('inbound_emails').set({ subject: null, text_body: null, html_body: null, body_redacted_at: now }).where('id', 'in', [...ids]).execute();
  }
}
