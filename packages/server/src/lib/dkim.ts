import { generateKeyPairSync } from 'node:crypto';

/** A DNS record a sending domain's owner publishes so receivers trust our mail. */
export interface DnsRecord {
  type: 'TXT' | 'CNAME' | 'MX';
  /** Fully qualified, lower case, without the trailing dot. */
  name: string;
  /**
   * The record data as one string, however long: a TXT value over 255 bytes is split into
   * character-strings by the DNS host (every provider's UI does it; a zone file writes the parts
   * as quoted strings side by side), and receivers join the parts back without separators.
   * An MX value is "<preference> <host>".
   */
  value: string;
  purpose: 'dkim' | 'spf' | 'return_path';
}

export interface DkimRecordOptions {
  /** The SPF of the relay that sends for us (e.g. "spf.relay.example"), included in the domain's SPF. */
  spfInclude?: string;
  /** The host that receives bounces and carries the relay's SPF, for the return-path subdomain. */
  returnPathHost?: string;
}

/**
 * The label of the return-path subdomain (`bounces.<domain>`). A subdomain of the sender's own
 * domain keeps the envelope sender aligned with From under DMARC's relaxed alignment, while the
 * bounces themselves go to the host the CNAME names.
 */
export const RETURN_PATH_LABEL = 'bounces';

/** A fresh RSA 2048 DKIM key: the PKCS#8 PEM to sign with and the base64 SPKI DER for `p=`. */
export function generateDkimKey(): { privateKeyPem: string; publicKeyBase64: string } {
  // 2048 bits: the size RFC 8301 asks signers for and the largest whose `p=` every DNS host
  // accepts in one TXT record (4096-bit keys overflow some providers' record limits).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyBase64: publicKey.toString('base64') };
}

function fqdn(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The records to publish for sending as `domain` with the DKIM key under `selector`. */
export function dkimRecords(domain: string, selector: string, publicKeyBase64: string, opts: DkimRecordOptions = {}): DnsRecord[] {
  const d = fqdn(domain);
  const records: DnsRecord[] = [
    {
      type: 'TXT',
      name: `${fqdn(selector)}._domainkey.${d}`,
      // k=rsa is the default but spelled out, since some checkers flag its absence; no t=y,
      // because a key in testing mode lets receivers ignore failures, which hides real breakage.
      value: `v=DKIM1; k=rsa; p=${publicKeyBase64.replace(/\s+/g, '')}`,
      purpose: 'dkim',
    },
    {
      type: 'TXT',
      name: d,
      // ~all (softfail), not -all: the domain likely has other senders we know nothing of, and a
      // hard fail would get their mail rejected. A domain may hold only one SPF record, so an
      // owner who already has one merges the mechanism into it instead of adding a second.
      // Without a relay to include, "a mx" authorises the domain's own hosts, the usual setup
      // when the SMTP server we hand mail to is the domain's own.
      value: opts.spfInclude ? `v=spf1 include:${fqdn(opts.spfInclude)} ~all` : 'v=spf1 a mx ~all',
      purpose: 'spf',
    },
  ];
  if (opts.returnPathHost) {
    // A CNAME rather than MX + TXT: the subdomain then follows the bounce host's MX and SPF as
    // they change, with nothing for the owner to update. A CNAME cannot share its name with other
    // records, which is why it sits on a dedicated subdomain. Without a bounce host there is no
    // record to suggest: bounces then go to the envelope sender's own domain.
    records.push({ type: 'CNAME', name: `${RETURN_PATH_LABEL}.${d}`, value: fqdn(opts.returnPathHost), purpose: 'return_path' });
  }
  return records;
}
