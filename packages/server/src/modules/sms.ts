import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError, type FieldError, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { formatMicros } from '../lib/money.ts';
import { analyzeSms } from '../lib/sms-encoding.ts';
import type { MessageRow } from '../store/repos/messages.ts';
import type { AcceptPlan } from './accept.ts';
import type { Principal } from './auth.ts';
import type { ModuleContext } from './context.ts';
import type { IdempotencyClaim } from './idempotency.ts';
import { PriceTable } from './pricing.ts';
import { normaliseSmsSender } from './sms-sender.ts';
import { scheduleOf } from './schedule.ts';

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

/** Parses an E.164 destination; null unless it is a valid number written with its "+". */
export function parseE164(text: string): string | null {
  if (!/^\+[1-9]\d{5,14}$/.test(text.trim())) return null;
  const phone = parsePhoneNumberFromString(text.trim());
  return phone?.isValid() ? phone.number : null;
}

/** Validates, prices and accepts an SMS (one recipient) or a campaign (several), atomically. */
export async function sendSms(
  ctx: ModuleContext,
  principal: Principal,
  input: SmsSendInput,
  claim: IdempotencyClaim | null,
): Promise<SmsSendResult> {
  const now = Date.now();
  const recipients = typeof input.to === 'string' ? [input.to] : input.to;
  const errors: FieldError[] = [];
  if (recipients.length === 0) errors.push({ field: 'to', message: 'must name at least one recipient' });
  if (recipients.length > SMS_MAX_RECIPIENTS) errors.push({ field: 'to', message: `at most ${SMS_MAX_RECIPIENTS} recipients` });
  const numbers: string[] = [];
  recipients.forEach((r, i) => {
    const e164 = parseE164(r);
    if (e164) numbers.push(e164);
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
  if (errors.length > 0) throw validationError(errors);

  if (!(await ctx.store.cache.anyApproved(principal.accountId, [{ kind: 'sms', value: sender! }]))) {
    throw new AppError('sender_not_approved', `The sender "${sender}" is not approved for this account`);
  }

  const { encoding, segments } = analyzeSms(input.message);
  const prices = await PriceTable.load(ctx.store, 'sms');
  const campaignId = numbers.length > 1 ? newId('cmp') : null;
  const status = scheduledAt === null ? 'queued' : 'scheduled';
  let total = 0;
  const rows: MessageRow[] = numbers.map((to) => {
    const rate = prices.rateFor(to);
    if (rate === null) throw new AppError('validation_failed', `No price is set for ${to}`, { errors: [{ field: 'to', message: `no price for ${to}` }] });
    const price = rate * segments;
    total += price;
    return {
      id: newId('msg'),
      account_id: principal.accountId,
      key_id: principal.keyId,
      campaign_id: campaignId,
      channel: 'sms',
      status,
      sender: sender!,
      recipient: to,
      subject: null,
      body: input.message,
      payload: null,
      segments,
      encoding,
      price_micros: price,
      sandbox: principal.test ? 1 : 0,
      reference: input.reference ?? null,
      scheduled_at: scheduledAt,
      created_at: now,
      updated_at: now,
      provider: null,
      error: null,
    };
  });

  const result: SmsSendResult = {
    campaign_id: campaignId,
    messages: rows.map((m) => ({
      id: m.id,
      to: m.recipient,
      status: m.status,
      segments,
      encoding,
      price: formatMicros(m.price_micros),
    })),
    total_price: formatMicros(total),
    currency: ctx.currency,
  };
  const plan: AcceptPlan = {
    principal,
    charge: principal.test ? 0 : total,
    reference: campaignId ?? rows[0]!.id,
    campaign: campaignId
      ? {
          id: campaignId,
          account_id: principal.accountId,
          key_id: principal.keyId,
          channel: 'sms',
          sender: sender!,
          body: input.message,
          total_count: rows.length,
          price_micros: total,
          sandbox: principal.test ? 1 : 0,
          reference: input.reference ?? null,
          scheduled_at: scheduledAt,
          created_at: now,
          final_count: 0,
        }
      : null,
    messages: rows,
    idempotency: claim ? { claim, status: 200, body: JSON.stringify(result) } : null,
  };
  await ctx.accepts.commit(plan, now);
  return result;
}
