/** The trunk's URL (`HELLIO_SIP_URL`, SPEC §6): `sip:user:password@host:port`. */

/** A trunk's parsed URL. */
export interface SipTrunkUrl {
  user: string;
  password: string;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

/**
 * Parses a trunk URL; throws an Error saying what is wrong — never echoing the password, so the
 * message is safe for logs and config errors.
 */
export function parseSipTrunkUrl(url: string): SipTrunkUrl {
  const text = String(url ?? '').trim();
  if (!/^sip:/i.test(text)) {
    if (/^sips:/i.test(text)) throw new Error('SIP URL: sips: (TLS) is not supported; use sip:user:password@host:port');
    throw new Error('SIP URL must look like sip:user:password@host:port (it does not start with sip:)');
  }
  const rest = text.slice(4).replace(/^\/\//, '');
  const at = rest.lastIndexOf('@');
  if (at < 0) throw new Error('SIP URL needs user:password@ before the host (sip:user:password@host:port)');
  const userinfo = rest.slice(0, at);
  const hostport = rest.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? '' : userinfo.slice(colon + 1);
  let user: string;
  let password: string;
  try {
    user = decodeURIComponent(rawUser);
    password = decodeURIComponent(rawPassword);
  } catch {
    throw new Error('SIP URL has a bad %-escape in its user or password');
  }
  if (!user) throw new Error('SIP URL has no user (sip:user:password@host:port)');
  if (/[\s;?<>"]/.test(user)) throw new Error('SIP URL user has characters a SIP URI user may not hold');
  const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hostport.replace(/[;?].*$/, ''));
  if (!hp) throw new Error('SIP URL has no valid host[:port] after the @');
  const port = hp[2] === undefined ? 5060 : Number(hp[2]);
  if (port < 1 || port > 65535) throw new Error(`SIP URL port ${hp[2]} is out of range 1–65535`);
  return { user, password, host: hp[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}
