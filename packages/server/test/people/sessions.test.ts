import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { createUser } from '../../src/modules/people/users.ts';
import { BACKENDS, createHarness, type Harness, REDIS_TEST_URL, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, signIn } from '../support/people.ts';

describe.each(BACKENDS)('sessions (%s)', (backend) => {
  let h: Harness;
  let acc: TestAccount;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_SESSION_IDLE_MINUTES: '60', HELLIO_SESSION_MAX_HOURS: '3', HELLIO_LOGIN_PER_EMAIL: '3', HELLIO_LOGIN_PER_IP: '1000' } });
    acc = await h.account();
  });
  afterAll(async () => h?.close());

  it('signs in with the email in any case, sets an HttpOnly SameSite=Lax cookie, and answers the same for an unknown email as for a wrong password', async () => {
    await createUser(h.rt.ctx, null, { email: 'Case@Example.com', password: 'long enough', accountId: acc.id, role: 'viewer' });
    const res = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'CASE@example.COM', password: 'long enough' } });
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^hellio_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(res.json()).toMatchObject({ user: { email: 'case@example.com' }, accounts: [{ id: acc.id, role: 'viewer' }] });

    const wrong = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'case@example.com', password: 'not the one' } });
    const unknown = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@example.com', password: 'not the one' } });
    expectError(wrong, 401, 'invalid_credentials');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
  });

  it('stores only a hash of the session secret', async () => {
    const s = await person(h, { accountId: acc.id });
    const secret = s.cookie.split('=')[1]!;
    const rows = await h.rt.store.sessions.liveOf(s.userId, clock.now());
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('ends a session idle past the idle timeout, and any session past its absolute expiry', async () => {
    const s = await person(h, { accountId: acc.id });
    clock.advance(59 * 60_000);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).statusCode).toBe(200);
    clock.advance(59 * 60_000);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).statusCode).toBe(200);
    clock.advance(61 * 60_000);
    expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() }), 401, 'not_signed_in');

    const busy = await person(h, { accountId: acc.id });
    for (let i = 0; i < 6; i++) {
      clock.advance(30 * 60_000);
      const res = await h.app.inject({ method: 'GET', url: '/auth/me', headers: busy.headers() });
      expect(res.statusCode, `after ${(i + 1) * 30} min`).toBe(i < 5 ? 200 : 401);
    }
  });

  it('refuses a state-changing request without the CSRF token, with another token, or from another origin', async () => {
    const s = await person(h, { accountId: acc.id });
    const other = await person(h, { accountId: acc.id });
    expectError(await h.app.inject({ method: 'POST', url: '/auth/logout', headers: s.headers({ csrf: false }) }), 403, 'csrf_failed');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': other.csrf } }), 403, 'csrf_failed');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/logout', headers: { ...s.headers(), origin: 'https://evil.example' } }), 403, 'csrf_failed');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/logout', headers: { ...s.headers(), 'sec-fetch-site': 'cross-site' } }), 403, 'csrf_failed');
    // A cross-site sign-in form (login CSRF) is refused too.
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', headers: { 'sec-fetch-site': 'cross-site' }, payload: { email: s.email, password: s.password } }), 403, 'csrf_failed');
    // Same origin, with the token: accepted.
    const ok = await h.app.inject({ method: 'POST', url: '/auth/logout', headers: { ...s.headers(), origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() }), 401, 'not_signed_in');
  });

  it('lists sessions, revokes one (another user\'s id is 404), and logs out everywhere', async () => {
    const first = await person(h, { accountId: acc.id });
    const second = await signIn(h, first.email, first.password);
    const third = await signIn(h, first.email, first.password);
    const stranger = await person(h, { accountId: acc.id });
    const list = (await h.app.inject({ method: 'GET', url: '/auth/sessions', headers: first.headers() })).json();
    expect(list.data).toHaveLength(3);
    expect(list.data.filter((x: { current: boolean }) => x.current)).toHaveLength(1);
    const secondId = list.data.find((x: { current: boolean }) => !x.current).id as string;

    expectError(await h.app.inject({ method: 'DELETE', url: `/auth/sessions/${secondId}`, headers: stranger.headers() }), 404, 'not_found');
    expect((await h.app.inject({ method: 'DELETE', url: `/auth/sessions/${secondId}`, headers: first.headers() })).statusCode).toBe(200);
    const everywhere = await h.app.inject({ method: 'POST', url: '/auth/sessions/revoke-all', headers: first.headers() });
    expect(everywhere.json()).toEqual({ revoked: 1 });
    for (const s of [second, third]) expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() }), 401, 'not_signed_in');
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: first.headers() })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: stranger.headers() })).statusCode).toBe(200);
  });

  it('limits sign-in attempts per email, whatever the password', async () => {
    await createUser(h.rt.ctx, null, { email: 'limited@example.com', password: 'right password', accountId: acc.id });
    for (let i = 0; i < 3; i++) {
      expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'limited@example.com', password: 'wrong password' } }), 401, 'invalid_credentials');
    }
    const refused = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'limited@example.com', password: 'right password' } });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The same limit for an email nobody has: the answer does not tell them apart.
    for (let i = 0; i < 3; i++) await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'ghost@example.com', password: 'x' } });
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'ghost@example.com', password: 'x' } }), 429, 'rate_limited');
  });
});

