import { isIPv4, isIPv6 } from 'node:net';
import { domainToUnicode } from 'node:url';
import { normaliseDomain } from '../../lib/email-address.ts';

/**
 * Address syntax for verification: RFC 5321 (paths, lengths, address literals) with RFC 5322's
 * dot-atom and quoted-string local parts, extended by RFC 6531/6532 to UTF-8 local parts, and
 * internationalised domains through IDNA (stored and looked up in their ASCII "xn--" form).
 * Comments, folding white space and the obsolete forms of RFC 5322 are refused: no mailbox
 * provider hands them out and no sign-up form should take them.
 */

export interface ParsedAddress {
  /** The local part exactly as given (case is the receiving server's business). */
  local: string;
  /** The domain in lower-case ASCII (punycode), as DNS and SMTP see it; the bracketed literal for address literals. */
  domainAscii: string;
  /** `local@domain` with the domain lower-cased, in its Unicode form when internationalised. */
  normalized: string;
  /** `[192.0.2.1]` or `[IPv6:…]` instead of a domain name. */
  literal: boolean;
  /** The local part holds characters outside ASCII (needs SMTPUTF8 at the receiving server). */
  utf8Local: boolean;
}

// atext of RFC 5322 §3.2.3, plus any non-ASCII character (RFC 6532 §3.2) except controls and
// white space, which would make the address ambiguous wherever it is written down.
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-";
const NON_ASCII = '\\u0080-\\u{10FFFF}';
const DOT_ATOM = new RegExp(`^[${ATEXT}${NON_ASCII}]+(?:\\.[${ATEXT}${NON_ASCII}]+)*$`, 'u');
// qtextSMTP (RFC 5321 §4.1.2) or quoted-pairSMTP, plus non-ASCII (RFC 6531 §3.3).
const QUOTED = new RegExp(`^"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e${NON_ASCII}]|\\\\[\\x20-\\x7e])*"$`, 'u');
const FORBIDDEN_UNICODE = /[\p{Cc}\p{Cf}\p{Z}\u{FFFD}]/u;

const MAX_LOCAL_OCTETS = 64;
// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
const MAX_ADDRESS_OCTETS = 254;

const octets = (s: string) => Buffer.byteLength(s, 'utf8');

function validLocal(local: string): boolean {
  if (local.length === 0 || octets(local) > MAX_LOCAL_OCTETS) return false;
  if (QUOTED.test(local)) return !/[\p{Cc}]/u.test(local);
  return DOT_ATOM.test(local) && !FORBIDDEN_UNICODE.test(local.replace(/[\x00-\x7f]/g, ''));
}

function literalDomain(text: string): string | null {
  const m = /^\[(.*)\]$/.exec(text);
  if (!m) return null;
  const inner = m[1]!;
  if (isIPv4(inner)) return `[${inner}]`;
  const v6 = /^IPv6:(.+)$/i.exec(inner);
  if (v6 && isIPv6(v6[1]!)) return `[IPv6:${v6[1]!.toLowerCase()}]`;
  return null;
}

/** Parses one address (surrounding white space ignored); null when it is not a valid address. */
export function parseAddress(input: string): ParsedAddress | null {
  const text = input.trim();
  // The local part may itself hold "@" inside quotes, so the domain starts after the last one.
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return null;
  const local = text.slice(0, at);
  const domainText = text.slice(at + 1);
  if (!validLocal(local)) return null;

  const literal = literalDomain(domainText);
  let domainAscii: string;
  let domainShown: string;
  if (literal) {
    domainAscii = literal;
    domainShown = literal;
  } else {
    // A trailing dot is a fully-qualified DNS name, but not part of a mail address (RFC 5321 §2.3.5).
    if (domainText.endsWith('.') || /[\s"\\<>()[\],;:@]/.test(domainText)) return null;
    const ascii = normaliseDomain(domainText);
    if (!ascii) return null;
    domainAscii = ascii;
    domainShown = domainToUnicode(ascii) || ascii;
  }
  if (octets(local) + 1 + domainAscii.length > MAX_ADDRESS_OCTETS) return null;
  return {
    local,
    domainAscii,
    normalized: `${local}@${domainShown}`,
    literal: literal !== null,
    utf8Local: /[^\x00-\x7f]/.test(local),
  };
}
