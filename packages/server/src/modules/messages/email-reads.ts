import { notFound, validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { ModuleContext } from '../context.ts';
import { cursorError, type Page, page, pageSize } from '../pagination.ts';
import type { EmailPayload } from './email-payload.ts';

/** An email with what it was sent with (addresses, bodies, tags): what an email API shows of one. */
export interface EmailView extends Pick<EmailPayload, 'from' | 'to' | 'cc' | 'bcc' | 'reply_to' | 'subject' | 'html' | 'text' | 'tags'> {
  id: string;
  status: string;
  scheduled_at: string | null;
  created_at: string;
}

/** The view of an email row; a payload redacted by retention leaves the addresses it still knows. */
function emailView(m: MessageRow): EmailView {
  const p = m.payload ? (JSON.parse(m.payload) as EmailPayload) : null;
  return {
    id: m.id,
    status: m.status,
    from: p?.from ?? m.sender,
    to: p?.to ?? [m.recipient],
    cc: p?.cc ?? [],
    bcc: p?.bcc ?? [],
    reply_to: p?.reply_to ?? [],
    subject: m.subject ?? '',
    html: p?.html ?? null,
    text: p?.text ?? m.body,
    tags: p?.tags ?? [],
    scheduled_at: rfc3339(m.scheduled_at),
    created_at: rfc3339(m.created_at),
  };
}

/** An email of the account; another account's id, or an SMS's, is "not found" like a missing one. */
export async function getEmail(ctx: ModuleContext, accountId: string, id: string): Promise<EmailView> {
  const m = await ctx.store.messages.get(accountId, id);
  if (!m || m.channel !== 'email') throw notFound('Email');
  return emailView(m);
}

/** The account's emails, newest first; `after` is the last id of the previous page. */
export async function listEmails(ctx: ModuleContext, accountId: string, q: { limit?: number; after?: string }): Promise<Page<EmailView>> {
  const bad = cursorError('msg', q.after);
  if (bad) throw validationError([{ ...bad, field: 'after' }]);
  const size = pageSize(q.limit);
  const rows = await ctx.store.messages.list(accountId, { channel: 'email', ...(q.after !== undefined ? { before: q.after } : {}) }, size + 1);
  return page(rows, size, emailView);
}
