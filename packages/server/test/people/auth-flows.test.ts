import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { announceSetupLink } from '../../src/main.ts';
import { setAccountStatus } from '../../src/modules/access/accounts.ts';
import { listAudit } from '../../src/modules/people/audit.ts';
import { issueToken } from '../../src/modules/people/tokens.ts';
import { createUser } from '../../src/modules/people/users.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { expectError, LogCapture } from '../support/http-assert.ts';
import { linkToken, mailTo } from '../support/mailbox.ts';
import { cookieOf, signIn } from '../support/people.ts';

const LIMITS = { HELLIO_LOGIN_PER_IP: '100000', HELLIO_LOGIN_PER_EMAIL: '1000' };
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

describe.each(BACKENDS)('first run (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  const log = new LogCapture();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, logStream: log, env: { ...LIMITS, HELLIO_PUBLIC_URL: 'https://hellio.example.com/' } });
  });
  afterAll(async () => h?.close());

  it('prints a one-time setup link to the log and the console while no user exists; a restart voids the older link', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/auth/setup' })).json()).toEqual({ needed: true });
    const printed: string[] = [];
    const first = await announceSetupLink(h.rt, (line) => printed.push(line));
    expect(first).toMatch(/^https:\/\/hellio\.example\.com\/dashboard\/setup\?token=[A-Za-z0-9_-]{43}$/);
    expect(printed.join('\n')).toContain(first!);
    const record = log.records().find((r) => r.setup_url === first);
    expect(record?.msg).toMatch(/setup link/);
    // Stored hashed: the row is found by the hash of the token, and does not contain it.
    const row = await h.rt.store.userTokens.byHash(hashSecret(tokenOf(first!)));
    expect(row).toMatchObject({ kind: 'setup', used_at: null });
    expect(JSON.stringify(row)).not.toContain(tokenOf(first!));

    // The process restarts and no user exists yet: a fresh link, and the printed one stops working.
    const second = await announceSetupLink(h.rt, () => undefined);
    expect(second).not.toBe(first);
    const stale = await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: tokenOf(first!), email: 'op@example.com', password: 'a long password' } });
    expectError(stale, 400, 'token_invalid');

    // A password too short does not spend the link.
    const weak = await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: tokenOf(second!), email: 'op@example.com', password: 'short' } });
    expectError(weak, 422, 'validation_failed');

    const res = await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: tokenOf(second!), email: 'Op@Example.com', password: 'a long password', name: 'Ops' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      user: { email: 'op@example.com', name: 'Ops', operator: true, email_verified: true },
      accounts: [{ name: 'My account', status: 'active', role: 'owner' }],
    });
    expect(typeof body.csrf_token).toBe('string');
    const cookie = cookieOf(res);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } })).json().user.email).toBe('op@example.com');

    const audit = await listAudit(h.rt.store, body.accounts[0].id, { action: 'user.setup' });
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ target: body.user.id, actor: { type: 'user', id: body.user.id } });

    // Single use, and no second operator by the back door.
    const again = await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: tokenOf(second!), email: 'other@example.com', password: 'a long password' } });
    expectError(again, 400, 'token_invalid');
    expect((await h.app.inject({ method: 'GET', url: '/auth/setup' })).json()).toEqual({ needed: false });
    expect(await announceSetupLink(h.rt, () => expect.fail('nothing is printed once a user exists'))).toBeNull();
  });

  it('refuses a setup token once a user exists, an unknown token, and an expired one', async () => {
    // Users exist now (the test above): even a link issued by hand is refused.
    const { secret } = await issueToken(h.rt.store, { kind: 'setup' }, 60_000, clock.now());
    expectError(await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: secret, email: 'x@example.com', password: 'a long password' } }), 400, 'token_invalid');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: 'made-up', email: 'x@example.com', password: 'a long password' } }), 400, 'token_invalid');
    const expiring = await issueToken(h.rt.store, { kind: 'setup' }, 60_000, clock.now());
    clock.advance(61_000);
    expectError(await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: expiring.secret, email: 'y@example.com', password: 'a long password' } }), 400, 'token_invalid');
  });
});

