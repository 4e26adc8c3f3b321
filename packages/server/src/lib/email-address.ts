import { domainToASCII } from 'node:url';

// RFC 5322 dot-atom local part (the quoted form is legal but practically never wanted by an API).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export interface Mailbox {
  /** Display name, when "Name <addr>" was given. */
  name: string | null;
  /** local@domain with the domain lower-cased and in ASCII (punycode for internationalised names). */
  address: string;
  domain: string;
}

/** Normalises a domain to lower-case ASCII (IDNA), or null when it is not a valid host name. */
export function normaliseDomain(domain: string): string | null {
  const ascii = domainToASCII(domain.trim().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) return null;
  return ascii;
}

/** Parses "addr@example.com" or "Name <addr@example.com>" (RFC 5321 lengths), or returns null. */
export function parseMailbox(text: string): Mailbox | null {
  let name: string | null = null;
  let addr = text.trim();
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(addr);
  if (m) {
    const phrase = m[1]!.trim();
    const quoted = /^"(.*)"$/.exec(phrase);
    // A name holding "<" or ">" (or, unquoted, "," ";" or '"') would read as a second address
    // wherever the mailbox is written back into a header: "<a@x>, <b@y>" is two mailboxes, not one.
    if (/[<>]/.test(phrase) || (!quoted && /[,;"]/.test(phrase))) return null;
    name = (quoted ? quoted[1]! : phrase) || null;
    addr = m[2]!.trim();
  }
  if (/[\r\n]/.test(text)) return null;
  const at = addr.lastIndexOf('@');
  if (at <= 0) return null;
  const local = addr.slice(0, at);
  const domain = normaliseDomain(addr.slice(at + 1));
  if (!domain || local.length > 64 || !LOCAL.test(local)) return null;
  const address = `${local}@${domain}`;
  if (address.length > 254) return null;
  return { name, address, domain };
}

/** "Name <addr>" for a header, quoting the name when it holds RFC 5322 specials ("Lovelace, Ada"). */
export function formatMailbox(mb: Mailbox): string {
  if (!mb.name) return mb.address;
  const name = /[()<>[\]:;@\\,."]/.test(mb.name) ? `"${mb.name.replace(/["\\]/g, '\\$&')}"` : mb.name;
  return `${name} <${mb.address}>`;
}
