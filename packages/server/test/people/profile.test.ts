import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { listAudit } from '../../src/modules/people/audit.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session, signIn } from '../support/people.ts';

/** PATCH /auth/me (your name) and POST /auth/password (your password, given the current one). */
describe.each(BACKENDS)('a person changes their own name and password (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_LOGIN_PER_IP: '100000', HELLIO_LOGIN_PER_EMAIL: '4' } });
  });
  afterAll(async () => h?.close());

  const call = (s: Session | null, method: 'PATCH' | 'POST', url: string, payload: object, csrf = true) =>
    h.app.inject({ method, url, headers: s ? s.headers({ csrf }) : {}, payload });
  const me = async (s: Session) => (await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).json();

  it('renames: trimmed, answered as /auth/me, audited with before and after; empty clears it; only your own', async () => {
    const s = await person(h);
    const other = await person(h);
    const before = (await me(other)).user.name;
    const res = await call(s, 'PATCH', '/auth/me', { name: '  Ada Lovelace ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: s.userId, name: 'Ada Lovelace' }, csrf_token: s.csrf });
    expect((await me(s)).user.name).toBe('Ada Lovelace');
    expect((await me(other)).user.name).toBe(before);
    const rows = (await listAudit(h.rt.store, null, { action: 'user.rename' })).data.filter((r) => r.target === s.userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ after: { name: 'Ada Lovelace' } });

    // The same name again changes nothing (no audit row); empty and null clear it.
    expect((await call(s, 'PATCH', '/auth/me', { name: 'Ada Lovelace' })).statusCode).toBe(200);
    expect((await listAudit(h.rt.store, null, { action: 'user.rename' })).data.filter((r) => r.target === s.userId)).toHaveLength(1);
    expect((await call(s, 'PATCH', '/auth/me', { name: '   ' })).json().user.name).toBeNull();
    expect((await call(s, 'PATCH', '/auth/me', { name: 'Ada' })).json().user.name).toBe('Ada');
    expect((await call(s, 'PATCH', '/auth/me', { name: null })).json().user.name).toBeNull();
  });

  it('refuses a name too long or unknown fields (422), no session (401), no CSRF token (403)', async () => {
    const s = await person(h);
    expectError(await call(s, 'PATCH', '/auth/me', { name: 'x'.repeat(201) }), 422, 'validation_failed');
    expectError(await call(s, 'PATCH', '/auth/me', { name: 'A', email: 'new@example.com' }), 422, 'validation_failed');
    expectError(await call(s, 'PATCH', '/auth/me', {}), 422, 'validation_failed');
    expectError(await call(null, 'PATCH', '/auth/me', { name: 'A' }), 401, 'not_signed_in');
    expectError(await call(s, 'PATCH', '/auth/me', { name: 'A' }, false), 403, 'csrf_failed');
    expect((await me(s)).user.name).not.toBe('A');
  });

  it('changes the password with the current one: every session ends, the new one signs in, the old one no longer', async () => {
    const s = await person(h);
    const second = await signIn(h, s.email, s.password);
    const res = await call(s, 'POST', '/auth/password', { current_password: s.password, password: 'a brand new password' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'password_changed' });
    expect(String(res.headers['set-cookie'])).toMatch(/hellio_session=;/);
    for (const x of [s, second]) expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: x.headers() }), 401, 'not_signed_in');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: s.email, password: s.password } }), 401, 'invalid_credentials');
    expect((await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: s.email, password: 'a brand new password' } })).statusCode).toBe(200);
    expect((await listAudit(h.rt.store, null, { action: 'user.password' })).data.some((r) => r.target === s.userId)).toBe(true);
  });

  it('refuses a wrong current password (401, nothing changes), a short new one (422), no session, no CSRF token; and counts attempts', async () => {
    const s = await person(h);
    expectError(await call(s, 'POST', '/auth/password', { current_password: 'not it at all', password: 'a brand new password' }), 401, 'invalid_credentials');
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).statusCode).toBe(200);
    expectError(await call(s, 'POST', '/auth/password', { current_password: s.password, password: 'short' }), 422, 'validation_failed');
    expectError(await call(s, 'POST', '/auth/password', { password: 'a brand new password' }), 422, 'validation_failed');
    expectError(await call(null, 'POST', '/auth/password', { current_password: s.password, password: 'a brand new password' }), 401, 'not_signed_in');
    expectError(await call(s, 'POST', '/auth/password', { current_password: s.password, password: 'a brand new password' }, false), 403, 'csrf_failed');
    // The old password still works: nothing above changed it.
    expect((await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: s.email, password: s.password } })).statusCode).toBe(200);
    // A stolen session cannot guess the password for ever (HELLIO_LOGIN_PER_EMAIL = 4 per window, per user).
    for (let i = 0; i < 2; i++) expectError(await call(s, 'POST', '/auth/password', { current_password: `guess ${i}`, password: 'a brand new password' }), 401, 'invalid_credentials');
    const limited = await call(s, 'POST', '/auth/password', { current_password: s.password, password: 'a brand new password' });
    expectError(limited, 429, 'rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