describe.each(BACKENDS)('an expired setup link (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: LIMITS });
  });
  afterAll(async () => h?.close());

  it('works for HELLIO setup TTL (24 h) and not after', async () => {
    const link = (await announceSetupLink(h.rt, () => undefined))!;
    clock.advance(24 * 3_600_000 + 1);
    const res = await h.app.inject({ method: 'POST', url: '/auth/setup', payload: { token: tokenOf(link), email: 'op@example.com', password: 'a long password' } });
    expectError(res, 400, 'token_invalid');
    expect(await h.rt.store.users.count()).toBe(0);
  });
});

describe.each(BACKENDS)('sign-up closed (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: LIMITS });
  });
  afterAll(async () => h?.close());

  it('refuses every sign-up with 403 signup_closed (the default)', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/auth/signup', payload: { email: 'new@example.com', password: 'a long password', account_name: 'Acme' } });
    expectError(res, 403, 'signup_closed');
    expect(await h.rt.store.users.byEmail('new@example.com')).toBeUndefined();
    expect(await mailTo(h, 'new@example.com')).toHaveLength(0);
  });
});

for (const mode of ['approval', 'open'] as const) {
  describe.each(BACKENDS)(`sign-up ${mode} (%s)`, (backend) => {
    let h: Harness;
    const clock = new MovableClock();
    beforeAll(async () => {
      h = await createHarness(backend, { clock, env: { ...LIMITS, HELLIO_SIGNUP: mode } });
    });
    afterAll(async () => h?.close());

    const signUp = (email: string, password = 'a long password', account_name = 'Acme') =>
      h.app.inject({ method: 'POST', url: '/auth/signup', payload: { email, password, account_name, name: 'Ada' } });

    it('makes a user and a pending account they own; its keys answer 403 until the account is active', async () => {
      const res = await signUp('ada@example.com');
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toEqual({ status: 'check_your_email' });

      const s = await signIn(h, 'ada@example.com', 'a long password');
      const me = (await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).json();
      expect(me.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', email_verified: false, operator: false });
      expect(me.accounts).toEqual([{ id: expect.stringMatching(/^acc_/), name: 'Acme', status: 'pending', role: 'owner' }]);
      const accountId = me.accounts[0].id as string;
      const key = await h.key(accountId);
      expectError(await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) }), 403, 'account_not_active');

      const audit = await listAudit(h.rt.store, accountId, { action: 'user.signup' });
      expect(audit.data[0]).toMatchObject({ target: me.user.id, after: { email: 'ada@example.com', status: 'pending', mode } });

      // The verification link arrives through the platform's email channel (the simulator here).
      const token = await linkToken(h, 'ada@example.com', 'verify-email');
      const verified = await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });
      expect(verified.statusCode, verified.body).toBe(200);
      const status = mode === 'open' ? 'active' : 'pending';
      expect(verified.json()).toEqual({ verified: true, email: 'ada@example.com', account: { id: accountId, name: 'Acme', status } });
      expect((await h.rt.store.users.byEmail('ada@example.com'))!.email_verified_at).not.toBeNull();
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } }), 400, 'token_invalid');

      const balance = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) });
      if (mode === 'open') {
        expect(balance.statusCode, balance.body).toBe(200);
        expect((await listAudit(h.rt.store, accountId, { action: 'account.activate' })).data).toHaveLength(1);
      } else {
        expectError(balance, 403, 'account_not_active');
        // An operator activates it; the same key works from then on.
        await setAccountStatus(h.rt.ctx, accountId, 'active');
        expect((await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) })).statusCode).toBe(200);
      }
    });

    it('answers an address that already has a user exactly like a new one, and mails its owner instead', async () => {
      await createUser(h.rt.ctx, null, { email: 'taken@example.com', password: 'the real password' });
      const fresh = await signUp('fresh@example.com');
      const taken = await signUp('TAKEN@example.com', 'another password');
      expect(taken.statusCode).toBe(fresh.statusCode);
      expect(taken.body).toBe(fresh.body);
      expect(taken.headers['content-type']).toBe(fresh.headers['content-type']);

      const mail = await mailTo(h, 'taken@example.com');
      expect(mail).toHaveLength(1);
      expect(mail[0]!.subject).toMatch(/tried to sign up/);
      expect(mail[0]!.body).toContain('/dashboard/forgot-password');
      expect(mail[0]!.body).not.toMatch(/token=/);
      // Nothing changed for the existing user: no second account, the password stands.
      const user = (await h.rt.store.users.byEmail('taken@example.com'))!;
      expect(await h.rt.store.users.accountsOf(user.id)).toHaveLength(0);
      await signIn(h, 'taken@example.com', 'the real password');
    });

    it('sends a fresh verification link to an address that signed up but never confirmed, voiding the older one', async () => {
      await signUp('slow@example.com');
      const first = await linkToken(h, 'slow@example.com', 'verify-email');
      const again = await signUp('slow@example.com', 'not the first password');
      expect(again.statusCode).toBe(202);
      const second = await linkToken(h, 'slow@example.com', 'verify-email');
      expect(second).not.toBe(first);
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: first } }), 400, 'token_invalid');
      const ok = await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: second } });
      expect(ok.statusCode, ok.body).toBe(200);
      // Still one account: the second sign-up made nothing, and the link names the first one.
      const user = (await h.rt.store.users.byEmail('slow@example.com'))!;
      const accounts = await h.rt.store.users.accountsOf(user.id);
      expect(accounts).toHaveLength(1);
      expect(ok.json().account.id).toBe(accounts[0]!.account_id);
      await signIn(h, 'slow@example.com', 'a long password');
    });

    it('refuses an expired or unknown verification link, and a link of another kind', async () => {
      await signUp('late@example.com');
      const token = await linkToken(h, 'late@example.com', 'verify-email');
      clock.advance(48 * 3_600_000 + 1);
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } }), 400, 'token_invalid');
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: 'not-a-token' } }), 400, 'token_invalid');
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: {} }), 422, 'validation_failed');
      await h.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email: 'late@example.com' } });
      const reset = await linkToken(h, 'late@example.com', 'reset-password');
      expectError(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: reset } }), 400, 'token_invalid');
      expect((await h.rt.store.users.byEmail('late@example.com'))!.email_verified_at).toBeNull();
    });

    it('validates the sign-up', async () => {
      const noAccount = await h.app.inject({ method: 'POST', url: '/auth/signup', payload: { email: 'v@example.com', password: 'a long password' } });
      expectError(noAccount, 422, 'validation_failed');
      expectError(await signUp('not an address'), 422, 'validation_failed');
      expectError(await signUp('v@example.com', 'short'), 422, 'validation_failed');
      expectError(await signUp('v@example.com', 'a long password', '   '), 422, 'validation_failed');
      expect(await h.rt.store.users.byEmail('v@example.com')).toBeUndefined();
      // A cross-site form cannot sign someone up.
      const cross = await h.app.inject({ method: 'POST', url: '/auth/signup', headers: { 'sec-fetch-site': 'cross-site' }, payload: { email: 'v@example.com', password: 'a long password', account_name: 'A' } });
      expectError(cross, 403, 'csrf_failed');
    });
  });
}

