import { AppError, type FieldError, validationError } from '../../lib/errors.ts';
import { formatMailbox, type Mailbox, parseMailbox } from '../../lib/email-address.ts';
import { newId } from '../../lib/ids.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import type { Charged } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import type { ModuleContext } from '../context.ts';
import type { EmailAttachment, EmailPayload } from './email-payload.ts';
import { messagesPlan } from './plan.ts';
import { scheduleOf } from './schedule.ts';
import { emailSenderApproved } from './senders.ts';
import { assertNotSuppressed } from '../suppressions/suppressions.ts';

export const EMAIL_MAX_RECIPIENTS = 50;

export interface EmailSendInput {
  from: string;
  to: string | string[];
  subject: string;
  html?: string;
  text?: string;
  cc?: string | string[];
  bcc?: string | string[];
  reply_to?: string | string[];
  headers?: Record<string, string>;
  attachments?: EmailAttachment[];
  tags?: Array<{ name: string; value: string }>;
  scheduled_at?: string;
}

export interface EmailSendResult {
  id: string;
  status: string;
}

// Headers the platform writes itself; letting a caller set them would forge or break the message.
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'reply-to', 'date', 'message-id', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'mime-version', 'return-path', 'sender']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,76}$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;
// A Content-ID goes into a header between angle brackets: no spaces, brackets or line breaks.
const CONTENT_ID = /^[\x21-\x3b\x3d\x3f-\x7e]{1,255}$/;

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function mailboxes(field: string, values: string[], errors: FieldError[]): Mailbox[] {
  const out: Mailbox[] = [];
  values.forEach((v, i) => {
    const mb = parseMailbox(v);
    if (mb) out.push(mb);
    else errors.push({ field: values.length > 1 ? `${field}[${i}]` : field, message: 'must be an email address ("a@example.com" or "Name <a@example.com>")' });
  });
  if (values.length > EMAIL_MAX_RECIPIENTS) errors.push({ field, message: `at most ${EMAIL_MAX_RECIPIENTS} addresses` });
  return out;
}

/**
 * The mailboxes whose address is not in `seen` yet (and adds them): an address given twice — in
 * one list, or in to and cc, or cc and bcc — receives, and is charged, once, where it first
 * appears (to, then cc, then bcc). Addresses compare with the domain case-insensitively (it is
 * lower-cased by parseMailbox) and the local part as written (RFC 5321 leaves its case to the
 * receiving server).
 */
function distinct(mbs: Mailbox[], seen: Set<string>): Mailbox[] {
  const out: Mailbox[] = [];
  for (const mb of mbs) {
    if (seen.has(mb.address)) continue;
    seen.add(mb.address);
    out.push(mb);
  }
  return out;
}

/** Validates and prices (per recipient) one email; answers the plan that accepts it atomically. */
export async function planEmail(ctx: ModuleContext, principal: Principal, input: EmailSendInput): Promise<Charged<EmailSendResult>> {
  const now = ctx.clock.now();
  const errors: FieldError[] = [];
  const from = parseMailbox(input.from);
  if (!from) errors.push({ field: 'from', message: 'must be an email address ("a@example.com" or "Name <a@example.com>")' });
  const seen = new Set<string>();
  const to = distinct(mailboxes('to', list(input.to), errors), seen);
  if (list(input.to).length === 0) errors.push({ field: 'to', message: 'must name at least one recipient' });
  const cc = distinct(mailboxes('cc', list(input.cc), errors), seen);
  const bcc = distinct(mailboxes('bcc', list(input.bcc), errors), seen);
  const replyTo = mailboxes('reply_to', list(input.reply_to), errors);
  if (!input.subject.trim()) errors.push({ field: 'subject', message: 'must not be empty' });
  if (/[\r\n]/.test(input.subject)) errors.push({ field: 'subject', message: 'must be one line' });
  if (input.html === undefined && input.text === undefined) errors.push({ field: 'html', message: 'html or text is required' });
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      errors.push({ field: `headers.${name}`, message: 'is not a header name you can set' });
    } else if (/[\r\n]/.test(value)) {
      errors.push({ field: `headers.${name}`, message: 'must not contain line breaks' });
    }
  }
  (input.attachments ?? []).forEach((a, i) => {
    if (!a.filename.trim() || /[\r\n/\\]/.test(a.filename)) errors.push({ field: `attachments[${i}].filename`, message: 'must be a plain file name' });
    if (!BASE64.test(a.content)) errors.push({ field: `attachments[${i}].content`, message: 'must be base64' });
    if (a.content_id !== undefined && !CONTENT_ID.test(a.content_id)) errors.push({ field: `attachments[${i}].content_id`, message: 'must be 1–255 printable characters without spaces or angle brackets' });
  });
  const scheduledAt = scheduleOf(input.scheduled_at, now, errors);
  if (errors.length > 0 || !from) throw validationError(errors);

  if (!(await emailSenderApproved(ctx.store, principal.accountId, from.address, from.domain))) {
    throw new AppError('sender_not_approved', `The sender ${from.address} is not approved: verify the domain ${from.domain} or approve the address`);
  }

  // One email to several people is one message: any of them on the list refuses it whole.
  await assertNotSuppressed(ctx.store, principal.accountId, 'email', [...to, ...cc, ...bcc].map((m) => m.address));

  const price = (await PriceTable.load(ctx.store, 'email')).priceOf('', 'to') * (to.length + cc.length + bcc.length);
  const payload: EmailPayload = {
    from: formatMailbox(from),
    to: to.map(formatMailbox),
    cc: cc.map(formatMailbox),
    bcc: bcc.map(formatMailbox),
    reply_to: replyTo.map(formatMailbox),
    subject: input.subject,
    html: input.html ?? null,
    text: input.text ?? null,
    headers: input.headers ?? {},
    attachments: input.attachments ?? [],
    tags: input.tags ?? [],
  };
  const message: MessageRow = {
    id: newId('msg'),
    account_id: principal.accountId,
    key_id: principal.keyId,
    campaign_id: null,
    channel: 'email',
    status: scheduledAt === null ? 'queued' : 'scheduled',
    sender: from.address,
    // Lower-cased: the search by recipient (GET /messages?recipient=) compares it so.
    recipient: to[0]!.address.toLowerCase(),
    subject: input.subject,
    body: input.text ?? null,
    payload: JSON.stringify(payload),
    segments: null,
    encoding: null,
    price_micros: price,
    sandbox: principal.test ? 1 : 0,
    reference: null,
    scheduled_at: scheduledAt,
    created_at: now,
    updated_at: now,
    provider: null,
    error: null,
  };
  return {
    plan: messagesPlan(principal, { messages: [message], campaign: null, price }, ctx.currency, now),
    result: { id: message.id, status: message.status },
  };
}
