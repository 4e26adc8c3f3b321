import { AppError, type FieldError, notFound, validationError } from '../../lib/errors.ts';
import { formatMicros } from '../../lib/money.ts';
import { messageIdOfSid, messageSid, rfc2822 } from '../../lib/twilio.ts';
import type { MessageFilter, MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import type { Charged } from '../accept/plan.ts';
import type { ModuleContext } from '../context.ts';
import { planSms } from '../messages/sms.ts';
import { parseE164 } from '../messages/sms-numbers.ts';
import { TWILIO_API_VERSION, twilioErrorCode, twilioStatus } from './twilio-status.ts';

/**
 * Twilio's Messages resource over Hellio's SMS (docs/compat-twilio.md): create, fetch and list
 * in Twilio's field names and formats. The HTTP layer maps the errors thrown here to Twilio's
 * codes (http/compat/twilio-errors.ts); validation errors name Twilio's parameters.
 */

const SENT_OR_LATER: ReadonlySet<string> = new Set(['sent', 'delivered', 'undelivered']);

/** A message as Twilio's Message resource. */
export function twilioMessageView(m: MessageRow, accountSid: string, currency: string) {
  const sid = messageSid(m.id)!;
  return {
    account_sid: accountSid,
    api_version: TWILIO_API_VERSION,
    body: m.body ?? '',
    date_created: rfc2822(m.created_at),
    // Hellio keeps the time of the last change; once sent, that is when it was sent or what came after.
    date_sent: SENT_OR_LATER.has(m.status) ? rfc2822(m.updated_at) : null,
    date_updated: rfc2822(m.updated_at),
    // Twilio's words: replies received on a number are `inbound`, what the API sent `outbound-api`.
    direction: m.direction === 'inbound' ? 'inbound' : 'outbound-api',
    error_code: twilioErrorCode(m.status),
    error_message: twilioErrorCode(m.status) === null ? null : m.error,
    from: m.sender,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(m.segments ?? 1),
    price: `-${formatMicros(m.price_micros)}`,
    price_unit: currency,
    sid,
    status: twilioStatus(m.status),
    subresource_uris: { media: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: m.recipient,
    uri: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
  };
}

/** A message in Twilio's fields. */
export type TwilioMessage = ReturnType<typeof twilioMessageView>;

/** The form Twilio's create takes (the fields Hellio reads; others are ignored, as Twilio's optional ones change nothing here). */
export interface TwilioCreateInput {
  To?: string;
  From?: string;
  Body?: string;
  StatusCallback?: string;
  MessagingServiceSid?: string;
}

/** A field error's message that says the parameter is missing (the error table tells missing from malformed). */
export const REQUIRED = 'is required';

/**
 * Plans an SMS from Twilio's form. `authToken` is the key the request came with: Twilio signs a
 * StatusCallback with the account's auth token, and here the key stands in for it, so it is kept
 * (sealed) with the callback until the message's last status is reported.
 */
export async function planTwilioMessage(
  ctx: ModuleContext,
  principal: Principal,
  input: TwilioCreateInput,
  authToken: string,
): Promise<Charged<TwilioMessage>> {
  const errors: FieldError[] = [];
  if (!input.To) errors.push({ field: 'To', message: REQUIRED });
  if (!input.From) errors.push({ field: 'From', message: input.MessagingServiceSid ? 'must be given: messaging services are not supported, name the sender' : REQUIRED });
  if (!input.Body) errors.push({ field: 'Body', message: REQUIRED });
  if (input.To && parseE164(input.To) === null) errors.push({ field: 'To', message: `"${input.To}" is not a valid phone number` });
  const callback = input.StatusCallback;
  if (callback !== undefined && callback !== '') {
    const reason = await callbackProblem(ctx, callback);
    if (reason) errors.push({ field: 'StatusCallback', message: reason });
  }
  if (errors.length > 0) throw validationError(errors);

  const { plan } = await planSms(ctx, principal, { from: input.From!, to: input.To!, message: input.Body! }).catch((err: unknown) => {
    throw renameFields(err);
  });
  const row = plan.rows.messages![0]! as MessageRow;
  if (callback) {
    const earlier = plan.write;
    plan.write = async (tx) => {
      await earlier?.(tx);
      await tx.messageCallbacks.insert({ message_id: row.id, account_id: row.account_id, kind: 'twilio', url: callback, token: authToken, mask: null, created_at: plan.at });
    };
  }
  return { plan, result: twilioMessageView(row, principal.twilioAccountSid!, ctx.currency) };
}

/** Why a callback URL cannot be called (scheme, or an address the SSRF guard refuses), or null. */
export async function callbackProblem(ctx: ModuleContext, url: string): Promise<string | null> {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  } catch {
    return 'must be an absolute URL';
  }
  const blocked = await ctx.webhookSender.checkTarget(url);
  return blocked ? `cannot be called: ${blocked}` : null;
}

const TWILIO_FIELD: Record<string, string> = { to: 'To', from: 'From', message: 'Body' };

// planSms names its own fields; the client sent Twilio's.
function renameFields(err: unknown): unknown {
  if (!(err instanceof AppError) || !err.errors) return err;
  return validationError(err.errors.map((e) => ({ field: TWILIO_FIELD[e.field] ?? e.field, message: e.message })));
}

/** The account's message of this SID; another account's, or a SID that is none, is "not found". */
export async function getTwilioMessage(ctx: ModuleContext, principal: Principal, sid: string): Promise<TwilioMessage> {
  const id = messageIdOfSid(sid);
  const m = id === null ? undefined : await ctx.store.messages.get(principal.accountId, id);
  if (!m || m.channel !== 'sms') throw notFound('Message');
  return twilioMessageView(m, principal.twilioAccountSid!, ctx.currency);
}

/** Twilio's list query: filters and its paging (PageSize, Page, PageToken). */
export interface TwilioListQuery {
  To?: string;
  From?: string;
  DateSent?: string;
  PageSize?: string;
  Page?: string;
  PageToken?: string;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const DAY_MS = 86_400_000;

/**
 * One page of the account's SMS, newest first, as Twilio pages them: `messages` and the paging
 * fields. The next page's URI carries `PageToken` = `PA` + the last message's SID (a cursor), and
 * the page number, which Twilio's clients show but do not need.
 */
export async function listTwilioMessages(ctx: ModuleContext, principal: Principal, q: TwilioListQuery) {
  const errors: FieldError[] = [];
  const filter: MessageFilter = { channel: 'sms' };
  const size = q.PageSize === undefined ? DEFAULT_PAGE_SIZE : Number(q.PageSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) errors.push({ field: 'PageSize', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  const pageNo = q.Page === undefined ? 0 : Number(q.Page);
  if (!Number.isInteger(pageNo) || pageNo < 0) errors.push({ field: 'Page', message: 'must be a whole number' });
  if (q.PageToken !== undefined) {
    const id = /^PA(SM[0-9a-f]{32})$/.exec(q.PageToken);
    const before = id ? messageIdOfSid(id[1]!) : null;
    if (before === null) errors.push({ field: 'PageToken', message: 'is not a page token this API returned' });
    else filter.before = before;
  }
  if (q.To !== undefined) {
    const to = parseE164(q.To);
    if (to === null) errors.push({ field: 'To', message: `"${q.To}" is not a valid phone number` });
    else filter.recipient = to;
  }
  if (q.From !== undefined) filter.sender = q.From;
  if (q.DateSent !== undefined) {
    // Twilio's clients send an ISO date-time; the day it names is the filter.
    const day = /^(\d{4}-\d{2}-\d{2})/.exec(q.DateSent);
    const start = day ? Date.parse(`${day[1]}T00:00:00Z`) : NaN;
    if (Number.isNaN(start)) errors.push({ field: 'DateSent', message: 'must be a date (YYYY-MM-DD)' });
    else Object.assign(filter, { createdFrom: start, createdUntil: start + DAY_MS });
  }
  if (errors.length > 0) throw validationError(errors);

  const sid = principal.twilioAccountSid!;
  const rows = await ctx.store.messages.list(principal.accountId, filter, size + 1);
  const shown = rows.slice(0, size);
  const base = `/${TWILIO_API_VERSION}/Accounts/${sid}/Messages.json`;
  const params = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const k of ['To', 'From', 'DateSent'] as const) if (q[k] !== undefined) p.set(k, q[k]!);
    p.set('PageSize', String(size));
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `${base}?${p.toString()}`;
  };
  const last = shown[shown.length - 1];
  return {
    messages: shown.map((m) => twilioMessageView(m, sid, ctx.currency)),
    end: pageNo * size + Math.max(shown.length - 1, 0),
    first_page_uri: params({ Page: '0' }),
    next_page_uri: rows.length > size && last ? params({ Page: String(pageNo + 1), PageToken: `PA${messageSid(last.id)}` }) : null,
    page: pageNo,
    page_size: size,
    previous_page_uri: null,
    start: pageNo * size,
    uri: params(q.PageToken !== undefined ? { Page: String(pageNo), PageToken: q.PageToken } : { Page: String(pageNo) }),
  };
}
