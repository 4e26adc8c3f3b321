import { AppError, type FieldError, validationError } from '../../lib/errors.ts';
import { formatMailbox, parseMailbox } from '../../lib/email-address.ts';
import { newId } from '../../lib/ids.ts';
import { formatMicros } from '../../lib/money.ts';
import { analyzeSms } from '../../lib/sms-encoding.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { OtpRow } from '../../store/repos/otp.ts';
import type { Principal } from '../access/auth.ts';
import type { Charged, ChargePlan } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import type { ModuleContext } from '../context.ts';
import type { EmailPayload } from '../messages/email-payload.ts';
import { messagesPlan } from '../messages/plan.ts';
import { emailSenderApproved } from '../messages/senders.ts';
import { SMS_MAX_LENGTH } from '../messages/sms.ts';
import { normaliseSmsSender, parseE164 } from '../messages/sms-numbers.ts';
import {
  CODE_PLACEHOLDER,
  defaultEmailTemplate,
  DEFAULT_SMS_TEMPLATE,
  EMAIL_SUBJECT,
  newCode,
  OTP_DEFAULT_EXPIRES_IN,
  OTP_DEFAULT_LENGTH,
  OTP_TEMPLATE_MAX_LENGTH,
  redact,
  render,
} from './codes.ts';
import { enforceCountry, enforcePrefixOpen, enforceSendLimit, pumpingPrefix, retrySeconds, tripPumpingDefence } from './defences.ts';
import { SEALED_FIELD } from './sealed-message.ts';
import { parseCallerId, VOICE_LIMITS } from '../voice/input.ts';
import { callPlan, newCallRow } from '../voice/send.ts';
import type { CallRow } from '../../store/repos/calls.ts';
import { OTP_MAX_SENDS } from './settings.ts';
import { otpView, type OtpView } from './view.ts';
import { assertNotSuppressed } from '../suppressions/suppressions.ts';

export type OtpChannel = 'sms' | 'voice' | 'email';

/** What an OTP call says (twice), unless the request gives a template. */
export const DEFAULT_VOICE_TEMPLATE = 'Your verification code is {code}.';

/** An OTP call's time limit: its hold is one minute's rate; the code twice takes well under a minute. */
const OTP_CALL_TIME_LIMIT = 60;

/** The code's digits spaced, so every text-to-speech engine reads them one by one. */
function spaceDigits(text: string): string {
  return text.replace(/\d+/g, (run) => run.split('').join(' '));
}

export interface OtpSendInput {
  to: string;
  channel?: OtpChannel;
  length?: number;
  expires_in?: number;
  template?: string;
  sender?: string;
}

export type OtpSendResult = OtpView & { price: string; currency: string };

interface Destination {
  channel: OtpChannel;
  recipient: string;
  /** The SMS sender, the email From address, or a call's caller id ("" for the trunk's own). */
  sender: string;
  /** The From: header of an email, display name included. */
  fromHeader: string | null;
  /** Null when the operator's default sender is used (not subject to approval). */
  requestedSender: string | null;
}

/** The destination of a verification as stored and matched: E.164, or a lower-cased address. */
export function normaliseDestination(to: string): string | null {
  if (to.includes('@')) return parseMailbox(to)?.address.toLowerCase() ?? null;
  return parseE164(to);
}

function validate(ctx: ModuleContext, input: OtpSendInput, channel: OtpChannel): Destination {
  const s = ctx.otp.settings;
  const errors: FieldError[] = [];
  const length = input.length ?? OTP_DEFAULT_LENGTH;
  if (input.template !== undefined) {
    if (!input.template.includes(CODE_PLACEHOLDER)) errors.push({ field: 'template', message: 'must contain {code}, where the code goes' });
    if (input.template.length > OTP_TEMPLATE_MAX_LENGTH) errors.push({ field: 'template', message: `at most ${OTP_TEMPLATE_MAX_LENGTH} characters` });
    else if (channel === 'sms' && render(input.template, '0'.repeat(length)).length > SMS_MAX_LENGTH) {
      errors.push({ field: 'template', message: `the text with its code must be at most ${SMS_MAX_LENGTH} characters` });
    }
  }
  let recipient: string | null;
  let sender: string | null;
  let fromHeader: string | null = null;
  if (channel === 'sms') {
    recipient = parseE164(input.to);
    if (!recipient) errors.push({ field: 'to', message: 'must be a valid E.164 number such as +14155550123' });
    sender = input.sender === undefined ? s.smsFrom : normaliseSmsSender(input.sender);
    if (!sender) errors.push({ field: 'sender', message: 'must be an alphanumeric sender id (1–11 characters), a short code or an E.164 number' });
  } else if (channel === 'voice') {
    recipient = parseE164(input.to);
    if (!recipient) errors.push({ field: 'to', message: 'must be a valid E.164 number such as +14155550123' });
    sender = input.sender === undefined ? '' : parseCallerId(input.sender);
    if (sender === null) errors.push({ field: 'sender', message: 'must be a caller id in E.164 format (an approved sender number)' });
  } else {
    const mb = parseMailbox(input.to);
    recipient = mb ? mb.address.toLowerCase() : null;
    if (!recipient) errors.push({ field: 'to', message: 'must be an email address for the email channel' });
    const from = input.sender ?? s.emailFrom;
    const fromBox = from === null ? null : parseMailbox(from);
    sender = fromBox?.address ?? null;
    fromHeader = fromBox ? formatMailbox(fromBox) : null;
    if (from === null) errors.push({ field: 'sender', message: 'is required for email: an approved address (no default sender is configured)' });
    else if (!sender) errors.push({ field: 'sender', message: 'must be an email address' });
  }
  if (errors.length > 0) throw validationError(errors);
  return { channel, recipient: recipient!, sender: sender!, fromHeader, requestedSender: input.sender === undefined ? null : sender! };
}

