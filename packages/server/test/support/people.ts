import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createUser } from '../../src/modules/people/users.ts';
import type { Role } from '../../src/modules/people/roles.ts';
import type { Harness } from './harness.ts';

/** A signed-in person in a test: their cookie and CSRF token, ready to put on requests. */
export interface Session {
  userId: string;
  email: string;
  password: string;
  cookie: string;
  csrf: string;
  /** Headers for a request of this session; with the CSRF token unless `csrf: false`. */
  headers(opts?: { csrf?: boolean }): Record<string, string>;
}

/** The `name=value` of the Set-Cookie of a response (the session cookie). */
export function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : raw;
  expect(typeof first, 'a Set-Cookie header').toBe('string');
  return String(first).split(';')[0]!;
}

/** Signs in through POST /auth/login; expects 200. */
export async function signIn(h: Harness, email: string, password: string, extra: Record<string, string> = {}): Promise<Session> {
  const res = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password, ...extra } });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const cookie = cookieOf(res);
  const csrf = body.csrf_token as string;
  return {
    userId: body.user.id,
    email,
    password,
    cookie,
    csrf,
    headers: (o = {}) => ({ cookie, ...(o.csrf === false ? {} : { 'x-csrf-token': csrf }) }),
  };
}

/** A new user (a member of `accountId` with `role`, or an operator with no account), signed in. */
export async function person(h: Harness, opts: { accountId?: string; role?: Role; operator?: boolean } = {}): Promise<Session> {
  const email = `p-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  await createUser(h.rt.ctx, null, {
    email,
    password,
    ...(opts.accountId ? { accountId: opts.accountId, role: opts.role ?? 'owner' } : {}),
    ...(opts.operator ? { operator: true } : {}),
  });
  return signIn(h, email, password);
}
