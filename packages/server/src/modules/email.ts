import { AppError, type FieldError, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { type Mailbox, parseMailbox } from '../lib/email-address.ts';
import type { MessageRow } from '../store/repos/messages.ts';
import type { Principal } from './auth.ts';
import type { ModuleContext } from './context.ts';
import type { IdempotencyClaim } from './idempotency.ts';
import { PriceTable } from './pricing.ts';
import { scheduleOf } from './schedule.ts';
import { emailSenderApproved } from './senders.ts';

export const EMAIL_MAX_RECIPIENTS = 50;

export interface EmailAttachment {
  filename: string;
  content: string;
  content_type?: string;
}

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

/** What the delivery engine needs to build the MIME message, kept as the message's payload. */
export interface EmailPayload {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: EmailAttachment[];
  tags: Array<{ name: string; value: string }>;
}

// Headers the platform writes itself; letting a caller set them would forge or break the message.
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'reply-to', 'date', 'message-id', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'mime-version', 'return-path', 'sender']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,76}$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

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

/** "Name <addr>", quoting the name when it holds RFC 5322 specials ("Lovelace, Ada"). */
export function display(mb: Mailbox): string {
  if (!mb.name) return mb.address;
  const name = /[()<>[\]:;@\\,."]/.test(mb.name) ? `"${mb.name.replace(/["\\]/g, '\\$&')}"` : mb.name;
  return `${name} <${mb.address}>`;
}

/** Validates, prices (per recipient) and accepts one email, atomically. */
export async function sendEmail(
  ctx: ModuleContext,
  principal: Principal,
  input: EmailSendInput,
  claim: IdempotencyClaim | null,
): Promise<{ id: string; status: string }> {
  const now = Date.now();
  const errors: FieldError[] = [];
  const from = parseMailbox(input.from);
  if (!from) errors.push({ field: 'from', message: 'must be an email address ("a@example.com" or "Name <a@example.com>")' });
  const to = mailboxes('to', list(input.to), errors);
  if (list(input.to).length === 0) errors.push({ field: 'to', message: 'must name at least one recipient' });
  const cc = mailboxes('cc', list(input.cc), errors);
  const bcc = mailboxes('bcc', list(input.bcc), errors);
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
  });
  const scheduledAt = scheduleOf(input.scheduled_at, now, errors);
  if (errors.length > 0) throw validationError(errors);

  if (!(await emailSenderApproved(ctx.store, principal.accountId, from!.address, from!.domain))) {
    throw new AppError(
      'sender_not_approved',
      `The sender ${from!.address} is not approved: verify the domain ${from!.domain} or approve the address`,
    );
  }

  const rate = (await PriceTable.load(ctx.store, 'email')).rateFor('');
  if (rate === null) throw new AppError('internal_error', 'No email price is configured');
  const price = rate * (to.length + cc.length + bcc.length);
  const payload: EmailPayload = {
    from: display(from!),
    to: to.map(display),
    cc: cc.map(display),
    bcc: bcc.map(display),
    reply_to: replyTo.map(display),
    subject: input.subject,
    html: input.html ?? null,
    text: input.text ?? null,
    headers: input.headers ?? {},
    attachments: input.attachments ?? [],
    tags: input.tags ?? [],
  };
  const row: MessageRow = {
    id: newId('msg'),
    account_id: principal.accountId,
    key_id: principal.keyId,
    campaign_id: null,
    channel: 'email',
    status: scheduledAt === null ? 'queued' : 'scheduled',
    sender: from!.address,
    recipient: to[0]!.address,
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
  const result = { id: row.id, status: row.status };
  await ctx.accepts.commit(
    {
      principal,
      charge: principal.test ? 0 : price,
      reference: row.id,
      campaign: null,
      messages: [row],
      idempotency: claim ? { claim, status: 200, body: JSON.stringify(result) } : null,
    },
    now,
  );
  return result;
}
