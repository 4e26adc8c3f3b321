/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, RFC 2617 §3.2): reading a
 * WWW-Authenticate / Proxy-Authenticate challenge and computing the Authorization answer.
 * MD5 (and MD5-sess), with qop=auth or without qop.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A parsed Digest challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: string;
  /** The qop options offered ("auth", "auth-int"); empty for an RFC 2069 challenge. */
  qop: string[];
}

/** Parses a challenge header value; returns null when it is not a Digest challenge we can answer. */
export function parseChallenge(value: string): DigestChallenge | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  // name=token or name="quoted string", comma-separated.
  const re = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!)) {
    params.set(p[1]!.toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!);
  }
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const algorithm = params.get('algorithm') ?? 'MD5';
  if (!/^MD5(-sess)?$/i.test(algorithm)) return null;
  return {
    realm,
    nonce,
    opaque: params.get('opaque') ?? null,
    algorithm,
    qop: (params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean),
  };
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** The inputs of a digest response (RFC 2617 §3.2.2.1). */
export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  algorithm?: string;
  /** "auth" or undefined for none. */
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** The request-digest (the `response=` value). */
export function digestResponse(i: DigestInput): string {
  let ha1 = md5(`${i.username}:${i.realm}:${i.password}`);
  if (/-sess$/i.test(i.algorithm ?? '')) ha1 = md5(`${ha1}:${i.nonce}:${i.cnonce ?? ''}`);
  const ha2 = md5(`${i.method}:${i.uri}`);
  return i.qop ? md5(`${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`) : md5(`${ha1}:${i.nonce}:${ha2}`);
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/**
 * The Authorization / Proxy-Authorization value answering a challenge for one request. With
 * qop=auth offered we use it (fresh cnonce, nc=00000001: each challenge is answered once).
 */
export function authorizationHeader(
  challenge: DigestChallenge,
  creds: { username: string; password: string },
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const qop = challenge.qop.includes('auth') ? ('auth' as const) : undefined;
  const nc = '00000001';
  const response = digestResponse({
    ...creds,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method,
    uri,
    algorithm: challenge.algorithm,
    qop,
    nc,
    cnonce,
  });
  const parts = [
    `username=${quote(creds.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (qop || /-sess$/i.test(challenge.algorithm)) parts.push(`cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== null) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`);
  return `Digest ${parts.join(', ')}`;
}
