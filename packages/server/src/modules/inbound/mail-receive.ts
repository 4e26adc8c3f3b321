import { simpleParser, type AddressObject } from 'mailparser';
import { newId, isId } from '../../lib/ids.ts';
import { RETURN_PATH_LABEL } from '../../lib/dkim.ts';
import type { ReceivedMail } from '../../providers/email/inbound-mail.ts';
import type { MailAuthenticator } from '../../providers/email/mail-auth.ts';
import type { InboundAttachmentRow, InboundEmailRow } from '../../store/repos/inbound-emails.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { markLateReport } from '../messages/lifecycle.ts';
import { addSuppression, normaliseRecipient } from '../suppressions/suppressions.ts';
import { recordEvents } from '../webhooks/events.ts';
import { type MailReport, readReport } from './mail-reports.ts';
import { inboundEmailView } from './mail-views.ts';

/** What receiving mail needs: the store and clock, and the checks of SPF, DKIM and DMARC. */
export interface InboundMailDeps extends Deps {
  auth: MailAuthenticator;
}

/** What became of one received message. */
export type ReceiveOutcome =
  | { kind: 'bounce'; messageId: string; moved: boolean; suppressed: string[] }
  | { kind: 'complaint'; messageId: string; moved: boolean; suppressed: string[] }
  | { kind: 'stored'; ids: string[] }
  | { kind: 'dropped' };

/** The domain part of an address, lower-case, without the return path's `bounces.` label. */
function ownedDomain(address: string): { domain: string; returnPath: boolean } | null {
  const at = address.lastIndexOf('@');
  if (at < 1) return null;
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  const prefix = `${RETURN_PATH_LABEL}.`;
  return domain.startsWith(prefix) ? { domain: domain.slice(prefix.length), returnPath: true } : { domain, returnPath: false };
}

/** The accounts that receive mail for this address: owners of its verified domain (or of the domain of its return path). */
async function ownersOf(store: Store, address: string): Promise<string[]> {
  const d = ownedDomain(address);
  return d ? store.inboundEmails.verifiedOwners(d.domain) : [];
}

/** Whether the inbound server takes mail for this address (RCPT TO): a verified domain's, or its return path's. */
export async function acceptsRecipient(deps: Deps, address: string): Promise<boolean> {
  return (await ownersOf(deps.store, address)).length > 0;
}

/**
 * Our message a report is about: the id in a VERP return path (`msg_…@bounces.<domain>`), else the
 * Message-ID the outbound path gave it (`<msg_…@<domain>>`), found in the returned headers.
 */
function reportedMessageId(mail: ReceivedMail, report: MailReport): string | null {
  for (const r of mail.rcptTo) {
    const local = r.slice(0, r.lastIndexOf('@'));
    if (ownedDomain(r)?.returnPath && isId('msg', local)) return local;
  }
  const m = report.originalMessageId ? /^<(msg_[^@>]+)@/.exec(report.originalMessageId) : null;
  return m && isId('msg', m[1]!) ? m[1]! : null;
}

/** A report about an email of one of these accounts: its transition and the suppression of the address. */
async function applyReport(deps: Deps, mail: ReceivedMail, report: MailReport, accounts: ReadonlySet<string>): Promise<ReceiveOutcome | null> {
  const id = reportedMessageId(mail, report);
  if (!id) return null;
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const m: MessageRow | undefined = await tx.delivery.getMessage(id);
    // Only the account whose domain received the report may have its message moved by it.
    if (!m || m.channel !== 'email' || !accounts.has(m.account_id)) return null;
    if (report.kind === 'delivery-status') {
      const failed = report.recipients.filter((r) => r.action === 'failed');
      if (failed.length === 0) return { kind: 'bounce', messageId: id, moved: false, suppressed: [] } as const;
      const detail = `bounce: ${failed.map((r) => `${r.address} ${r.status}${r.diagnostic ? ` (${r.diagnostic})` : ''}`).join('; ')}`.slice(0, 1000);
      const moved = await markLateReport(tx, m, 'bounced', detail, now);
      const suppressed: string[] = [];
      // Only a permanent failure (5.x.x) says the address will never take mail.
      // An address the list cannot hold (a report's garbled field) is skipped: refusing the whole
      // report would only have the reporting MTA send it again and again.
      for (const r of failed.filter((f) => f.status.startsWith('5.') && normaliseRecipient('email', f.address) !== null)) {
        await addSuppression(tx, { accountId: m.account_id, channel: 'email', value: r.address, source: 'bounce', reason: (r.diagnostic ?? r.status).slice(0, 500) }, now);
        suppressed.push(r.address);
      }
      return { kind: 'bounce', messageId: id, moved, suppressed } as const;
    }
    const moved = await markLateReport(tx, m, 'complained', `complaint: ${report.feedbackType}${report.originalRcptTo ? ` from ${report.originalRcptTo}` : ''}`, now);
    // The complaining address: the report's Original-Rcpt-To, else the message's own recipients.
    const addresses = (report.originalRcptTo ? [report.originalRcptTo] : recipientsOf(m)).filter((a) => normaliseRecipient('email', a) !== null);
    for (const a of addresses) await addSuppression(tx, { accountId: m.account_id, channel: 'email', value: a, source: 'complaint', reason: `feedback report: ${report.feedbackType}` }, now);
    return { kind: 'complaint', messageId: id, moved, suppressed: addresses } as const;
  });
}

