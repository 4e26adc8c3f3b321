import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { changeAllowlist, setAccountRateLimit, setAccountStatus } from '../../src/modules/access/accounts.ts';
import { revokeKey, setKeyRateLimit } from '../../src/modules/access/keys.ts';
import { SCOPES } from '../../src/modules/access/scopes.ts';
import { BACKENDS, bearer, createHarness, type Harness, REDIS_TEST_URL } from '../support/harness.ts';
import { expectError, expectRequestId, type InjectedResponse, LogCapture, rawSql, statusCounts } from '../support/http-assert.ts';

/**
 * SPEC §2: the request pipeline every authenticated endpoint runs, in order — authenticate,
 * account status, IP allowlist, scope, rate limit (idempotency is in idempotency.test.ts) —
 * and the error body `{code, message, detail}` on every failure path.
 */

const SMS = { from: 'HELLIO', to: '+14155552671', message: 'hello from the pipeline tests' };
const EMAIL = { from: 'Ann <ann@example.com>', to: 'bob@example.org', subject: 'Hi', text: 'hello' };

/** A key of the right shape that no account holds. */
const unknownKey = (test = false) => (test ? 'cs_test_' : 'cs_') + randomBytes(48).toString('base64url');
const allScopesBut = (scope: string) => SCOPES.filter((s) => s !== scope).join(',');

