/** A SIP trunk's address and credentials, from `sip:user:password@host:port`. */
export interface SipTrunkUrl {
  user: string;
  password: string;
  host: string;
  port: number;
}

/**
 * Reads a trunk URL (HELLIO_SIP_URL). The errors name what is wrong and never repeat the URL:
 * it holds a password.
 */
export function parseSipUrl(text: string): SipTrunkUrl {
  const m = /^sip:(?:([^:@;]+)(?::([^@;]*))?@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(;.*)?$/.exec(text.trim());
  if (!m) throw new Error('must look like sip:user:password@host:port');
  const port = m[4] === undefined ? 5060 : Number(m[4]);
  if (port < 1 || port > 65535) throw new Error('the port must be 1–65535');
  const host = m[3]!.replace(/^\[|\]$/g, '');
  return { user: decodeURIComponent(m[1] ?? 'hellio'), password: decodeURIComponent(m[2] ?? ''), host, port };
}
