import { AppError, type FieldError, validationError } from '../../lib/errors.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Principal } from '../access/auth.ts';
import type { Charged } from '../accept/plan.ts';
import type { ModuleContext } from '../context.ts';
import { planSms } from '../messages/sms.ts';
import { parseE164 } from '../messages/sms-numbers.ts';
import type { SmsExtras } from '../messages/sms-payload.ts';
import { callbackProblem } from './twilio.ts';

/**
 * Kannel's sendsms over Hellio's SMS (docs/compat-kannel.md): its parameters, its numbers, and
 * its delivery reports (dlr-mask, dlr-url and the URL's escapes). Errors name Kannel's
 * parameters; the HTTP layer turns them into Kannel's answers (http/compat/kannel-errors.ts).
 */

/** sendsms's parameters as given: `text` is still bytes, in `charset` (or the coding's default). */
export interface KannelSendInput {
  from?: string;
  to?: string;
  text?: Buffer;
  charset?: string;
  coding?: string;
  /** The user data header as bytes (GET: URL-encoded; POST: X-Kannel-UDH in hex, decoded by the HTTP layer). */
  udh?: Buffer;
  /** The body's Content-Type says octets (POST with application/octet-stream): 8-bit unless `coding` says otherwise. */
  octetStream?: boolean;
  validity?: string;
  deferred?: string;
  'dlr-mask'?: string;
  'dlr-url'?: string;
}

/** The messages of `to`'s field errors that Kannel answers apart: no `to`, an empty one, every number refused. */
export const MISSING = 'is required';
/** `to` given empty. */
export const EMPTY = 'must not be empty';
/** No number of `to` can be sent to. */
export const DENIED = 'has no number that can be sent to';

/**
 * A number as Kannel users write it: "+" and E.164, "00" and the international number, or the
 * international number alone (no "+": read as international, there being no home country).
 * Dashes are dropped, as sendsms's number characters allow them. Null when it is no number.
 */
export function kannelNumber(word: string): string | null {
  const w = word.replace(/-/g, '');
  if (!/^\+?\d+$/.test(w)) return null;
  const international = w.startsWith('+') ? w : w.startsWith('00') ? `+${w.slice(2)}` : `+${w}`;
  return parseE164(international);
}

const integer = (v: string | undefined) => (v === undefined ? undefined : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);
const MINUTE_MS = 60_000;

/**
 * Plans sendsms: one SMS to each recipient of `to` (separated by spaces; the numbers refused are
 * left out, as Kannel leaves out denied receivers; none left is an error), `text` decoded from
 * its charset — or, with coding=1, sent as 8-bit data after its `udh` — sent `deferred` minutes
 * later, kept by the network at most `validity` minutes from then. With a dlr-mask and a dlr-url, each message's
 * status changes in the mask are reported to the URL (status-callbacks.ts).
 */