async function enforceSender(ctx: ModuleContext, accountId: string, d: Destination): Promise<void> {
  if (d.requestedSender === null) return;
  const approved =
    d.channel !== 'email'
      ? await ctx.store.cache.anyApproved(accountId, [{ kind: 'sms', value: d.requestedSender }])
      : await emailSenderApproved(ctx.store, accountId, d.requestedSender, d.requestedSender.split('@')[1]!.toLowerCase());
  if (!approved) throw new AppError('sender_not_approved', `The sender "${d.requestedSender}" is not approved for this account`);
}

/**
 * A code to send (POST /otp/send), planned. A destination has at most one pending verification: a
 * send while one is pending is a resend of it — same id, a new code, the expiry restarted —
 * allowed once the cooldown since the last send has passed and up to OTP_MAX_SENDS sends in all.
 * The message is priced and charged like any other of its channel, in the transaction that
 * records the code (the plan's guarded `write`).
 */
export async function planOtpSend(ctx: ModuleContext, principal: Principal, input: OtpSendInput, meta: { clientIp: string }): Promise<Charged<OtpSendResult>> {
  const { store, otp } = ctx;
  const channel = input.channel ?? 'sms';
  const d = validate(ctx, input, channel);
  const phone = d.channel !== 'email';
  const length = input.length ?? OTP_DEFAULT_LENGTH;
  const expiresIn = input.expires_in ?? OTP_DEFAULT_EXPIRES_IN;
  const accountId = principal.accountId;
  await enforceSender(ctx, accountId, d);
  // A code by voice goes to a number too: the number list (the `sms` channel) covers it.
  await assertNotSuppressed(store, accountId, d.channel === 'email' ? 'email' : 'sms', [d.recipient]);
  if (phone) await enforceCountry(store, accountId, d.recipient);
  await enforceSendLimit(otp, 'ip', accountId, meta.clientIp);

  let now = ctx.clock.now();
  const prefix = phone ? pumpingPrefix(d.recipient, otp.settings.pumping.prefixDigits) : null;
  const watched = prefix !== null && !principal.test;
  const countSince = watched ? await enforcePrefixOpen(store, otp, accountId, prefix, now) : now;

  const pending = await store.otp.pendingFor(accountId, d.recipient);
  const current = pending && pending.expires_at > now ? pending : null;
  if (current) {
    const wait = current.last_sent_at + otp.settings.resendCooldownSeconds * 1000 - now;
    if (wait > 0) {
      throw new AppError('otp_cooldown', `A code was sent to ${d.recipient} moments ago; a new one can be sent in ${retrySeconds(wait)} s`, {
        headers: { 'retry-after': String(retrySeconds(wait)) },
      });
    }
    if (current.sends >= OTP_MAX_SENDS) {
      throw new AppError(
        'otp_max_sends',
        `Verification ${current.id} has been sent ${OTP_MAX_SENDS} times, the most allowed; a new one can start when it expires at ${new Date(current.expires_at).toISOString()}`,
        { headers: { 'retry-after': String(retrySeconds(current.expires_at - now)) } },
      );
    }
  }
  await enforceSendLimit(otp, 'destination', accountId, d.recipient);
  if (watched) await tripPumpingDefence(store, otp, accountId, prefix, countSince, now);

  now = ctx.clock.now();
  const otpId = current?.id ?? newId('otp');
  const messageId = newId(d.channel === 'voice' ? 'call' : 'msg');
  const code = newCode(length);
  const template = input.template ?? (d.channel === 'sms' ? DEFAULT_SMS_TEMPLATE : d.channel === 'voice' ? DEFAULT_VOICE_TEMPLATE : defaultEmailTemplate(expiresIn));
  const text = render(template, code);
  const shown = redact(template, length);
  const sealed = { otp_id: otpId, [SEALED_FIELD]: otp.keys.seal(text, messageId) };

  let price: number;
  let message: MessageRow | null = null;
  let call: CallRow | null = null;
  const base = {
    id: messageId,
    account_id: accountId,
    key_id: principal.keyId,
    campaign_id: null,
    status: 'queued',
    sender: d.sender,
    recipient: d.recipient,
    sandbox: principal.test ? 1 : 0,
    reference: otpId,
    scheduled_at: null,
    created_at: now,
    updated_at: now,
    provider: null,
    error: null,
  };
  if (d.channel === 'sms') {
    const { encoding, segments } = analyzeSms(text);
    price = (await PriceTable.load(store, 'sms')).priceOf(d.recipient, 'to') * segments;
    message = { ...base, channel: 'sms', subject: null, body: shown, payload: JSON.stringify(sealed), segments, encoding, price_micros: price };
  } else if (d.channel === 'voice') {
    // Spoken twice, so a listener who missed it hears it again; the call's audio is not kept.
    const spec = { to: d.recipient, from: d.sender || null, text: shown, language: 'en', voice: null, repeat: 2, ringTimeout: VOICE_LIMITS.ringTimeout.default, timeLimit: OTP_CALL_TIME_LIMIT };
    call = await newCallRow(store, principal, spec, { id: messageId, sealed: otp.keys.seal(spaceDigits(text), messageId), otpId }, now);
    price = call.hold_micros;
  } else {
    price = (await PriceTable.load(store, 'email')).priceOf('', 'to');
    const payload: EmailPayload & typeof sealed = {
      from: d.fromHeader!,
      to: [d.recipient],
      cc: [],
      bcc: [],
      reply_to: [],
      subject: EMAIL_SUBJECT,
      html: null,
      text: shown,
      headers: {},
      attachments: [],
      tags: [{ name: 'category', value: 'otp' }],
      ...sealed,
    };
    message = { ...base, channel: 'email', subject: EMAIL_SUBJECT, body: shown, payload: JSON.stringify(payload), segments: null, encoding: null, price_micros: price };
  }

  const expiresAt = now + expiresIn * 1000;
  const codeHash = otp.keys.hash(otpId, code);
  const row: OtpRow = current
    ? {
        ...current,
        key_id: principal.keyId,
        channel: d.channel,
        code_hash: codeHash,
        code_length: length,
        message_id: messageId,
        sends: current.sends + 1,
        expires_at: expiresAt,
        last_sent_at: now,
        updated_at: now,
      }
    : {
        id: otpId,
        account_id: accountId,
        key_id: principal.keyId,
        channel: d.channel,
        recipient: d.recipient,
        prefix,
        status: 'pending',
        code_hash: codeHash,
        code_length: length,
        attempts: 0,
        sends: 1,
        message_id: messageId,
        sandbox: principal.test ? 1 : 0,
        expires_at: expiresAt,
        last_sent_at: now,
        approved_at: null,
        created_at: now,
        updated_at: now,
      };
  const result: OtpSendResult = { ...otpView(row), price: formatMicros(price), currency: ctx.currency };
  const raced = () =>
    new AppError('otp_cooldown', `Another code was just sent to ${d.recipient}; a new one can be sent in ${otp.settings.resendCooldownSeconds || 1} s`, {
      headers: { 'retry-after': String(Math.max(1, otp.settings.resendCooldownSeconds)) },
    });
  const plan: ChargePlan = {
    ...(call ? callPlan(principal, call, now) : messagesPlan(principal, { messages: [message!], campaign: null, price }, ctx.currency, now)),
    // The verification is written in the accept transaction, guarded against a concurrent send to
    // the same destination: the loser rolls back whole (no message, no charge) and is told to wait.
    async write(tx) {
      if (current) {
        const ok = await tx.otp.resend(current.id, current.sends, {
          key_id: row.key_id,
          channel: row.channel,
          code_hash: row.code_hash,
          code_length: row.code_length,
          message_id: row.message_id,
          expires_at: row.expires_at,
          last_sent_at: row.last_sent_at,
        });
        if (!ok) throw raced();
        return;
      }
      await tx.otp.expirePending(accountId, d.recipient, now);
      if (!(await tx.otp.insert(row))) throw raced();
    },
  };
  return { plan, result };
}