describe.each(BACKENDS)('request pipeline on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  const balance = (key: string, extra: { headers?: Record<string, string>; remoteAddress?: string; app?: Harness['app'] } = {}) =>
    (extra.app ?? h.app).inject({
      method: 'GET',
      url: '/balance',
      headers: { ...bearer(key), ...extra.headers },
      ...(extra.remoteAddress ? { remoteAddress: extra.remoteAddress } : {}),
    });
  const sendSms = (key: string, payload: unknown = SMS, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/sms/send', headers: { ...bearer(key), ...headers }, payload: payload as object });

  describe('1. authentication', () => {
    it('refuses a request without an Authorization header: 401 missing_credentials', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/balance' });
      const body = expectError(res, 401, 'missing_credentials');
      expect(body.message).toMatch(/Authorization/);
    });

    it('treats an empty or blank Authorization header as missing', async () => {
      for (const authorization of ['', '   ']) {
        const res = await h.app.inject({ method: 'GET', url: '/balance', headers: { authorization } });
        expectError(res, 401, 'missing_credentials');
      }
    });

    it('refuses malformed and unknown keys: 401 invalid_credentials, "Invalid user credentials"', async () => {
      const a = await h.account();
      const flipped = a.key.slice(0, -1) + (a.key.endsWith('A') ? 'B' : 'A');
      const presented = [
        'cs_short',
        'cs_',
        'sk_live_' + randomBytes(48).toString('base64url'),
        'Basic dXNlcjpwYXNzd29yZA==',
        `Bearer ${a.key.slice(3)}`, // the secret without its cs_ prefix
        `Bearer ${a.key}x`, // one character too many
        `Bearer ${flipped}`, // right shape, one character off
        `Bearer ${unknownKey()}`,
        `Bearer ${unknownKey(true)}`,
      ];
      for (const authorization of presented) {
        const res = await h.app.inject({ method: 'GET', url: '/balance', headers: { authorization } });
        const body = expectError(res, 401, 'invalid_credentials');
        expect(body).toEqual({ code: 'invalid_credentials', message: 'Invalid user credentials', detail: 'Invalid user credentials' });
      }
    });

    it('accepts "Bearer cs_…", a bare "cs_…" and a lower-case "bearer" scheme', async () => {
      const a = await h.account();
      for (const authorization of [`Bearer ${a.key}`, a.key, `bearer ${a.key}`, `  Bearer   ${a.key}  `]) {
        const res = await h.app.inject({ method: 'GET', url: '/balance', headers: { authorization } });
        expect(res.statusCode, authorization.replace(a.key, 'KEY')).toBe(200);
        expect(res.json()).toMatchObject({ balance: '100.0000', currency: 'USD' });
        expectRequestId(res);
      }
    });

    it('accepts a bare key on POST /send, as the HeliosSend email API documents', async () => {
      const a = await h.account();
      const res = await h.app.inject({ method: 'POST', url: '/send', headers: { authorization: a.key }, payload: EMAIL });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: expect.stringMatching(/^msg_/), status: 'queued' });
    });

    it('accepts a cs_test_ key, which is never charged', async () => {
      const a = await h.account();
      const t = await h.key(a.id, { test: true });
      expect(t.key).toMatch(/^cs_test_[A-Za-z0-9_-]{64}$/);
      const res = await sendSms(t.key);
      expect(res.statusCode).toBe(200);
      expect((await balance(t.key)).json().balance).toBe('100.0000');
    });

    it('refuses a revoked key on the very next request, on every process sharing the database', async () => {
      const a = await h.account();
      const other = await createHarness(backend, { database: h.database });
      try {
        expect((await balance(a.key)).statusCode).toBe(200);
        expect((await balance(a.key, { app: other.app })).statusCode).toBe(200);
        await revokeKey(h.rt.ctx, a.keyId);
        for (const app of [h.app, other.app]) {
          const res = await balance(a.key, { app });
          expect(expectError(res, 401, 'invalid_credentials').detail).toBe('Invalid user credentials');
        }
        // Another key of the same account is unaffected.
        const k2 = await h.key(a.id);
        expect((await balance(k2.key)).statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('accepts a key until its expiry and refuses it after', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { expiresAt: Date.now() + 3_600_000 });
      expect((await balance(k.key)).statusCode).toBe(200);
      await h.rt.store.keys.update(k.id, { expires_at: Date.now() - 1000 });
      const res = await balance(k.key);
      expect(expectError(res, 401, 'invalid_credentials').message).toBe('Invalid user credentials');
    });
  });

  describe('2. account status', () => {
    it.each(['suspended', 'pending'] as const)('refuses every key of a %s account: 403 account_not_active', async (status) => {
      const a = await h.account({ status });
      for (const res of [await balance(a.key), await sendSms(a.key)]) {
        expect(expectError(res, 403, 'account_not_active')).toEqual({
          code: 'account_not_active',
          message: 'Account not active',
          detail: 'Account not active',
        });
      }
    });

    it('takes effect on the next request when an account is suspended, and lifts on activation', async () => {
      const a = await h.account();
      expect((await balance(a.key)).statusCode).toBe(200);
      await setAccountStatus(h.rt.ctx, a.id, 'suspended');
      expectError(await balance(a.key), 403, 'account_not_active');
      await setAccountStatus(h.rt.ctx, a.id, 'active');
      expect((await balance(a.key)).statusCode).toBe(200);
    });
  });

  describe('3. IP allowlist', () => {
    it('is open when the list is empty', async () => {
      const a = await h.account();
      for (const remoteAddress of ['203.0.113.50', '198.51.100.1', '2001:db8::5', '127.0.0.1']) {
        expect((await balance(a.key, { remoteAddress })).statusCode, remoteAddress).toBe(200);
      }
    });

    it('matches an exact IPv4 address', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      expect((await balance(a.key, { remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
      for (const remoteAddress of ['203.0.113.8', '203.0.113.70', '127.0.0.1', '2001:db8::7']) {
        const body = expectError(await balance(a.key, { remoteAddress }), 403, 'ip_not_allowed');
        expect(body).toEqual({ code: 'ip_not_allowed', message: 'Your IP address is not allowed', detail: 'Your IP address is not allowed' });
      }
    });

    it('matches an IPv4 client that a dual-stack socket reports as IPv4-mapped IPv6', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      expect((await balance(a.key, { remoteAddress: '::ffff:203.0.113.7' })).statusCode).toBe(200);
      expectError(await balance(a.key, { remoteAddress: '::ffff:203.0.113.9' }), 403, 'ip_not_allowed');
    });

    it('matches IPv4 CIDR ranges', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '198.51.100.0/24');
      for (const ip of ['198.51.100.0', '198.51.100.1', '198.51.100.255']) {
        expect((await balance(a.key, { remoteAddress: ip })).statusCode, ip).toBe(200);
      }
      for (const ip of ['198.51.101.0', '198.51.99.255', '10.0.0.1']) {
        expectError(await balance(a.key, { remoteAddress: ip }), 403, 'ip_not_allowed');
      }
    });

    it('matches IPv6 CIDR ranges', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '2001:db8:abcd::/48');
      for (const ip of ['2001:db8:abcd::1', '2001:db8:abcd:ffff:ffff:ffff:ffff:ffff', '2001:0db8:abcd:0012::0001']) {
        expect((await balance(a.key, { remoteAddress: ip })).statusCode, ip).toBe(200);
      }
      for (const ip of ['2001:db8:abce::1', '2001:db9::1', '::1', '203.0.113.7']) {
        expectError(await balance(a.key, { remoteAddress: ip }), 403, 'ip_not_allowed');
      }
    });

    it('allows a client matching any one of several entries, and opens again when the list is emptied', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      await changeAllowlist(h.rt.ctx, a.id, 'add', '2001:db8::/32');
      expect((await balance(a.key, { remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
      expect((await balance(a.key, { remoteAddress: '2001:db8:1::1' })).statusCode).toBe(200);
      expectError(await balance(a.key, { remoteAddress: '192.0.2.1' }), 403, 'ip_not_allowed');
      await changeAllowlist(h.rt.ctx, a.id, 'remove', '203.0.113.7');
      expectError(await balance(a.key, { remoteAddress: '203.0.113.7' }), 403, 'ip_not_allowed');
      await changeAllowlist(h.rt.ctx, a.id, 'remove', '2001:db8::/32');
      expect((await balance(a.key, { remoteAddress: '192.0.2.1' })).statusCode).toBe(200);
    });

    it('ignores X-Forwarded-For when no proxy is trusted', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      // The allowed address claimed in the header by a client that is not it: refused.
      expectError(await balance(a.key, { headers: { 'x-forwarded-for': '203.0.113.7' } }), 403, 'ip_not_allowed');
      expectError(
        await balance(a.key, { remoteAddress: '192.0.2.10', headers: { 'x-forwarded-for': '203.0.113.7' } }),
        403,
        'ip_not_allowed',
      );
      // The allowed address itself, whatever the header says: accepted.
      expect((await balance(a.key, { remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '192.0.2.10' } })).statusCode).toBe(200);
    });

    describe('behind a trusted proxy (HELLIO_TRUST_PROXY=127.0.0.1)', () => {
      let proxied: Harness;
      beforeAll(async () => {
        proxied = await createHarness(backend, { database: h.database, env: { HELLIO_TRUST_PROXY: '127.0.0.1' } });
      });
      afterAll(async () => proxied?.close());

      it('honours X-Forwarded-For from the proxy and only from it', async () => {
        const a = await h.account();
        await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
        const via = (remoteAddress: string, xff?: string) =>
          balance(a.key, { app: proxied.app, remoteAddress, ...(xff ? { headers: { 'x-forwarded-for': xff } } : {}) });

        // The proxy (127.0.0.1) speaks for the client.
        expect((await via('127.0.0.1', '203.0.113.7')).statusCode).toBe(200);
        expectError(await via('127.0.0.1', '192.0.2.44'), 403, 'ip_not_allowed');
        // Without the header the client is the proxy itself, which is not allowed.
        expectError(await via('127.0.0.1'), 403, 'ip_not_allowed');
        // An untrusted peer cannot speak for anyone.
        expectError(await via('192.0.2.1', '203.0.113.7'), 403, 'ip_not_allowed');
        // An allowed address a client prepended itself is not believed: the proxy appended the real one.
        expectError(await via('127.0.0.1', '203.0.113.7, 192.0.2.44'), 403, 'ip_not_allowed');
        expect((await via('127.0.0.1', '192.0.2.44, 203.0.113.7')).statusCode).toBe(200);
      });
    });
  });

  describe('4. scope', () => {
    it('refuses a key without sms:send on POST /sms/send: 403 insufficient_scope naming the scope', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'email:send,reports,balance' });
      const body = expectError(await sendSms(k.key), 403, 'insufficient_scope');
      expect(body.message).toContain('sms:send');
    });

    const routes = [
      { method: 'POST' as const, url: '/send', scope: 'email:send', payload: EMAIL, ok: 200 },
      { method: 'POST' as const, url: '/sms/send', scope: 'sms:send', payload: SMS, ok: 200 },
      { method: 'GET' as const, url: '/balance', scope: 'balance', ok: 200 },
      { method: 'GET' as const, url: '/messages', scope: 'reports', ok: 200 },
      { method: 'GET' as const, url: `/messages/${newId('msg')}`, scope: 'reports', ok: 404 },
      { method: 'GET' as const, url: '/campaigns', scope: 'reports', ok: 200 },
      { method: 'GET' as const, url: `/campaigns/${newId('cmp')}`, scope: 'reports', ok: 404 },
    ];

    it.each(routes)('$method $url needs exactly the $scope scope', async ({ method, url, scope, payload, ok }) => {
      const a = await h.account();
      const without = await h.key(a.id, { scopes: allScopesBut(scope) });
      const only = await h.key(a.id, { scopes: scope });
      const call = (key: string) => h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

      const refused = expectError(await call(without.key), 403, 'insufficient_scope');
      expect(refused.message).toContain(`"${scope}"`);

      const allowed = await call(only.key);
      expect(allowed.statusCode, allowed.body).toBe(ok);
    });
  });

  describe('5. rate limit', () => {
    const rl = (res: InjectedResponse) => ({
      limit: Number(res.headers['x-ratelimit-limit']),
      remaining: Number(res.headers['x-ratelimit-remaining']),
      reset: Number(res.headers['x-ratelimit-reset']),
    });

    it('puts X-RateLimit-Limit/Remaining/Reset on every authenticated response (default 120/min)', async () => {
      const a = await h.account();
      const responses = [await balance(a.key), await balance(a.key), await balance(a.key)];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(responses.map((r) => rl(r).limit)).toEqual([120, 120, 120]);
      expect(responses.map((r) => rl(r).remaining)).toEqual([119, 118, 117]);
      for (const r of responses) {
        expect(Number.isInteger(rl(r).reset)).toBe(true);
        expect(rl(r).reset).toBeGreaterThanOrEqual(1);
        expect(rl(r).reset).toBeLessThanOrEqual(60);
      }
    });

    it('puts them on error responses that come after authentication too', async () => {
      const a = await h.account();
      const errors = [
        await sendSms(a.key, {}), // 422 schema
        await sendSms(a.key, { ...SMS, from: 'NOTOURS' }), // 422 sender_not_approved
        await h.app.inject({ method: 'POST', url: '/sms/send', headers: { ...bearer(a.key), 'content-type': 'application/json' }, payload: '{' }), // 400
        await h.app.inject({ method: 'GET', url: `/messages/${newId('msg')}`, headers: bearer(a.key) }), // 404 not_found
      ];
      expect(errors.map((r) => r.statusCode)).toEqual([422, 422, 400, 404]);
      expect(errors.map((r) => rl(r).remaining)).toEqual([119, 118, 117, 116]);
      for (const r of errors) expect(rl(r).limit).toBe(120);
    });

    it('applies a per-key limit: the 4th request of 3/min is 429 rate_limited with Retry-After', async () => {
      const a = await h.account();
      await setKeyRateLimit(h.rt.store, a.keyId, 3);
      const ok = [await balance(a.key), await balance(a.key), await balance(a.key)];
      expect(ok.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(ok.map((r) => rl(r))).toMatchObject([
        { limit: 3, remaining: 2 },
        { limit: 3, remaining: 1 },
        { limit: 3, remaining: 0 },
      ]);
      const refused = await balance(a.key);
      expectError(refused, 429, 'rate_limited');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(rl(refused)).toMatchObject({ limit: 3, remaining: 0 });
      expect(rl(refused).reset).toBeGreaterThanOrEqual(1);
      // Still refused on any endpoint: the limit is the key's, not the route's.
      expectError(await sendSms(a.key), 429, 'rate_limited');
    });

    it('counts per key: another key of the same account has its own window', async () => {
      const a = await h.account();
      await setKeyRateLimit(h.rt.store, a.keyId, 1);
      expect((await balance(a.key)).statusCode).toBe(200);
      expectError(await balance(a.key), 429, 'rate_limited');
      const other = await h.key(a.id);
      const res = await balance(other.key);
      expect(res.statusCode).toBe(200);
      expect(rl(res)).toMatchObject({ limit: 120, remaining: 119 });
    });

    it('falls back to the account limit when the key has none, and a key limit overrides it', async () => {
      const a = await h.account();
      await setAccountRateLimit(h.rt.ctx, a.id, 2);
      expect(rl(await balance(a.key))).toMatchObject({ limit: 2, remaining: 1 });
      expect((await balance(a.key)).statusCode).toBe(200);
      expectError(await balance(a.key), 429, 'rate_limited');

      const own = await h.key(a.id);
      await setKeyRateLimit(h.rt.store, own.id, 5);
      const res = await balance(own.key);
      expect(res.statusCode).toBe(200);
      expect(rl(res)).toMatchObject({ limit: 5, remaining: 4 });
    });

    describe('with HELLIO_RATE_LIMIT_PER_MINUTE=2', () => {
      let limited: Harness;
      beforeAll(async () => {
        limited = await createHarness(backend, { database: h.database, env: { HELLIO_RATE_LIMIT_PER_MINUTE: '2' } });
      });
      afterAll(async () => limited?.close());

      it('uses the server default when neither key nor account sets one', async () => {
        const a = await limited.account();
        const first = await balance(a.key, { app: limited.app });
        expect(first.statusCode).toBe(200);
        expect(rl(first)).toMatchObject({ limit: 2, remaining: 1 });
        expect((await balance(a.key, { app: limited.app })).statusCode).toBe(200);
        expectError(await balance(a.key, { app: limited.app }), 429, 'rate_limited');

        // The account's own setting beats the server default.
        const b = await limited.account();
        await setAccountRateLimit(limited.rt.ctx, b.id, 4);
        expect(rl(await balance(b.key, { app: limited.app }))).toMatchObject({ limit: 4, remaining: 3 });
      });
    });

    describe('shared through Redis by two app instances', () => {
      let one: Harness;
      let two: Harness;
      beforeAll(async () => {
        one = await createHarness(backend, { database: h.database, env: { REDIS_URL: REDIS_TEST_URL } });
        two = await createHarness(backend, { database: h.database, env: { REDIS_URL: REDIS_TEST_URL } });
      });
      afterAll(async () => {
        await one?.close();
        await two?.close();
      });

      it('lets exactly N requests through when they alternate between the instances', async () => {
        expect(one.rt.redis).not.toBeNull();
        expect(two.rt.redis).not.toBeNull();
        const N = 4;
        const a = await one.account();
        await setKeyRateLimit(one.rt.store, a.keyId, N);
        const responses: InjectedResponse[] = [];
        for (let i = 0; i < 2 * N + 1; i++) {
          responses.push(await balance(a.key, { app: (i % 2 === 0 ? one : two).app }));
        }
        expect(statusCounts(responses)).toEqual({ 200: N, 429: N + 1 });
        expect(responses.slice(0, N).map((r) => r.statusCode)).toEqual(Array(N).fill(200));
        // One counter: each instance sees the other's hits.
        expect(responses.slice(0, N).map((r) => rl(r).remaining)).toEqual([3, 2, 1, 0]);
        for (const r of responses.slice(N)) {
          expectError(r, 429, 'rate_limited');
          expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
      });
    });

    describe('with Redis unreachable', () => {
      let down: Harness;
      beforeAll(async () => {
        // Nothing listens on port 1: the limiter never connects.
        down = await createHarness(backend, { database: h.database, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      });
      afterAll(async () => down?.close());

      it('serves key-authenticated requests, limited by this process alone, and /readyz says it is degraded', async () => {
        const a = await down.account();
        await setKeyRateLimit(down.rt.store, a.keyId, 3);
        const sent = await down.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: SMS });
        expect(sent.statusCode, sent.body).toBe(200);
        const responses: InjectedResponse[] = [sent];
        for (let i = 0; i < 3; i++) responses.push(await balance(a.key, { app: down.app }));
        expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
        expect(responses.slice(0, 3).map((r) => rl(r).remaining)).toEqual([2, 1, 0]);
        expectError(responses[3]!, 429, 'rate_limited');
        const ready = await down.app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toEqual({ status: 'ready', degraded: ['redis'] });
      });
    });
  });

  describe('order of the steps', () => {
    it('checks account status before scope: suspended + wrong scope → account_not_active', async () => {
      const a = await h.account({ status: 'suspended' });
      const k = await h.key(a.id, { scopes: 'balance' });
      expectError(await sendSms(k.key), 403, 'account_not_active');
    });

    it('checks account status before the allowlist', async () => {
      const a = await h.account();
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      await setAccountStatus(h.rt.ctx, a.id, 'suspended');
      expectError(await balance(a.key, { remoteAddress: '192.0.2.1' }), 403, 'account_not_active');
    });

    it('checks the allowlist before scope: disallowed IP + wrong scope → ip_not_allowed', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'balance' });
      await changeAllowlist(h.rt.ctx, a.id, 'add', '203.0.113.7');
      expectError(await sendSms(k.key), 403, 'ip_not_allowed');
      // From the allowed address the same request reaches the scope check.
      const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(k.key), payload: SMS, remoteAddress: '203.0.113.7' });
      expectError(res, 403, 'insufficient_scope');
    });

    it('authenticates before anything else: a revoked key of a suspended account → invalid_credentials', async () => {
      const a = await h.account();
      await setAccountStatus(h.rt.ctx, a.id, 'suspended');
      await revokeKey(h.rt.ctx, a.keyId);
      expectError(await balance(a.key), 401, 'invalid_credentials');
    });

    it('authenticates before reading the body', async () => {
      const raw = (headers: Record<string, string>, payload: string) => h.app.inject({ method: 'POST', url: '/sms/send', headers, payload });
      expectError(await raw({ 'content-type': 'application/json' }, '{not json'), 401, 'missing_credentials');
      expectError(await raw({ 'content-type': 'text/plain' }, 'hello'), 401, 'missing_credentials');
      expectError(await raw({ 'content-type': 'application/json', authorization: `Bearer ${unknownKey()}` }, '{}'), 401, 'invalid_credentials');
    });

    it('checks scope before the rate limit, and the rate limit before the body', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'balance' });
      await setKeyRateLimit(h.rt.store, k.id, 1);
      expect((await balance(k.key)).statusCode).toBe(200);
      expectError(await balance(k.key), 429, 'rate_limited');
      // The exhausted key still gets the scope refusal first.
      expectError(await sendSms(k.key), 403, 'insufficient_scope');

      // An exhausted key with the scope: 429 before JSON parsing or validation.
      await setKeyRateLimit(h.rt.store, a.keyId, 1);
      expect((await balance(a.key)).statusCode).toBe(200);
      const malformed = await h.app.inject({
        method: 'POST',
        url: '/sms/send',
        headers: { ...bearer(a.key), 'content-type': 'application/json' },
        payload: '{not json',
      });
      expectError(malformed, 429, 'rate_limited');
      expectError(await sendSms(a.key, {}), 429, 'rate_limited');
    });
  });

  describe('errors on every path', () => {
    it('answers an unknown route with 404 route_not_found, with or without a key', async () => {
      const anonymous = await h.app.inject({ method: 'GET', url: '/nope?x=1' });
      expect(expectError(anonymous, 404, 'route_not_found').message).toContain('/nope');
      const a = await h.account();
      expectError(await h.app.inject({ method: 'POST', url: '/sms/sendd', headers: bearer(a.key), payload: SMS }), 404, 'route_not_found');
      // A known path with another method is a 405 naming the methods it has (test/http/edge.test.ts).
      const wrongMethod = await h.app.inject({ method: 'DELETE', url: '/balance', headers: bearer(a.key) });
      expectError(wrongMethod, 405, 'method_not_allowed');
      expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    });

    it('answers malformed JSON with 400 invalid_json', async () => {
      const a = await h.account();
      for (const payload of ['{"from": "HELLIO",', '{not json}', "{'from':'HELLIO'}", 'nul']) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/sms/send',
          headers: { ...bearer(a.key), 'content-type': 'application/json' },
          payload,
        });
        expectError(res, 400, 'invalid_json');
      }
    });

    it('answers an empty body declared as JSON with 400 invalid_json', async () => {
      const a = await h.account();
      for (const url of ['/sms/send', '/send']) {
        const res = await h.app.inject({ method: 'POST', url, headers: { ...bearer(a.key), 'content-type': 'application/json' }, payload: '' });
        expectError(res, 400, 'invalid_json');
      }
    });

    it('answers a non-JSON content type with 415 unsupported_media_type', async () => {
      const a = await h.account();
      const cases: Array<[contentType: string, payload: string]> = [
        ['text/plain', 'hello'],
        ['text/plain; charset=utf-8', JSON.stringify(SMS)], // JSON text, but not declared as JSON
        ['application/x-www-form-urlencoded', 'from=HELLIO&to=%2B14155552671&message=hi'],
        ['application/xml', '<sms/>'],
      ];
      for (const [contentType, payload] of cases) {
        for (const url of ['/sms/send', '/send']) {
          const res = await h.app.inject({ method: 'POST', url, headers: { ...bearer(a.key), 'content-type': contentType }, payload });
          expect(expectError(res, 415, 'unsupported_media_type').message).toMatch(/application\/json/);
        }
      }
      // Nothing was accepted.
      const list = await h.app.inject({ method: 'GET', url: '/messages', headers: bearer(a.key) });
      expect(list.json().data).toEqual([]);
    });

    it('answers schema errors with 422 validation_failed and errors [{field, message}]', async () => {
      const a = await h.account();
      const missing = expectError(await sendSms(a.key, {}), 422, 'validation_failed');
      expect(missing.errors!.map((e) => e.field).sort()).toEqual(['from', 'message', 'to']);
      const unknown = expectError(await sendSms(a.key, { ...SMS, colour: 'blue' }), 422, 'validation_failed');
      expect(unknown.errors).toContainEqual({ field: 'colour', message: expect.any(String) });
      const badNumber = expectError(await sendSms(a.key, { ...SMS, to: '12345' }), 422, 'validation_failed');
      expect(badNumber.errors!.map((e) => e.field)).toContain('to');
      expect(badNumber.message).toContain('to');
    });

    it('answers an unapproved sender with 422 sender_not_approved (no errors array)', async () => {
      const a = await h.account();
      const body = expectError(await sendSms(a.key, { ...SMS, from: 'NOTOURS' }), 422, 'sender_not_approved');
      expect(body.message).toContain('NOTOURS');
    });

    describe('with HELLIO_BODY_LIMIT=2048', () => {
      let small: Harness;
      beforeAll(async () => {
        small = await createHarness(backend, { database: h.database, env: { HELLIO_BODY_LIMIT: '2048' } });
      });
      afterAll(async () => small?.close());

      it('answers an oversized body with 413 payload_too_large, after authentication', async () => {
        const a = await small.account();
        const big = { ...SMS, message: 'a'.repeat(1500), reference: 'r'.repeat(120), padding: 'x'.repeat(1000) };
        expect(JSON.stringify(big).length).toBeGreaterThan(2048);
        const res = await small.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: big });
        expectError(res, 413, 'payload_too_large');
        expect(res.headers['x-ratelimit-limit']).toBe('120');
        // Without a key, authentication answers first.
        expectError(await small.app.inject({ method: 'POST', url: '/sms/send', payload: big }), 401, 'missing_credentials');
      });

      it('accepts a body under the limit, and POST /send keeps its own larger limit', async () => {
        const a = await small.account();
        const fits = { ...SMS, message: 'a'.repeat(1500) };
        expect(JSON.stringify(fits).length).toBeLessThan(2048);
        expect((await small.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: fits })).statusCode).toBe(200);
        const email = { ...EMAIL, text: 'b'.repeat(5000) };
        const res = await small.app.inject({ method: 'POST', url: '/send', headers: bearer(a.key), payload: email });
        expect(res.statusCode, res.body).toBe(200);
      });
    });

    it('puts a distinct X-Request-Id on successes, 4xx and 404 responses', async () => {
      const a = await h.account();
      const responses = [
        await balance(a.key), // 200
        await h.app.inject({ method: 'GET', url: '/balance' }), // 401
        await sendSms(a.key, {}), // 422
        await h.app.inject({ method: 'GET', url: '/nowhere' }), // 404
        await h.app.inject({ method: 'GET', url: '/healthz' }), // public 200
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 422, 404, 200]);
      const ids = responses.map(expectRequestId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    describe('an internal error', () => {
      let broken: Harness;
      const logs = new LogCapture();
      beforeAll(async () => {
        broken = await createHarness(backend, { logStream: logs });
      });
      afterAll(async () => broken?.close());

      it('answers 500 internal_error with the request id, no stack or SQL, and logs the error under that id', async () => {
        const a = await broken.account();
        const before = await balance(a.key, { app: broken.app });
        expect(before.statusCode).toBe(200);
        await rawSql(broken.database.env, backend === 'postgres' ? 'drop table messages cascade' : 'drop table messages');

        const res = await broken.app.inject({ method: 'GET', url: '/messages', headers: bearer(a.key) });
        const body = expectError(res, 500, 'internal_error');
        const requestId = expectRequestId(res);
        expect(body.message).toContain(requestId);
        for (const leak of [/sql/i, /select/i, /insert/i, /\bfrom\b/i, /messages/i, /relation/i, /no such table/i, /\bat\s/, /\.ts\b/, /node_modules/]) {
          expect(res.body).not.toMatch(leak);
        }
        expect(res.headers['x-ratelimit-limit']).toBe('120');

        const logged = logs.records().filter((r) => r.reqId === requestId && r.level === 50);
        expect(logged.length).toBeGreaterThanOrEqual(1);
        const err = logged[0]!.err as { message?: string; stack?: string } | undefined;
        expect(`${err?.message} ${err?.stack}`).toMatch(/messages/);
      });

      it('gives back the Idempotency-Key and debits nothing when the accept transaction fails', async () => {
        const a = await broken.account();
        const headers = { ...bearer(a.key), 'idempotency-key': `crash-${randomBytes(4).toString('hex')}` };
        const first = await broken.app.inject({ method: 'POST', url: '/sms/send', headers, payload: SMS });
        expectError(first, 500, 'internal_error');
        expect(first.body).not.toMatch(/insert|messages|sql/i);
        // Not remembered (a retry runs again) and not left in progress (no 409).
        const second = await broken.app.inject({ method: 'POST', url: '/sms/send', headers, payload: SMS });
        expectError(second, 500, 'internal_error');
        expect(second.headers['idempotent-replayed']).toBeUndefined();
        expect(second.json().message).not.toBe(first.json().message);
        expect((await balance(a.key, { app: broken.app })).json().balance).toBe('100.0000');
      });
    });
  });

  describe('logs', () => {
    let logged: Harness;
    const logs = new LogCapture();
    beforeAll(async () => {
      logged = await createHarness(backend, { database: h.database, logStream: logs });
    });
    afterAll(async () => logged?.close());

    it('never hold a key or its secret, whatever the outcome', async () => {
      const a = await logged.account();
      const narrow = await logged.key(a.id, { scopes: 'balance' });
      const wrong = unknownKey();
      const inject = (opts: InjectOptions) => logged.app.inject(opts);
      const responses = [
        await inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: SMS }), // 200
        await inject({ method: 'GET', url: '/balance', headers: { authorization: a.key } }), // 200, bare form
        await inject({ method: 'GET', url: '/balance', headers: bearer(wrong) }), // 401
        await inject({ method: 'GET', url: '/balance', headers: { authorization: `Bearer ${a.key}x` } }), // 401, malformed
        await inject({ method: 'POST', url: '/sms/send', headers: bearer(narrow.key), payload: SMS }), // 403
        await inject({ method: 'POST', url: '/sms/send', headers: { ...bearer(a.key), 'content-type': 'application/json' }, payload: '{' }), // 400
        await inject({ method: 'GET', url: '/nowhere', headers: bearer(a.key) }), // 404
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 401, 401, 403, 400, 404]);

      const text = logs.text;
      // The capture really holds these requests' logs, so its silence about keys means something.
      for (const r of responses) expect(text).toContain(String(r.headers['x-request-id']));
      for (const key of [a.key, narrow.key, wrong]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(key.slice('cs_'.length));
        expect(text).not.toContain(key.slice(-32));
      }
    });
  });
});
