import { parsePhoneNumberFromString } from '../../lib/phone-metadata.ts';

// Parsing a number with the full metadata is a few percent of an accepted SMS's CPU (profiled in
// docs/performance.md), and senders write to the same numbers again and again. Bounded: past the
// limit the cache starts afresh, so a stream of one-off numbers cannot grow it.
const PARSED_LIMIT = 20_000;
const parsed = new Map<string, string | null>();

/** Parses an E.164 destination; null unless it is a valid number written with its "+". */
export function parseE164(text: string): string | null {
  const t = text.trim();
  if (!/^\+[1-9]\d{5,14}$/.test(t)) return null;
  const known = parsed.get(t);
  if (known !== undefined) return known;
  const phone = parsePhoneNumberFromString(t);
  const e164 = phone?.isValid() ? phone.number : null;
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(t, e164);
  return e164;
}

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
