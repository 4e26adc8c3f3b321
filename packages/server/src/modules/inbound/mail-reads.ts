import { type FieldError, notFound, validationError } from '../../lib/errors.ts';
import type { InboundAttachmentRow } from '../../store/repos/inbound-emails.ts';
import { parseRange } from '../date-range.ts';
import type { Deps } from '../deps.ts';
import { cursorError, page, pageSize } from '../pagination.ts';
import { inboundEmailView } from './mail-views.ts';

/** The query of GET /emails/inbound. */
export interface InboundEmailQuery {
  limit?: number;
  cursor?: string;
  from?: string;
  until?: string;
}

/** An account's received emails, newest first. */
export async function listInboundEmails(deps: Deps, accountId: string, q: InboundEmailQuery) {
  const errors: FieldError[] = [];
  const cursor = cursorError('inm', q.cursor);
  if (cursor) errors.push(cursor);
  if (errors.length) throw validationError(errors);
  const range = parseRange({ from: q.from, to: q.until });
  const size = pageSize(q.limit);
  const rows = await deps.store.inboundEmails.list(
    accountId,
    {
      ...(q.cursor !== undefined ? { before: q.cursor } : {}),
      ...(range.from !== undefined ? { createdFrom: range.from } : {}),
      ...(range.to !== undefined ? { createdUntil: range.to } : {}),
    },
    size + 1,
  );
  const attachments = await deps.store.inboundEmails.attachmentsOf(rows.slice(0, size).map((r) => r.id));
  return page(rows, size, (r) => inboundEmailView(r, attachments));
}

/** One received email of the account. */
export async function getInboundEmail(deps: Deps, accountId: string, id: string) {
  const row = await deps.store.inboundEmails.get(accountId, id);
  if (!row) throw notFound('Inbound email');
  return inboundEmailView(row, await deps.store.inboundEmails.attachmentsOf([id]));
}

/** The n-th attachment (from 1) of one of the account's received emails, with its bytes. */
export async function inboundAttachment(deps: Deps, accountId: string, id: string, n: string): Promise<InboundAttachmentRow & { bytes: Buffer }> {
  const row = await deps.store.inboundEmails.get(accountId, id);
  if (!row) throw notFound('Inbound email');
  // Any other text names no attachment: a 404 like a number past the last.
  const a = /^[1-9][0-9]{0,5}$/.test(n) ? await deps.store.inboundEmails.attachment(id, Number(n)) : undefined;
  if (!a) throw notFound('Attachment');
  return { ...a, bytes: Buffer.from(a.content, 'base64') };
}
