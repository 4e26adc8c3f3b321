import { createHmac, randomBytes } from 'node:crypto';

/** The facts of Twilio's wire format that the Twilio-compatible API reproduces (docs/compat-twilio.md). */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // the ids' Crockford base32 (lib/ids.ts)
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/** A new account SID: `AC` + 32 lower-case hex digits. */
export function newTwilioAccountSid(): string {
  return `AC${randomBytes(16).toString('hex')}`;
}

/** True for the shape of an account SID. */
export const isAccountSid = (s: string): boolean => /^AC[0-9a-f]{32}$/.test(s);

/**
 * The message SID of a Hellio message id, `SM` + 32 hex: an id's 26 characters are 48 bits of
 * time (10 characters) and 80 of randomness (16), exactly 128 bits, written in hex instead of
 * base32. Reversible (messageIdOfSid), so nothing is stored for it. Null for an id of another shape.
 */
export function messageSid(messageId: string): string | null {
  const m = /^msg_([0-9a-hjkmnp-tv-z]{26})$/.exec(messageId);
  if (!m) return null;
  const body = m[1]!;
  let time = 0n;
  for (const ch of body.slice(0, TIME_CHARS)) time = time * 32n + BigInt(ALPHABET.indexOf(ch));
  let random = 0n;
  for (const ch of body.slice(TIME_CHARS)) random = random * 32n + BigInt(ALPHABET.indexOf(ch));
  if (time >= 1n << 48n) return null;
  return `SM${time.toString(16).padStart(12, '0')}${random.toString(16).padStart(20, '0')}`;
}

/** The Hellio message id a message SID stands for (messageSid's inverse); null when `sid` is not one. */
export function messageIdOfSid(sid: string): string | null {
  const m = /^SM([0-9a-f]{12})([0-9a-f]{20})$/.exec(sid);
  if (!m) return null;
  const encode = (n: bigint, chars: number) => {
    let out = '';
    for (let i = 0; i < chars; i++) {
      out = ALPHABET[Number(n % 32n)]! + out;
      n /= 32n;
    }
    return out;
  };
  return `msg_${encode(BigInt(`0x${m[1]}`), TIME_CHARS)}${encode(BigInt(`0x${m[2]}`), RANDOM_CHARS)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 date as Twilio writes it: "Wed, 18 Aug 2010 20:01:40 +0000". */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * X-Twilio-Signature of a form-encoded POST: base64 of HMAC-SHA1, keyed by the auth token, over
 * the full URL followed by every parameter's name and value, the names in sorted order.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
