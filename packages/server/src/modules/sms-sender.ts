import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The canonical form of an SMS sender: an alphanumeric id of 1–11 characters with at least
 * one letter (as GSM networks allow), a 3–8 digit short code, or an E.164 number. Null if none.
 * No dots: a dot is how an approval tells an email domain from a sender id.
 */
export function normaliseSmsSender(text: string): string | null {
  const t = text.trim();
  if (/^[A-Za-z0-9 _&-]{1,11}$/.test(t) && /[A-Za-z]/.test(t)) return t;
  if (/^\d{3,8}$/.test(t)) return t;
  if (/^\+\d{6,15}$/.test(t)) {
    const phone = parsePhoneNumberFromString(t);
    return phone?.isPossible() ? phone.number : null;
  }
  return null;
}
