import { AppError, type FieldError, notFound, validationError } from '../lib/errors.ts';
import { parseRfc3339 } from '../lib/time.ts';
import type { MessageFilter } from '../store/repos/messages.ts';
import type { Principal } from './auth.ts';
import type { ModuleContext } from './context.ts';
import { cancelScheduled } from './lifecycle.ts';
import { cursorError, checkCursor, page, pageSize } from './pagination.ts';
import { campaignDetailView, campaignView, messageEventView, messageView } from './views.ts';

export { MAX_PAGE } from './pagination.ts';

export interface MessageQuery {
  limit?: number;
  cursor?: string;
  channel?: string;
  status?: string;
  to?: string;
  campaign_id?: string;
  from?: string;
  until?: string;
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
  if (errors.length > 0) throw validationError(errors);
  if (q.channel !== undefined) filter.channel = q.channel;
  if (q.status !== undefined) filter.status = q.status;
  if (q.to !== undefined) filter.recipient = q.to;
  if (q.campaign_id !== undefined) filter.campaignId = q.campaign_id;
  const size = pageSize(q.limit);
  const rows = await ctx.store.messages.list(accountId, filter, size + 1);
  return page(rows, size, (m) => messageView(m, ctx.currency));
}

/**
 * Cancels a scheduled message (refunded). The key needs the send scope of the message's
 * channel; anything but a scheduled message answers 409.
 */
export async function cancelMessage(ctx: ModuleContext, principal: Principal, id: string) {
  const m = await ctx.store.messages.get(principal.accountId, id);
  if (!m) throw notFound('Message');
  const scope = m.channel === 'sms' ? 'sms:send' : 'email:send';
  if (!principal.scopes.has(scope)) throw new AppError('insufficient_scope', `This API key lacks the "${scope}" scope this endpoint needs`);
  if (!(await cancelScheduled(ctx.store, principal.accountId, id))) {
    throw new AppError('conflict', `Only a scheduled message can be canceled; this one is ${m.status}`);
  }
  return getMessage(ctx, principal.accountId, id);
}

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