describe.each(BACKENDS)('sign-up and reset limits (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_SIGNUP: 'open', HELLIO_LOGIN_PER_IP: '4', HELLIO_LOGIN_PER_EMAIL: '2' } });
  });
  afterAll(async () => h?.close());

  it('limits sign-ups per email, whether or not the address has a user', async () => {
    const payload = { email: 'again@example.com', password: 'a long password', account_name: 'A' };
    const signUp = () => h.app.inject({ method: 'POST', url: '/auth/signup', remoteAddress: '10.0.0.1', payload });
    for (let i = 0; i < 2; i++) expect((await signUp()).statusCode).toBe(202);
    const refused = await signUp();
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  const request = (email: string, ip: string) => h.app.inject({ method: 'POST', url: '/auth/password-reset', remoteAddress: ip, payload: { email } });

  it('limits reset requests per email, known or not', async () => {
    for (const [email, ip] of [['limit-known@example.com', '10.0.0.2'], ['limit-ghost@example.com', '10.0.0.3']] as const) {
      if (email.includes('known')) await createUser(h.rt.ctx, null, { email, password: 'old password' });
      for (let i = 0; i < 2; i++) expect((await request(email, ip)).statusCode).toBe(202);
      const refused = await request(email, ip);
      expectError(refused, 429, 'rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    expectError(await request('not an address', '10.0.0.2'), 422, 'validation_failed');
  });

  it('limits reset requests per client address, whatever the email', async () => {
    for (let i = 0; i < 4; i++) expect((await request(`many-${i}@example.com`, '10.0.0.4')).statusCode).toBe(202);
    expectError(await request('many-4@example.com', '10.0.0.4'), 429, 'rate_limited');
    // Another address is not held back by it.
    expect((await request('many-4@example.com', '10.0.0.5')).statusCode).toBe(202);
  });
});

describe.each(BACKENDS)('password reset (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: LIMITS });
  });
  afterAll(async () => h?.close());

  const request = (email: string) => h.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email } });
  const confirm = (token: string, password: string) => h.app.inject({ method: 'POST', url: '/auth/password-reset/confirm', payload: { token, password } });

  it('answers the same for an unknown address, and mails a link only to a known one', async () => {
    await createUser(h.rt.ctx, null, { email: 'known@example.com', password: 'old password' });
    const known = await request('Known@example.com');
    const unknown = await request('unknown@example.com');
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual({ status: 'check_your_email' });
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(await mailTo(h, 'unknown@example.com')).toHaveLength(0);
    expect(await mailTo(h, 'known@example.com')).toHaveLength(1);
  });

  it('sets the new password once, ends every session, and leaves the old password useless', async () => {
    await createUser(h.rt.ctx, null, { email: 'reset@example.com', password: 'old password' });
    const a = await signIn(h, 'reset@example.com', 'old password');
    const b = await signIn(h, 'reset@example.com', 'old password');
    expect((await request('reset@example.com')).statusCode).toBe(202);
    const token = await linkToken(h, 'reset@example.com', 'reset-password');

    // Too short: refused, and the link still works after.
    expectError(await confirm(token, 'short'), 422, 'validation_failed');
    const ok = await confirm(token, 'brand new password');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ status: 'password_changed' });
    for (const s of [a, b]) expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() }), 401, 'not_signed_in');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'reset@example.com', password: 'old password' } }), 401, 'invalid_credentials');
    await signIn(h, 'reset@example.com', 'brand new password');

    expectError(await confirm(token, 'yet another password'), 400, 'token_invalid');
    await signIn(h, 'reset@example.com', 'brand new password');
    const user = (await h.rt.store.users.byEmail('reset@example.com'))!;
    expect((await listAudit(h.rt.store, null, { action: 'user.password' })).data.some((r) => r.target === user.id)).toBe(true);
  });

  it('voids an older link when a newer one is sent, refuses an expired link and an unknown one', async () => {
    await createUser(h.rt.ctx, null, { email: 'twice@example.com', password: 'old password' });
    await request('twice@example.com');
    const older = await linkToken(h, 'twice@example.com', 'reset-password');
    await request('twice@example.com');
    const newer = await linkToken(h, 'twice@example.com', 'reset-password');
    expect(newer).not.toBe(older);
    expectError(await confirm(older, 'brand new password'), 400, 'token_invalid');

    clock.advance(60 * 60_000 + 1);
    expectError(await confirm(newer, 'brand new password'), 400, 'token_invalid');
    expectError(await confirm('no-such-token', 'brand new password'), 400, 'token_invalid');
    await signIn(h, 'twice@example.com', 'old password');
  });

});
