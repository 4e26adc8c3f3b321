/**
 * Resend's request and answer shapes ⇄ Hellio's email module: field names, schedules in words,
 * attachments, statuses. Only shapes: every rule stays in modules/messages.
 */
import { type FieldError, validationError } from '../lib/errors.ts';
import { parseNaturalTime } from '../lib/natural-time.ts';
import { rfc3339 } from '../lib/time.ts';
import type { EmailAttachment } from '../modules/messages/email-payload.ts';
import type { EmailSendInput } from '../modules/messages/email.ts';
import type { EmailView } from '../modules/messages/email-reads.ts';

/** One attachment as Resend takes it. */
export interface ResendAttachment {
  filename?: string;
  content?: string | number[];
  path?: string;
  content_type?: string;
  content_id?: string;
}

/** One email as Resend takes it (POST /emails, and each item of POST /emails/batch). */
export interface ResendEmailInput extends Omit<EmailSendInput, 'attachments'> {
  attachments?: ResendAttachment[];
}

/**
 * A schedule as Resend takes it: an ISO 8601 timestamp, or words ("in 1 min", "tomorrow at
 * 9am", lib/natural-time.ts), which become a timestamp here; the module judges the time.
 */
export function scheduleText(value: string, now: number): string {
  const at = parseNaturalTime(value, now);
  return at === null ? value : rfc3339(at);
}

/**
 * Resend's attachments as the email module's: content as base64. A `path` (a URL for the server to
 * fetch) is refused: fetching what a request names is a way into private networks, and the
 * client can read the file and send its content instead.
 */
function attachmentsOf(list: ResendAttachment[], errors: FieldError[]): EmailAttachment[] {
  return list.flatMap((a, i): EmailAttachment[] => {
    const at = `attachments[${i}]`;
    if (a.path !== undefined) {
      errors.push({ field: `${at}.path`, message: 'is not supported here: send the file itself as `content` (base64)' });
      return [];
    }
    if (a.content === undefined) errors.push({ field: `${at}.content`, message: 'is required' });
    if (a.filename === undefined) errors.push({ field: `${at}.filename`, message: 'is required' });
    if (a.content === undefined || a.filename === undefined) return [];
    const content = typeof a.content === 'string' ? a.content : Buffer.from(a.content).toString('base64');
    return [{ filename: a.filename, content, ...(a.content_type ? { content_type: a.content_type } : {}), ...(a.content_id ? { content_id: a.content_id } : {}) }];
  });
}

/** A Resend email as the input of POST /send (modules/messages/email.ts). */
export function emailInputOf(body: ResendEmailInput, now: number): EmailSendInput {
  const { attachments, scheduled_at, ...same } = body;
  const errors: FieldError[] = [];
  const input: EmailSendInput = { ...same };
  if (attachments !== undefined) input.attachments = attachmentsOf(attachments, errors);
  if (errors.length > 0) throw validationError(errors);
  if (scheduled_at !== undefined) input.scheduled_at = scheduleText(scheduled_at, now);
  return input;
}

/**
 * Hellio's statuses as Resend's `last_event`: sending is still queued for Resend, and a message
 * that never got its delivery confirmed has failed.
 */
const LAST_EVENT: Record<string, string> = {
  scheduled: 'scheduled',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  failed: 'failed',
  undelivered: 'failed',
  bounced: 'bounced',
  canceled: 'canceled',
};

const orNull = (list: string[]) => (list.length > 0 ? list : null);

/** An email as Resend lists it. */
export function resendListed(e: EmailView) {
  return {
    id: e.id,
    from: e.from,
    to: e.to,
    cc: orNull(e.cc),
    bcc: orNull(e.bcc),
    reply_to: orNull(e.reply_to),
    subject: e.subject,
    last_event: LAST_EVENT[e.status] ?? e.status,
    scheduled_at: e.scheduled_at,
    created_at: e.created_at,
  };
}

/** An email as Resend retrieves it. */
export function resendEmail(e: EmailView) {
  return { object: 'email', ...resendListed(e), html: e.html, text: e.text, tags: e.tags };
}
