import { PermanentFailure } from '../../queue/job-definition.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { OtpKeys } from './otp-keys.ts';

/**
 * An OTP message is stored with its code redacted (body; for email, the payload's text) and the
 * real text sealed in its payload under this field, for the delivery worker alone to open.
 */
export const SEALED_FIELD = 'otp_sealed';

export interface SealedPayload {
  otp_id: string;
  [SEALED_FIELD]: string;
}

/**
 * The message as it must go out: with its real text when it carries a sealed code. A sealed text
 * that cannot be opened (no key given, or the secret changed since) fails the message for good —
 * never sent with its redacted text, and not retried for a day for a code that expires sooner.
 */
export function revealMessage(keys: OtpKeys | null, m: MessageRow): MessageRow {
  if (m.payload === null || !m.payload.includes(SEALED_FIELD)) return m;
  const payload = JSON.parse(m.payload) as Record<string, unknown>;
  const sealed = payload[SEALED_FIELD];
  if (typeof sealed !== 'string') return m;
  if (keys === null) throw new PermanentFailure('this message carries a sealed OTP code, and this worker was given no OTP key to open it');
  let text: string;
  try {
    text = keys.open(sealed, m.id);
  } catch (err) {
    throw new PermanentFailure(`the sealed OTP text cannot be opened (was HELLIO_OTP_SECRET changed?): ${(err as Error).message}`);
  }
  if (m.channel === 'sms') return { ...m, body: text };
  return { ...m, body: text, payload: JSON.stringify({ ...payload, text }) };
}
