import { AppError, type FieldError, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { formatMicros } from '../../lib/money.ts';
import { analyzeSms } from '../../lib/sms-encoding.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import type { Charged } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import type { ModuleContext } from '../context.ts';
import { assertNotSuppressed, suppressedAmong } from '../suppressions/suppressions.ts';
import { messagesPlan } from './plan.ts';
import { scheduleOf } from './schedule.ts';
import { BINARY_SMS_OCTETS, type SmsExtras, smsPayloadOf } from './sms-payload.ts';
import { normaliseSmsSender, parseE164 } from './sms-numbers.ts';

export const SMS_MAX_RECIPIENTS = 10_000;
export const SMS_MAX_LENGTH = 1600;

export interface SmsSendInput {
  from: string;
  to: string | string[];
  message: string;
  scheduled_at?: string;
  reference?: string;
}

export interface SmsSendResult {
  campaign_id: string | null;
  messages: Array<{ id: string; to: string; status: string; segments: number; encoding: string; price: string }>;
  total_price: string;
  currency: string;
}

/**
 * Validates and prices an SMS (one recipient) or a campaign (several): price = segments × the
 * destination's rate, for each distinct recipient (duplicates, once in E.164, are dropped: the
 * first occurrence keeps its place). Answers the plan that accepts it atomically. `extras` (the
 * compatibility APIs: Kannel's 8-bit data and validity) go into each message's payload.
 */
export async function planSms(ctx: ModuleContext, principal: Principal, input: SmsSendInput, extras: SmsExtras = {}): Promise<Charged<SmsSendResult>> {
  const now = ctx.clock.now();
  const recipients = typeof input.to === 'string' ? [input.to] : input.to;
  const errors: FieldError[] = [];
  if (recipients.length === 0) errors.push({ field: 'to', message: 'must name at least one recipient' });
  if (recipients.length > SMS_MAX_RECIPIENTS) errors.push({ field: 'to', message: `at most ${SMS_MAX_RECIPIENTS} recipients` });
  // A number given twice (however written: E.164 is its one form) is sent, and charged, once.
  const numbers = new Set<string>();
  recipients.forEach((r, i) => {
    const e164 = parseE164(r);
    if (e164) numbers.add(e164);
    else if (errors.length < 20) {
      errors.push({ field: typeof input.to === 'string' ? 'to' : `to[${i}]`, message: 'must be a valid E.164 number such as +14155550123' });
    }
  });
  if (input.message.length === 0) errors.push({ field: 'message', message: 'must not be empty' });
  if (input.message.length > SMS_MAX_LENGTH) errors.push({ field: 'message', message: `at most ${SMS_MAX_LENGTH} characters` });
  const sender = normaliseSmsSender(input.from);
  if (!sender) {
    errors.push({ field: 'from', message: 'must be an alphanumeric sender id (1–11 characters), a short code or an E.164 number' });
  }
  const scheduledAt = scheduleOf(input.scheduled_at, now, errors);
  const octets = extras.binary ? extras.binary.udh.length + extras.binary.data.length : 0;
  if (octets > BINARY_SMS_OCTETS) errors.push({ field: 'message', message: `8-bit data must fit one part: at most ${BINARY_SMS_OCTETS} octets with the UDH (${octets} given)` });
  if (errors.length > 0 || !sender) throw validationError(errors);

  if (!(await ctx.store.cache.anyApproved(principal.accountId, [{ kind: 'sms', value: sender }]))) {
    throw new AppError('sender_not_approved', `The sender "${sender}" is not approved for this account`);
  }

  // One recipient on the list: refused. In a campaign it stays, as a message never sent nor
  // charged (status `suppressed`), so the campaign's counts show who was skipped and why.
  if (numbers.size === 1) await assertNotSuppressed(ctx.store, principal.accountId, 'sms', [...numbers]);
  const suppressed = numbers.size > 1 ? await suppressedAmong(ctx.store, principal.accountId, 'sms', [...numbers]) : new Set<string>();

  // 8-bit data is one part (checked above), its octets as they are.
  const { encoding, segments } = extras.binary ? { encoding: 'binary', segments: 1 } : analyzeSms(input.message);
  const validUntil = extras.validityMs !== undefined ? (scheduledAt ?? now) + extras.validityMs : undefined;
  const payload = smsPayloadOf({ ...(extras.binary ? { binary: extras.binary } : {}), ...(validUntil !== undefined ? { validUntil } : {}) });
  const prices = await PriceTable.load(ctx.store, 'sms');
  const campaignId = numbers.size > 1 ? newId('cmp') : null;
  const status = scheduledAt === null ? 'queued' : 'scheduled';
  const sandbox = principal.test ? 1 : 0;
  const reference = input.reference ?? null;
  let total = 0;
  const messages: MessageRow[] = [...numbers].map((to) => {
    const skipped = suppressed.has(to);
    const price = skipped ? 0 : prices.priceOf(to, 'to') * segments;
    total += price;
    return {
      id: newId('msg'),
      account_id: principal.accountId,
      key_id: principal.keyId,
      campaign_id: campaignId,
      channel: 'sms',
      status: skipped ? 'suppressed' : status,
      sender,
      recipient: to,
      subject: null,
      body: input.message,
      payload,
      segments,
      encoding,
      price_micros: price,
      sandbox,
      reference,
      scheduled_at: scheduledAt,
      created_at: now,
      updated_at: now,
      provider: null,
      error: null,
    };
  });
  const campaign = campaignId
    ? {
        id: campaignId,
        account_id: principal.accountId,
        key_id: principal.keyId,
        channel: 'sms',
        sender,
        body: input.message,
        total_count: messages.length,
        price_micros: total,
        sandbox,
        reference,
        scheduled_at: scheduledAt,
        created_at: now,
        // Suppressed recipients are final from the start.
        final_count: suppressed.size,
      }
    : null;

  return {
    plan: messagesPlan(principal, { messages, campaign, price: total }, ctx.currency, now),
    result: {
      campaign_id: campaignId,
      messages: messages.map((m) => ({ id: m.id, to: m.recipient, status: m.status, segments, encoding, price: formatMicros(m.price_micros) })),
      total_price: formatMicros(total),
      currency: ctx.currency,
    },
  };
}
