import type { ErrorCode, FieldError } from '../../lib/errors.ts';
import { EMPTY, MISSING } from '../../modules/compat/kannel.ts';

/** Kannel's answer: a status and a line of text. */
export interface KannelAnswer {
  status: number;
  text: string;
}

const AUTH: KannelAnswer = { status: 403, text: 'Authorization failed for sendsms' };
const TEMPORARY: KannelAnswer = { status: 503, text: 'Temporal failure, try again later.' };
const FIELD = (name: string): KannelAnswer => ({ status: 400, text: `${name} field misformed, rejected` });

/**
 * THE table of the Kannel-compatible sendsms's answers: Hellio's code (and, for validation, the
 * parameter) → Kannel's status and text, as its smsbox answers them. Whatever the key lacks is
 * Kannel's one authorisation failure; what a retry may cure is its temporary failure.
 */
const BY_CODE: Partial<Record<ErrorCode, KannelAnswer>> = {
  missing_credentials: AUTH,
  invalid_credentials: AUTH,
  account_not_active: AUTH,
  ip_not_allowed: AUTH,
  insufficient_scope: AUTH,
  rate_limited: TEMPORARY,
  insufficient_balance: TEMPORARY,
  spend_cap_exceeded: TEMPORARY,
  overloaded: TEMPORARY,
  not_ready: TEMPORARY,
  // The sender is not one this account may use: no retry will route it.
  sender_not_approved: { status: 403, text: 'Not routable. Do not try again.' },
  // The one recipient opted out (STOP): Kannel's answer for a number its lists deny.
  recipient_suppressed: { status: 400, text: 'Number(s) has/have been denied by white- and/or black-lists.' },
  unsupported_media_type: { status: 400, text: 'Invalid content-type' },
  internal_error: { status: 500, text: 'Sending failed.' },
};

const BY_FIELD: Record<string, KannelAnswer> = {
  from: { status: 400, text: 'Sender missing and no global set, rejected' },
  // Every number refused (Kannel: denied by its lists).
  to: { status: 400, text: 'Number(s) has/have been denied by white- and/or black-lists.' },
  text: { status: 400, text: 'Charset or body misformed, rejected' },
  message: { status: 400, text: 'Charset or body misformed, rejected' },
  charset: { status: 400, text: 'Charset or body misformed, rejected' },
  coding: FIELD('Coding'),
  udh: FIELD('UDH'),
  validity: FIELD('Validity'),
  deferred: FIELD('Deferred'),
  'dlr-mask': FIELD('DLR-Mask'),
  'dlr-url': FIELD('DLR-URL'),
};

/** Kannel's answer to a failure classified as `code`. */
export function kannelAnswer(code: ErrorCode, errors: FieldError[] | undefined, hellioStatus: number): KannelAnswer {
  if (code === 'validation_failed') {
    const first = errors?.[0];
    if (first?.field === 'to' && first.message === MISSING) return { status: 400, text: 'Missing receiver number, rejected' };
    if (first?.field === 'to' && first.message === EMPTY) return { status: 400, text: 'Empty receiver number not allowed, rejected' };
    return (first && BY_FIELD[first.field]) ?? { status: 400, text: 'Incomplete request.' };
  }
  return BY_CODE[code] ?? (hellioStatus < 500 ? { status: hellioStatus, text: 'Incomplete request.' } : { status: 500, text: 'Sending failed.' });
}
