import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { totpCode, totpStepOf } from '../../src/lib/totp.ts';
import { listAudit } from '../../src/modules/people/audit.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session, signIn } from '../support/people.ts';

describe.each(BACKENDS)('TOTP second factor (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_LOGIN_PER_IP: '100000', HELLIO_LOGIN_PER_EMAIL: '1000' } });
  });
  afterAll(async () => h?.close());

  const post = (s: Session, url: string, payload?: object) => h.app.inject({ method: 'POST', url, headers: s.headers(), ...(payload ? { payload } : {}) });
  const login = (s: Session, extra: object = {}) => h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: s.email, password: s.password, ...extra } });

  /** Turns the second factor on for `s`; answers the secret and the recovery codes. */
  async function enable(s: Session): Promise<{ secret: string; codes: string[]; enabledWith: string }> {
    const setup = await post(s, '/auth/totp/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const { secret } = setup.json();
    const enabledWith = totpCode(secret, clock.now());
    const on = await post(s, '/auth/totp/enable', { code: enabledWith });
    expect(on.statusCode, on.body).toBe(200);
    // The next step: the code that turned the factor on is spent, a code of this step is not.
    clock.advance(30_000);
    return { secret, codes: on.json().recovery_codes, enabledWith };
  }

  it('sets up a pending secret, enables it with a code, and answers ten recovery codes stored only hashed', async () => {
    const s = await person(h);
    const setup = await post(s, '/auth/totp/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const { secret, otpauth_uri } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauth_uri).toBe(`otpauth://totp/${encodeURIComponent(`Hellio:${s.email}`)}?secret=${secret}&issuer=Hellio&algorithm=SHA1&digits=6&period=30`);
    // Pending: signing in does not ask for a code yet.
    expect((await login(s)).statusCode).toBe(200);

    expectError(await post(s, '/auth/totp/enable', { code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' }), 401, 'invalid_credentials');
    const on = await post(s, '/auth/totp/enable', { code: totpCode(secret, clock.now()) });
    expect(on.statusCode, on.body).toBe(200);
    const codes = on.json().recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const row = (await h.rt.store.users.get(s.userId))!;
    for (const c of codes) expect(row.recovery_codes).not.toContain(c);
    expect(JSON.parse(row.recovery_codes)).toHaveLength(10);
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: s.headers() })).json().user.totp_enabled).toBe(true);
    expect((await listAudit(h.rt.store, null, { action: 'user.totp.enable' })).data.some((r) => r.target === s.userId)).toBe(true);

    // On: a new secret needs it turned off first, and enabling again is refused.
    expectError(await post(s, '/auth/totp/setup'), 409, 'conflict');
    expectError(await post(s, '/auth/totp/enable', { code: totpCode(secret, clock.now()) }), 409, 'conflict');
  });

  it('asks for the code at sign-in; a recovery code works once, in any case', async () => {
    const s = await person(h);
    const { secret, codes } = await enable(s);
    expectError(await login(s), 401, 'totp_required');
    expectError(await login(s, { totp_code: '12345' }), 401, 'invalid_credentials');
    // A wrong password with a right code is still a wrong password.
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: s.email, password: 'wrong password', totp_code: totpCode(secret, clock.now()) } }), 401, 'invalid_credentials');
    expect((await login(s, { totp_code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
    // Two steps later the old code is stale.
    const old = totpCode(secret, clock.now());
    clock.advance(90_000);
    if (old !== totpCode(secret, clock.now())) expectError(await login(s, { totp_code: old }), 401, 'invalid_credentials');

    expect((await login(s, { recovery_code: ` ${codes[0]!.toUpperCase()} ` })).statusCode).toBe(200);
    expectError(await login(s, { recovery_code: codes[0]! }), 401, 'invalid_credentials');
    expect((await login(s, { recovery_code: codes[1]! })).statusCode).toBe(200);
  });

  it('replaces the recovery codes with a current code; the old ones stop working', async () => {
    const s = await person(h);
    const { secret, codes } = await enable(s);
    expectError(await post(s, '/auth/totp/recovery-codes', { code: 'nope' }), 401, 'invalid_credentials');
    const res = await post(s, '/auth/totp/recovery-codes', { code: totpCode(secret, clock.now()) });
    expect(res.statusCode, res.body).toBe(200);
    const fresh = res.json().recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => codes.includes(c))).toBe(false);
    expectError(await login(s, { recovery_code: codes[2]! }), 401, 'invalid_credentials');
    expect((await login(s, { recovery_code: fresh[0]! })).statusCode).toBe(200);
  });

  it('turns off with the password and a code (or a recovery code); then sign-in needs no code', async () => {
    const s = await person(h);
    const { secret, codes } = await enable(s);
    expectError(await post(s, '/auth/totp/disable', { password: 'wrong password', code: totpCode(secret, clock.now()) }), 401, 'invalid_credentials');
    expectError(await post(s, '/auth/totp/disable', { password: s.password, code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' }), 401, 'invalid_credentials');
    expect((await h.rt.store.users.get(s.userId))!.totp_enabled_at).not.toBeNull();
    const off = await post(s, '/auth/totp/disable', { password: s.password, code: codes[3]! });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toEqual({ totp_enabled: false });
    const row = (await h.rt.store.users.get(s.userId))!;
    expect(row).toMatchObject({ totp_secret: null, totp_enabled_at: null, recovery_codes: '[]' });
    expect((await login(s)).statusCode).toBe(200);
    expectError(await post(s, '/auth/totp/disable', { password: s.password, code: totpCode(secret, clock.now()) }), 409, 'conflict');
    expectError(await post(s, '/auth/totp/recovery-codes', { code: totpCode(secret, clock.now()) }), 409, 'conflict');
    expect((await listAudit(h.rt.store, null, { action: 'user.totp.disable' })).data.some((r) => r.target === s.userId)).toBe(true);
  });

  it('needs a session and its CSRF token, and a setup before enabling', async () => {
    const s = await person(h);
    expectError(await post(s, '/auth/totp/enable', { code: '123456' }), 409, 'conflict');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/totp/setup' }), 401, 'not_signed_in');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/totp/setup', headers: s.headers({ csrf: false }) }), 403, 'csrf_failed');
    expectError(await post(s, '/auth/totp/enable', {}), 422, 'validation_failed');
  });

  it('limits the checks of codes per user', async () => {
    const limited = await createHarness(backend, { clock, env: { HELLIO_LOGIN_PER_IP: '100000', HELLIO_LOGIN_PER_EMAIL: '3' } });
    try {
      const s = await person(limited);
      await limited.app.inject({ method: 'POST', url: '/auth/totp/setup', headers: s.headers() });
      for (let i = 0; i < 3; i++) {
        expectError(await limited.app.inject({ method: 'POST', url: '/auth/totp/enable', headers: s.headers(), payload: { code: 'abcdef' } }), 401, 'invalid_credentials');
      }
      expectError(await limited.app.inject({ method: 'POST', url: '/auth/totp/enable', headers: s.headers(), payload: { code: 'abcdef' } }), 429, 'rate_limited');
      // A sign-in is not held back by it.
      await signIn(limited, s.email, s.password);
    } finally {
      await limited.close();
    }
  });

  it('takes a code once: not again in its 30-second window, and not from two sign-ins at once', async () => {
    const s = await person(h);
    const { secret, codes, enabledWith } = await enable(s);
    // The code that turned the factor on is spent, though still inside its window.
    expect(totpStepOf(secret, enabledWith, clock.now())).not.toBeNull();
    expectError(await login(s, { totp_code: enabledWith }), 401, 'invalid_credentials');
    const code = totpCode(secret, clock.now());
    const [x, y] = await Promise.all([login(s, { totp_code: code }), login(s, { totp_code: code })]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 401]);
    expectError(await login(s, { totp_code: code }), 401, 'invalid_credentials');

    // A recovery code raced by two sign-ins works once; two codes at once both end spent.
    const [a, b] = await Promise.all([login(s, { recovery_code: codes[0] }), login(s, { recovery_code: codes[0] })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 401]);
    expectError(await login(s, { recovery_code: codes[0] }), 401, 'invalid_credentials');
    // Two codes at once: neither write undoes the other; a code that lost the race is still unspent.
    const raced = await Promise.all([login(s, { recovery_code: codes[1] }), login(s, { recovery_code: codes[2] })]);
    expect(raced.some((r) => r.statusCode === 200)).toBe(true);
    for (const [i, first] of raced.entries()) {
      const again = await login(s, { recovery_code: codes[i + 1] });
      expect(again.statusCode, `code ${i + 1} after ${first.statusCode}`).toBe(first.statusCode === 200 ? 401 : 200);
    }
    expect(JSON.parse((await h.rt.store.users.get(s.userId))!.recovery_codes)).toHaveLength(7);
  });
});

