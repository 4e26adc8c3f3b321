import type { FastifyRequest } from 'fastify';
import { keyFromAuthorization } from '../modules/access/auth.ts';

/**
 * How a route's caller carries its key: Hellio's `Authorization: Bearer`, Twilio's HTTP Basic
 * (AccountSid:key), or Kannel's `username` (the key's id) and `password` (the key) in the query
 * string or the X-Kannel-* headers. Each route names its form (`config.credentials`); every
 * later step of the pipeline is the same for all.
 */
export type CredentialForm = 'bearer' | 'twilio' | 'kannel';

/** What a credential form carried: the key, and what it also says of its owner. */
export interface Credentials {
  key: string | null;
  /** Twilio: the HTTP Basic user name, which must be the key's account's SID. */
  accountSid?: string;
  /** Kannel: `username`, which must be the key's id. */
  keyId?: string;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `Authorization: Basic base64(user:password)`, or null. */
export function basicAuth(header: string | undefined): { user: string; password: string } | null {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The credential extractors, by form. They read headers and the query string only: they run before the body is read. */
export const CREDENTIALS: Record<CredentialForm, (req: FastifyRequest) => Credentials> = {
  bearer: (req) => ({ key: keyFromAuthorization(req.headers.authorization) }),
  twilio: (req) => {
    const basic = basicAuth(req.headers.authorization);
    if (!basic) return { key: null };
    return { key: basic.password.length > 0 ? basic.password : null, accountSid: basic.user };
  },
  kannel: (req) => {
    const q = (req.query ?? {}) as Record<string, string | string[] | undefined>;
    const username = first(q.username) ?? first(q.user) ?? first(req.headers['x-kannel-username']);
    const password = first(q.password) ?? first(q.pass) ?? first(req.headers['x-kannel-password']);
    if (password === undefined || password === '') return { key: null };
    return { key: password, keyId: username ?? '' };
  },
};
