import { randomInt } from 'node:crypto';

export const OTP_DEFAULT_LENGTH = 6;
export const OTP_DEFAULT_EXPIRES_IN = 600;
export const OTP_TEMPLATE_MAX_LENGTH = 1000;
export const CODE_PLACEHOLDER = '{code}';
export const DEFAULT_SMS_TEMPLATE = 'Your verification code is {code}';
export const EMAIL_SUBJECT = 'Your verification code';

/** A uniformly random code of `length` digits (leading zeros included). */
export function newCode(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** The text the recipient gets. */
export function render(template: string, code: string): string {
  return template.replaceAll(CODE_PLACEHOLDER, code);
}

/**
 * The text as reports and webhooks show it. Asterisks are GSM-7 and one character each, like
 * digits, so the redacted text has the real one's length, encoding and segments.
 */
export function redact(template: string, length: number): string {
  return template.replaceAll(CODE_PLACEHOLDER, '*'.repeat(length));
}

/** The default email body, which says how long the code lasts. */
export function defaultEmailTemplate(expiresInSeconds: number): string {
  const minutes = Math.max(1, Math.round(expiresInSeconds / 60));
  return `Your verification code is {code}\n\nIt expires in ${minutes} minute${minutes === 1 ? '' : 's'}. If you did not ask for it, you can ignore this email.`;
}