export async function planKannelSms(ctx: ModuleContext, principal: Principal, input: KannelSendInput): Promise<Charged<{ messages: number }>> {
  // Kannel asks for the receiver first of all.
  if (input.to === undefined) throw validationError([{ field: 'to', message: MISSING }]);
  if (input.to.trim() === '') throw validationError([{ field: 'to', message: EMPTY }]);
  const errors: FieldError[] = [];
  const udh = input.udh !== undefined && input.udh.length > 0 ? input.udh : null;
  // As Kannel: 7 bits unless a UDH is given (or the body is declared octets), which makes it 8 bits.
  const coding = integer(input.coding) ?? (udh || input.octetStream ? 1 : 0);
  if (!(coding === 0 || coding === 1 || coding === 2)) errors.push({ field: 'coding', message: 'must be 0 (7 bits), 1 (8 bits) or 2 (UCS-2)' });
  // Kannel's own check: the first octet is the length of the rest.
  if (udh && udh[0] !== udh.length - 1) errors.push({ field: 'udh', message: 'must begin with its length (UDHL) and be that long' });
  // A UDH before a text would have to be packed with it into septets: only 8-bit data takes one here.
  if (udh && coding !== 1) errors.push({ field: 'udh', message: 'goes with 8-bit data (coding=1) only' });
  const validity = integer(input.validity);
  if (validity !== undefined && !(validity >= 1)) errors.push({ field: 'validity', message: 'must be a number of minutes, at least 1' });
  const deferred = integer(input.deferred);
  if (deferred !== undefined && !(deferred >= 0)) errors.push({ field: 'deferred', message: 'must be a number of minutes' });
  const mask = integer(input['dlr-mask']);
  if (mask !== undefined && !(mask >= 0 && mask <= 63)) errors.push({ field: 'dlr-mask', message: 'must be a bit mask from 0 to 63' });
  const dlrUrl = input['dlr-url'];
  if (dlrUrl !== undefined && dlrUrl !== '') {
    const problem = await callbackProblem(ctx, dlrUrl);
    if (problem) errors.push({ field: 'dlr-url', message: problem });
  }
  if (!input.from) errors.push({ field: 'from', message: 'is required' });
  let text = '';
  const octets = input.text ?? Buffer.alloc(0);
  if (errors.length === 0 && coding === 1) {
    // 8-bit data is sent as given: no charset applies. The message shows it in hex.
    text = octets.toString('hex');
    if (text === '') errors.push({ field: 'text', message: 'must not be empty' });
  } else if (errors.length === 0) {
    const charset = input.charset || (coding === 2 ? 'utf-16be' : 'utf-8');
    try {
      text = new TextDecoder(charset, { fatal: true }).decode(octets);
    } catch {
      errors.push({ field: 'charset', message: `the text is not valid ${charset}` });
    }
    if (errors.length === 0 && text === '') errors.push({ field: 'text', message: 'must not be empty' });
  }
  const numbers = (input.to ?? '').split(/\s+/).filter(Boolean).map(kannelNumber);
  const recipients = [...new Set(numbers.filter((n): n is string => n !== null))];
  if (errors.length === 0 && recipients.length === 0) errors.push({ field: 'to', message: DENIED });
  if (errors.length > 0) throw validationError(errors);

  const now = ctx.clock.now();
  const scheduledAt = deferred ? new Date(now + deferred * MINUTE_MS).toISOString() : undefined;
  const extras: SmsExtras = {
    ...(coding === 1 ? { binary: { udh: udh ?? Buffer.alloc(0), data: octets } } : {}),
    ...(validity !== undefined ? { validityMs: validity * MINUTE_MS } : {}),
  };
  const sms = { from: input.from!, to: recipients, message: text, ...(scheduledAt ? { scheduled_at: scheduledAt } : {}) };
  const { plan } = await planSms(ctx, principal, sms, extras).catch((err: unknown) => {
    // Only the sender and the size of 8-bit data can still be refused here (numbers and text were checked above).
    if (err instanceof AppError && err.code === 'validation_failed') throw validationError(err.errors ?? []);
    throw err;
  });
  const messages = plan.rows.messages as MessageRow[];
  if (dlrUrl && mask) {
    const earlier = plan.write;
    plan.write = async (tx) => {
      await earlier?.(tx);
      for (const m of messages) {
        await tx.messageCallbacks.insert({ message_id: m.id, account_id: m.account_id, kind: 'kannel', url: dlrUrl, token: null, mask, created_at: plan.at });
      }
    };
  }
  return { plan, result: { messages: messages.length } };
}

/** dlr-mask's bits: 1 delivered to the phone, 2 not delivered to it, 8 delivered to the SMSC, 16 not delivered to the SMSC. */
export function dlrMaskBit(status: string): number | null {
  switch (status) {
    case 'delivered':
      return 1;
    case 'undelivered':
      return 2;
    case 'sent':
      return 8;
    case 'failed':
    case 'bounced':
      return 16;
    default:
      return null;
  }
}

// The SMSC's reply that %A stands for, as Kannel's SMPP driver reports it.
const ANSWERS: Record<number, string> = { 1: 'DELIVRD', 2: 'UNDELIV', 8: 'ACK/', 16: 'NACK/' };

/** "YYYY-MM-DD HH:MM" (Kannel's %t), in UTC. */
function kannelTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The dlr-url with Kannel's escapes filled in for the message's move to `status`: %d the report's
 * bit, %A the SMSC's answer, %p / %P the sender and the receiver (%q / %Q with a leading "+"),
 * %t / %T when the status changed (formatted, epoch seconds), %i the SMSC (Hellio's provider),
 * %F / %I the message id. Values are URL-encoded; `%%` is a percent sign.
 */
export function kannelDlrUrl(template: string, m: MessageRow, status: string, now: number): string {
  const bit = dlrMaskBit(status) ?? 0;
  const at = m.updated_at ?? now;
  const digits = (n: string) => n.replace(/^\+/, '');
  const values: Record<string, string> = {
    d: String(bit),
    A: m.error ? `${ANSWERS[bit] ?? ''}${m.error}` : (ANSWERS[bit] ?? ''),
    p: digits(m.sender),
    P: digits(m.recipient),
    q: m.sender,
    Q: m.recipient,
    t: kannelTime(at),
    T: String(Math.floor(at / 1000)),
    i: m.provider ?? '',
    F: m.id,
    I: m.id,
  };
  return template.replace(/%(.)/g, (whole, ch: string) => (ch === '%' ? '%' : values[ch] !== undefined ? encodeURIComponent(values[ch]!) : whole));
}
