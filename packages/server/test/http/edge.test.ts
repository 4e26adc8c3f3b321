import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { drainOf } from '../../src/http/drain.ts';

/**
 * The HTTP edge in process (app.inject): strict body types, invalid UTF-8, 405 with Allow, 414
 * without the URL, the in-flight cap. The socket-level limits (timeouts, the HTTP parser's
 * refusals) are in test/e2e/slow-clients.test.ts, against a listening server.
 */
describe.each(BACKENDS)('HTTP edge on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;

  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await h.account();
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (url: string, payload: unknown) => h.app.inject({ method: 'POST', url, headers: bearer(a.key), payload: payload as object });
  const raw = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers: { ...bearer(a.key), 'content-type': 'application/json', ...headers }, payload: body });
  const balance = async () => (await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) })).json();

  describe('strict types in bodies', () => {
    it.each([
      ['/sms/send', { from: 'HELLIO', to: '+14155550100', message: true }, 'message'],
      ['/sms/send', { from: 'HELLIO', to: '+14155550100', message: 12345 }, 'message'],
      ['/sms/send', { from: 'HELLIO', to: 14155550100, message: 'hi' }, 'to'],
      ['/email/verify', { email: 0 }, 'email'],
      ['/email/verify', { email: false }, 'email'],
      ['/otp/send', { to: '+14155550100', expires_in: '6e2' }, 'expires_in'],
      ['/otp/send', { to: '+14155550100', expires_in: '600' }, 'expires_in'],
      ['/otp/send', { to: '+14155550100', expires_in: true }, 'expires_in'],
    ])('%s %j → 422 on %s, nothing charged', async (url, payload, field) => {
      const before = await balance();
      const body = expectError(await post(url, payload), 422, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
      expect(await balance()).toEqual(before);
    });

    it('still accepts the right types', async () => {
      const sms = await post('/sms/send', { from: 'HELLIO', to: '+14155550100', message: 'true' });
      expect(sms.statusCode, sms.body).toBe(200);
      const otp = await post('/otp/send', { to: '+14155550101', expires_in: 600 });
      expect(otp.statusCode, otp.body).toBe(200);
    });

    it('still coerces the query string and path parameters, which are text', async () => {
      const list = await h.app.inject({ method: 'GET', url: '/messages?limit=2', headers: bearer(a.key) });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().data.length).toBeLessThanOrEqual(2);
      const bad = await h.app.inject({ method: 'GET', url: '/messages?limit=many', headers: bearer(a.key) });
      expectError(bad, 422, 'validation_failed');
    });
  });

  describe('invalid UTF-8', () => {
    it('refuses a JSON body that is not valid UTF-8 with 422, charging nothing', async () => {
      const before = await balance();
      const bytes = Buffer.concat([Buffer.from('{"from":"HELLIO","to":"+14155550100","message":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      const body = expectError(await raw('/sms/send', bytes), 422, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'body', message: 'must be valid UTF-8' }]);
      // An overlong encoding of "/" and a lone surrogate are invalid too.
      for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
        const b = Buffer.concat([Buffer.from('{"from":"HELLIO","to":"+14155550100","message":"'), Buffer.from(bad), Buffer.from('"}')]);
        expectError(await raw('/sms/send', b), 422, 'validation_failed');
      }
      expect(await balance()).toEqual(before);
    });

    it('accepts valid multi-byte UTF-8 and still refuses broken JSON as invalid_json', async () => {
      const ok = await raw('/sms/send', Buffer.from('{"from":"HELLIO","to":"+14155550100","message":"café ☃ 😀"}', 'utf8'));
      expect(ok.statusCode, ok.body).toBe(200);
      expectError(await raw('/sms/send', '{"from":'), 400, 'invalid_json');
      expectError(await raw('/sms/send', '{"__proto__":{"x":1},"from":"HELLIO","to":"+14155550100","message":"x"}'), 400, 'invalid_json');
    });
  });

  describe('405 for a known path with another method', () => {
    it('answers 405 method_not_allowed with Allow', async () => {
      const res = await h.app.inject({ method: 'DELETE', url: '/sms/send', headers: bearer(a.key) });
      expectError(res, 405, 'method_not_allowed');
      expect(res.headers.allow).toBe('POST');
      const msg = await h.app.inject({ method: 'PUT', url: '/messages/msg_123', headers: bearer(a.key) });
      expectError(msg, 405, 'method_not_allowed');
      expect(String(msg.headers.allow).split(', ')).toEqual(expect.arrayContaining(['GET', 'HEAD']));
    });

    it('keeps 404 route_not_found for unknown paths', async () => {
      expectError(await h.app.inject({ method: 'GET', url: '/nope' }), 404, 'route_not_found');
      expectError(await h.app.inject({ method: 'DELETE', url: '/sms/send/extra' }), 404, 'route_not_found');
    });
  });

  describe('414 for a path parameter that is too long', () => {
    it('answers uri_too_long in the SPEC body, without echoing the URL', async () => {
      const id = `msg_${'a'.repeat(120)}`;
      const res = await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(a.key) });
      const body = expectError(res, 414, 'uri_too_long');
      expect(res.body).not.toContain('aaaaaaaaaa');
      expect(body.code).not.toMatch(/^FST_/);
    });

    it('answers a path that is not valid percent-encoding with 400 bad_request', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/messages/%E0%A4%A', headers: bearer(a.key) });
      expectError(res, 400, 'bad_request');
    });
  });
});

