/**
 * Resend's request and answer shapes ⇄ Hellio's email module: field names, schedules in words,
 * attachments, statuses. Only shapes: every rule stays in modules/messages.
 */
import { type FieldError, validationError } from '../lib/errors.ts';
import { parseNaturalTime } from '../lib/natural-time.ts';
import { rfc3339 } from '../lib/time.ts';
import type { PathAttachment } from '../modules/messages/attachment-paths.ts';
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

/** Fetches one attachment given by URL (modules/messages/attachment-paths.ts), `field` naming it in errors. */
export type FetchAttachment = (a: PathAttachment, field: string) => Promise<EmailAttachment>;

/**
 * Resend's attachments as the email module's: content as base64. One with a `path` is fetched
 * now, behind the SSRF guard, so that what is queued is the file itself.
 */
async function attachmentsOf(list: ResendAttachment[], fetchPath: FetchAttachment, errors: FieldError[]): Promise<EmailAttachment[]> {
  const out: EmailAttachment[] = [];
  for (const [i, a] of list.entries()) {
    const at = `attachments[${i}]`;
    if (a.path !== undefined && a.content !== undefined) {
      errors.push({ field: at, message: 'takes content or path, not both' });
      continue;
    }
    if (a.path !== undefined) {
      const { path, filename, content_type, content_id } = a;
      // One at a time: the files share one byte budget and one time limit.
      if (errors.length === 0) out.push(await fetchPath({ path, ...(filename ? { filename } : {}), ...(content_type ? { content_type } : {}), ...(content_id ? { content_id } : {}) }, at));
      continue;
    }
    if (a.content === undefined) errors.push({ field: `${at}.content`, message: 'is required' });
    if (a.filename === undefined) errors.push({ field: `${at}.filename`, message: 'is required' });
    if (a.content === undefined || a.filename === undefined) continue;
    const content = typeof a.content === 'string' ? a.content : Buffer.from(a.content).toString('base64');
    out.push({ filename: a.filename, content, ...(a.content_type ? { content_type: a.content_type } : {}), ...(a.content_id ? { content_id: a.content_id } : {}) });
  }
  return out;
}

/** A Resend email as the input of POST /send (modules/messages/email.ts), its attachments by URL fetched. */
export async function emailInputOf(body: ResendEmailInput, now: number, fetchPath: FetchAttachment): Promise<EmailSendInput> {
  const { attachments, scheduled_at, ...same } = body;
  const errors: FieldError[] = [];
  const input: EmailSendInput = { ...same };
  if (attachments !== undefined) input.attachments = await attachmentsOf(attachments, fetchPath, errors);
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
