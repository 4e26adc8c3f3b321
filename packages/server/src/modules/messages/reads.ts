import { type FieldError, notFound, validationError } from '../../lib/errors.ts';
import { parseRfc3339 } from '../../lib/time.ts';
import { parseMailbox } from '../../lib/email-address.ts';
import type { MessageFilter } from '../../store/repos/messages.ts';
import type { ModuleContext } from '../context.ts';
import { cursorError, checkCursor, page, pageSize } from '../pagination.ts';
import { parseE164 } from './sms-numbers.ts';
import { normaliseRecipient as normaliseSuppressed } from '../suppressions/suppressions.ts';
import { campaignDetailView, campaignView, messageEventView, messageView } from './views.ts';


export interface MessageQuery {
  limit?: number;
  cursor?: string;
  channel?: string;
  status?: string;
  to?: string;
  /** Like `to`, but normalised first (E.164 for a number, lower case for an address). */
  recipient?: string;
  campaign_id?: string;
  from?: string;
  until?: string;
  direction?: 'outbound' | 'inbound';
  /** A phone number: the SMS sent to it and received from it, together. */
  conversation?: string;
}

/**
 * A recipient as messages store it: an email address in lower case, a number in E.164 — typed
 * with spaces, dashes, dots or brackets, or with its "+" lost to a query string's decoding. Null
 * when it is neither.
 */
export function normaliseRecipient(text: string): string | null {
  const t = text.trim();
  if (t.includes('@')) {
    const mb = parseMailbox(t);
    return mb && mb.name === null ? mb.address.toLowerCase() : null;
  }
  const compact = t.replace(/[\s().-]/g, '');
  return parseE164(/^\d+$/.test(compact) ? `+${compact}` : compact);
}

export async function listMessages(ctx: ModuleContext, accountId: string, q: MessageQuery) {
  const errors: FieldError[] = [];
  const filter: MessageFilter = {};
  const badCursor = cursorError('msg', q.cursor);
  if (badCursor) errors.push(badCursor);
  else if (q.cursor !== undefined) filter.before = q.cursor;
  for (const [field, key] of [['from', 'createdFrom'], ['until', 'createdUntil']] as const) {
    const raw = q[field];
    if (raw === undefined) continue;
    const ms = parseRfc3339(raw);
    if (ms === null) errors.push({ field, message: 'must be an RFC 3339 timestamp' });
    else filter[key] = ms;
  }
  if (q.recipient !== undefined) {
    const recipient = normaliseRecipient(q.recipient);
    if (recipient === null) errors.push({ field: 'recipient', message: 'must be an E.164 number or an email address' });
    else filter.recipient = recipient;
    if (q.to !== undefined) errors.push({ field: 'recipient', message: 'give to or recipient, not both' });
  }
  if (q.conversation !== undefined) {
    // Any number a network handed over (inbound senders need not be numbers libphonenumber knows).
    // A "+" lost to query-string decoding (an unencoded +44… reads as " 44…") is forgiven.
    const compact = q.conversation.trim();
    const other = normaliseSuppressed('sms', /^\d+$/.test(compact) ? `+${compact}` : compact);
    if (other === null) errors.push({ field: 'conversation', message: 'must be an E.164 number' });
    else filter.conversation = other;
  }
  if (errors.length > 0) throw validationError(errors);
  if (q.direction !== undefined) filter.direction = q.direction;
  if (q.channel !== undefined) filter.channel = q.channel;
  if (q.status !== undefined) filter.status = q.status;
  if (q.to !== undefined && q.recipient === undefined) filter.recipient = q.to;
  if (q.campaign_id !== undefined) filter.campaignId = q.campaign_id;
  const size = pageSize(q.limit);
  const rows = await ctx.store.messages.list(accountId, filter, size + 1);
  return page(rows, size, (m) => messageView(m, ctx.currency));
}

/** A message of the account with its timeline; another account's id is "not found", exactly like a missing one. */
export async function getMessage(ctx: ModuleContext, accountId: string, id: string) {
  const m = await ctx.store.messages.get(accountId, id);
  if (!m) throw notFound('Message');
  const events = await ctx.store.messages.events(m.id);
  return { ...messageView(m, ctx.currency), events: events.map(messageEventView) };
}

export async function listCampaigns(ctx: ModuleContext, accountId: string, q: { limit?: number; cursor?: string }) {
  checkCursor('cmp', q.cursor);
  const size = pageSize(q.limit);
  const rows = await ctx.store.campaigns.list(accountId, q.cursor, size + 1);
  return page(rows, size, (c) => campaignView(c, ctx.currency));
}

export async function getCampaign(ctx: ModuleContext, accountId: string, id: string) {
  const c = await ctx.store.campaigns.get(accountId, id);
  if (!c) throw notFound('Campaign');
  return campaignDetailView(ctx.store, c, ctx.currency);
}