describe('load shedding (in process)', () => {
  let h: Harness;
  let a: TestAccount;

  beforeAll(async () => {
    h = await createHarness('sqlite', { env: { HELLIO_HTTP_MAX_IN_FLIGHT: '2', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await h.account();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 overloaded with Retry-After beyond the in-flight cap, and serves again after', async () => {
    const send = (i: number) =>
      h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to: `+1415555${1000 + i}`, message: 'x' } });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i)));
    const shed = responses.filter((r) => r.statusCode === 503);
    const served = responses.filter((r) => r.statusCode === 200);
    expect(shed.length + served.length).toBe(12);
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) {
      expectError(r, 503, 'overloaded');
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers.connection).toBe('close');
    }
    // Nothing was accepted for a shed request: one message per 200.
    const listed = (await h.app.inject({ method: 'GET', url: '/messages?limit=100', headers: bearer(a.key) })).json().data;
    expect(listed).toHaveLength(served.length);
    // The slots are given back: one at a time, everything is served.
    for (let i = 0; i < 5; i++) expect((await send(100 + i)).statusCode).toBe(200);
  });
  // That health checks are never shed is shown with slots held by real sockets: test/e2e/slow-clients.test.ts.
});

describe('draining (in process)', () => {
  it('answers every new request 503 not_ready before looking at its key or session, and counts no rate-limit hit', async () => {
    const h = await createHarness('sqlite', { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const a = await h.account();
      const balance = (key: string) => h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key) });
      expect((await balance(a.key)).headers['x-ratelimit-remaining']).toBe('1');
      // Listening, with a client that has sent half a request: the drain waits for it, and
      // meanwhile every new request meets the draining hooks.
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const half = connect((h.app.server.address() as AddressInfo).port, '127.0.0.1');
      await once(half, 'connect');
      half.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      half.on('error', () => undefined);
      const closed = drainOf(h.app).close(Date.now() + 10_000);
      for (const res of [await balance('cs_not_a_key'), await balance(a.key), await balance(a.key), await h.app.inject({ method: 'GET', url: '/auth/me' })]) {
        const body = expectError(res, 503, 'not_ready');
        expect(body.message).toMatch(/shutting down/);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.headers.connection).toBe('close');
        expect(res.headers['x-request-id']).toMatch(/^req_/);
        expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
      }
      // The key's window was not touched by the refused requests.
      expect(await h.rt.rateLimiter.hit(`key:${a.keyId}`, 2, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
      half.destroy();
      expect(await closed).toEqual({ forced: false });
    } finally {
      await h.close();
    }
  });
});