/** The To addresses of an outbound email, lower-cased. */
function recipientsOf(m: MessageRow): string[] {
  const p = m.payload ? (JSON.parse(m.payload) as { to?: string[] }) : {};
  return (p.to ?? [m.recipient]).map((a) => (/<([^>]+)>\s*$/.exec(a)?.[1] ?? a).trim().toLowerCase());
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = a === undefined ? [] : Array.isArray(a) ? a : [a];
  return list.flatMap((o) => o.value.map((v) => v.address?.toLowerCase() ?? '').filter(Boolean));
}

/**
 * Takes a message the inbound server received. A bounce (RFC 3464) or complaint (RFC 5965) about
 * one of the receiving account's emails moves that email (`bounced`, `complained`) and suppresses
 * the address; any other mail is stored for each account that owns a recipient's domain, with its
 * SPF/DKIM/DMARC verdicts, and announced by `email.received`.
 */
export async function receiveMail(deps: InboundMailDeps, mail: ReceivedMail): Promise<ReceiveOutcome> {
  const perAccount = new Map<string, string[]>();
  for (const r of mail.rcptTo) for (const a of await ownersOf(deps.store, r)) perAccount.set(a, [...(perAccount.get(a) ?? []), r.toLowerCase()]);
  if (perAccount.size === 0) return { kind: 'dropped' };
  const parsed = await simpleParser(mail.raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const report = await readReport(mail.raw, parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined);
  if (report) {
    const applied = await applyReport(deps, mail, report, new Set(perAccount.keys()));
    if (applied) return applied;
  }
  const verdicts = await deps.auth.check(mail.raw, { ip: mail.remoteAddress, helo: mail.helo, sender: mail.mailFrom });
  const now = deps.clock.now();
  const ids: string[] = [];
  await deps.store.transaction(async (tx) => {
    for (const [accountId, rcpts] of perAccount) {
      const row: InboundEmailRow = {
        id: newId('inm'),
        account_id: accountId,
        mail_from: mail.mailFrom,
        rcpt_to: JSON.stringify(rcpts),
        from_address: addresses(parsed.from)[0] ?? null,
        to_addresses: JSON.stringify([...addresses(parsed.to), ...addresses(parsed.cc)]),
        subject: parsed.subject ?? null,
        message_id_header: parsed.messageId ?? null,
        in_reply_to: parsed.inReplyTo ?? null,
        text_body: parsed.text ?? null,
        html_body: typeof parsed.html === 'string' ? parsed.html : null,
        size: mail.raw.length,
        spf: verdicts.spf,
        dkim: verdicts.dkim,
        dmarc: verdicts.dmarc,
        remote_address: mail.remoteAddress,
        body_redacted_at: null,
        created_at: now,
      };
      const attachments: InboundAttachmentRow[] = parsed.attachments.map((a, i) => ({
        email_id: row.id,
        n: i + 1,
        filename: a.filename ?? null,
        content_type: a.contentType,
        size: a.content.length,
        content: a.content.toString('base64'),
      }));
      await tx.inboundEmails.insert(row, attachments);
      await recordEvents(tx, [{ accountId, type: 'email.received', data: inboundEmailView(row, attachments) }], now);
      ids.push(row.id);
    }
  });
  return { kind: 'stored', ids };
}