describe.each(BACKENDS)('session cookie behind a TLS proxy (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => h?.close());

  it('is Secure when a trusted proxy says the request came over HTTPS, and not otherwise', async () => {
    const acc = await h.account();
    await createUser(h.rt.ctx, null, { email: 'tls@example.com', password: 'long enough', accountId: acc.id });
    const payload = { email: 'tls@example.com', password: 'long enough' };
    const viaTls = await h.app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload });
    expect(String(viaTls.headers['set-cookie'])).toMatch(/; Secure/);
    const plain = await h.app.inject({ method: 'POST', url: '/auth/login', payload });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
    // From an address that is not a trusted proxy the header is not believed.
    const spoofed = await h.app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '198.51.100.7', headers: { 'x-forwarded-proto': 'https' }, payload });
    expect(String(spoofed.headers['set-cookie'])).not.toMatch(/Secure/);
  });
});


describe('sign-in limits shared through Redis (postgres, two API instances)', () => {
  let one: Harness;
  let two: Harness;
  beforeAll(async () => {
    const env = { REDIS_URL: REDIS_TEST_URL, HELLIO_LOGIN_PER_EMAIL: '4', HELLIO_LOGIN_PER_IP: '1000' };
    one = await createHarness('postgres', { env });
    two = await createHarness('postgres', { env, database: one.database });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('counts the attempts on every instance against the same limit', async () => {
    const acc = await one.account();
    const email = `shared-${Date.now()}@example.com`;
    await createUser(one.rt.ctx, null, { email, password: 'right password', accountId: acc.id });
    const attempt = (h: Harness) => h.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong password' } });
    for (const h of [one, two, one, two]) expectError(await attempt(h), 401, 'invalid_credentials');
    expectError(await attempt(two), 429, 'rate_limited');
    expectError(await one.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'right password' } }), 429, 'rate_limited');
  });
});

describe.each(BACKENDS)('requests per session (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_SESSION_REQUESTS_PER_MINUTE: '5' } });
  });
  afterAll(async () => h?.close());

  it('limits each session on its own (HELLIO_SESSION_REQUESTS_PER_MINUTE), with Retry-After', async () => {
    const acc = await h.account();
    const s = await person(h, { accountId: acc.id });
    const other = await person(h, { accountId: acc.id });
    for (let i = 0; i < 5; i++) expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).statusCode).toBe(200);
    const refused = await h.app.inject({ method: 'GET', url: `/accounts/${acc.id}/messages`, headers: s.headers() });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: other.headers() })).statusCode).toBe(200);
  });
});
