import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_MAX_ENDPOINTS } from '../../src/modules/webhooks/policy.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const ENDPOINT_KEYS = ['created_at', 'description', 'disabled_reason', 'enabled', 'events', 'id', 'updated_at', 'url'];

/** /webhooks and everything under it: the endpoint API, its errors and its boundaries. */
describe.each(BACKENDS)('webhook endpoints API on %s', (backend) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let a: TestAccount;
  let b: TestAccount;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await h.account();
    b = await h.account();
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const call = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const create = async (acc: TestAccount, body: object) => {
    const res = await call(acc.key, 'POST', '/webhooks', body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('creates an endpoint and shows its whsec_ secret only in that answer', async () => {
    const res = await call(a.key, 'POST', '/webhooks', { url: receiver.url('/a'), events: ['message.delivered', 'message.failed'], description: 'orders' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual([...ENDPOINT_KEYS, 'secret'].sort());
    expect(body).toMatchObject({ url: receiver.url('/a'), events: ['message.delivered', 'message.failed'], description: 'orders', enabled: true, disabled_reason: null });
    expect(body.id).toMatch(/^wh_[0-9a-z]{26}$/);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The secret is a Standard Webhooks secret: a third-party library accepts it as is.
    expect(() => new Webhook(body.secret)).not.toThrow();

    const got = await call(a.key, 'GET', `/webhooks/${body.id}`);
    expect(got.statusCode).toBe(200);
    expect(Object.keys(got.json()).sort()).toEqual(ENDPOINT_KEYS);
    expect(got.body).not.toContain(body.secret.slice(6));
    const list = await call(a.key, 'GET', '/webhooks');
    expect(list.body).not.toContain(body.secret.slice(6));
  });

  it('takes "*" for every event type, and refuses unknown types, an empty list and bad URLs (422)', async () => {
    expect((await create(a, { url: receiver.url('/all'), events: ['*'] })).events).toEqual(['*']);
    const unknown = expectError(await call(a.key, 'POST', '/webhooks', { url: receiver.url('/x'), events: ['message.delivered', 'message.exploded'] }), 422, 'validation_failed');
    expect(unknown.errors).toEqual([{ field: 'events[1]', message: expect.stringContaining('is not an event type') }]);
    const empty = expectError(await call(a.key, 'POST', '/webhooks', { url: receiver.url('/x'), events: [] }), 422, 'validation_failed');
    expect(empty.errors![0]!.field).toBe('events');
    for (const url of ['ftp://127.0.0.1/x', 'not a url', 'javascript:alert(1)', `http://user:pw@127.0.0.1:${receiver.port}/x`]) {
      const body = expectError(await call(a.key, 'POST', '/webhooks', { url, events: ['*'] }), 422, 'validation_failed');
      expect(body.errors![0]!.field, url).toBe('url');
    }
    expectError(await call(a.key, 'POST', '/webhooks', { events: ['*'] }), 422, 'validation_failed');
    expectError(await call(a.key, 'POST', '/webhooks', { url: receiver.url('/x'), events: ['*'], secret: 'mine' }), 422, 'validation_failed');
    expectError(await call(a.key, 'POST', '/webhooks', { url: 'x'.repeat(3000), events: ['*'] }), 422, 'validation_failed');
  });

  it('lists newest first with cursor pagination, and only the account’s own endpoints', async () => {
    const acc = await h.account();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await create(acc, { url: receiver.url(`/p${i}`), events: ['*'] })).id);
    await create(b, { url: receiver.url('/b-own'), events: ['*'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(acc.key, 'GET', `/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e: { id: string }) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    expectError(await call(acc.key, 'GET', '/webhooks?cursor=msg_nope'), 422, 'validation_failed');
    expectError(await call(acc.key, 'GET', '/webhooks?limit=101'), 422, 'validation_failed');
  });

  it('updates url, events, description; disables and re-enables', async () => {
    const e = await create(a, { url: receiver.url('/u1'), events: ['message.sent'] });
    const res = await call(a.key, 'PATCH', `/webhooks/${e.id}`, { url: receiver.url('/u2'), events: ['message.sent', 'balance.low'], description: 'changed' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ url: receiver.url('/u2'), events: ['message.sent', 'balance.low'], description: 'changed', enabled: true });
    const off = (await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: false })).json();
    expect(off).toMatchObject({ enabled: false, disabled_reason: 'disabled by the account' });
    const on = (await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: true })).json();
    expect(on).toMatchObject({ enabled: true, disabled_reason: null });
    expectError(await call(a.key, 'PATCH', `/webhooks/${e.id}`, {}), 422, 'validation_failed');
    expectError(await call(a.key, 'PATCH', `/webhooks/${e.id}`, { events: ['nope'] }), 422, 'validation_failed');
    expectError(await call(a.key, 'PATCH', `/webhooks/${e.id}`, { url: 'gopher://x' }), 422, 'validation_failed');
    expectError(await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: 'yes' }), 422, 'validation_failed');
    // Nothing of a refused change was written.
    expect((await call(a.key, 'GET', `/webhooks/${e.id}`)).json()).toMatchObject({ url: receiver.url('/u2'), events: ['message.sent', 'balance.low'] });
  });

  it('deletes an endpoint; it is gone afterwards', async () => {
    const e = await create(a, { url: receiver.url('/d'), events: ['*'] });
    const res = await call(a.key, 'DELETE', `/webhooks/${e.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: e.id, deleted: true });
    expectError(await call(a.key, 'GET', `/webhooks/${e.id}`), 404, 'not_found');
    expectError(await call(a.key, 'DELETE', `/webhooks/${e.id}`), 404, 'not_found');
  });

  it('rotates the secret: a new one, shown once, and the old one valid for 24 h more', async () => {
    const e = await create(a, { url: receiver.url('/r'), events: ['*'] });
    const before = Date.now();
    const res = await call(a.key, 'POST', `/webhooks/${e.id}/rotate-secret`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(e.secret);
    const until = Date.parse(body.previous_secret_expires_at);
    expect(until).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
  });

  it('answers 404 for another account’s endpoint on every route, exactly like a missing one', async () => {
    const theirs = await create(b, { url: receiver.url('/b'), events: ['*'] });
    const missing = 'wh_00000000000000000000000000';
    for (const id of [theirs.id, missing]) {
      const routes: Array<['GET' | 'POST' | 'PATCH' | 'DELETE', string, object?]> = [
        ['GET', `/webhooks/${id}`],
        ['PATCH', `/webhooks/${id}`, { description: 'mine now' }],
        ['DELETE', `/webhooks/${id}`],
        ['POST', `/webhooks/${id}/rotate-secret`],
        ['POST', `/webhooks/${id}/test`],
        ['GET', `/webhooks/${id}/deliveries`],
        ['POST', `/webhooks/${id}/deliveries/whd_00000000000000000000000000/retry`],
      ];
      for (const [method, url, payload] of routes) {
        const body = expectError(await call(a.key, method, url, payload), 404, 'not_found');
        expect(body.message, url).toBe('Webhook endpoint not found');
      }
    }
    // B's endpoint is untouched and never shows up in A's list.
    expect((await call(b.key, 'GET', `/webhooks/${theirs.id}`)).json()).toMatchObject({ description: null, enabled: true });
    expect((await call(a.key, 'GET', '/webhooks?limit=100')).body).not.toContain(theirs.id);
    expect(receiver.at('/b')).toEqual([]);
  });

  it('answers 404 for a delivery of another endpoint, even of the same account', async () => {
    const one = await create(a, { url: receiver.url('/one'), events: ['*'] });
    const two = await create(a, { url: receiver.url('/two'), events: ['*'] });
    const tested = (await call(a.key, 'POST', `/webhooks/${one.id}/test`)).json();
    const body = expectError(await call(a.key, 'POST', `/webhooks/${two.id}/deliveries/${tested.id}/retry`), 404, 'not_found');
    expect(body.message).toBe('Webhook delivery not found');
  });

  it('needs the webhooks scope (403) and a key (401)', async () => {
    const k = await h.key(a.id, { scopes: 'sms:send,reports,balance' });
    const e = await create(a, { url: receiver.url('/s'), events: ['*'] });
    for (const [method, url] of [
      ['GET', '/webhooks'],
      ['POST', '/webhooks'],
      ['GET', `/webhooks/${e.id}`],
      ['PATCH', `/webhooks/${e.id}`],
      ['DELETE', `/webhooks/${e.id}`],
      ['POST', `/webhooks/${e.id}/test`],
      ['POST', `/webhooks/${e.id}/rotate-secret`],
      ['GET', `/webhooks/${e.id}/deliveries`],
    ] as const) {
      const body = expectError(await call(k.key, method, url, method === 'POST' || method === 'PATCH' ? { url: receiver.url('/s'), events: ['*'] } : undefined), 403, 'insufficient_scope');
      expect(body.message).toContain('"webhooks"');
      expectError(await h.app.inject({ method, url }), 401, 'missing_credentials');
    }
    expect((await call(a.key, 'GET', `/webhooks/${e.id}`)).statusCode).toBe(200);
  });

  it(`caps an account at ${WEBHOOK_MAX_ENDPOINTS} endpoints (409)`, async () => {
    const acc = await h.account();
    for (let i = 0; i < WEBHOOK_MAX_ENDPOINTS; i++) await create(acc, { url: receiver.url(`/cap${i}`), events: ['*'] });
    const body = expectError(await call(acc.key, 'POST', '/webhooks', { url: receiver.url('/one-more'), events: ['*'] }), 409, 'conflict');
    expect(body.message).toContain(String(WEBHOOK_MAX_ENDPOINTS));
  });

  it('POST /webhooks/{id}/test sends a signed webhook.test now and answers with the logged attempt', async () => {
    const e = await create(a, { url: receiver.url('/t'), events: ['message.delivered'] });
    receiver.plan('/t', { status: 503, body: 'down for maintenance' });
    const failed = await call(a.key, 'POST', `/webhooks/${e.id}/test`);
    expect(failed.statusCode, failed.body).toBe(200);
    expect(failed.json()).toMatchObject({
      event_type: 'webhook.test',
      status: 'failed',
      attempt_count: 1,
      last_status_code: 503,
      next_attempt_at: null,
      attempts: [{ attempt: 1, status_code: 503, error: 'HTTP 503', response_excerpt: 'down for maintenance', next_retry_at: null }],
    });
    const ok = (await call(a.key, 'POST', `/webhooks/${e.id}/test`)).json();
    expect(ok).toMatchObject({ status: 'succeeded', last_status_code: 200, attempts: [{ status_code: 200, response_excerpt: 'ok' }] });
    const got = receiver.at('/t');
    expect(got).toHaveLength(2);
    const verified = new Webhook(e.secret).verify(got[1]!.body, got[1]!.headers as Record<string, string>) as { type: string; data: { endpoint_id: string } };
    expect(verified).toMatchObject({ type: 'webhook.test', data: { endpoint_id: e.id } });
    expect(got[1]!.headers['webhook-id']).toBe(ok.event_id);

    // Both are in the delivery log, newest first.
    const log = (await call(a.key, 'GET', `/webhooks/${e.id}/deliveries`)).json();
    expect(log.data.map((d: { id: string }) => d.id)).toEqual([ok.id, failed.json().id]);
    expect((await call(a.key, 'GET', `/webhooks/${e.id}/deliveries?status=failed`)).json().data.map((d: { id: string }) => d.id)).toEqual([failed.json().id]);
    expectError(await call(a.key, 'GET', `/webhooks/${e.id}/deliveries?status=lost`), 422, 'validation_failed');
  });

  it('retries a settled delivery on request; refuses one still pending and one of a disabled endpoint (409)', async () => {
    const e = await create(a, { url: receiver.url('/m'), events: ['*'] });
    receiver.plan('/m', { status: 500 });
    const failed = (await call(a.key, 'POST', `/webhooks/${e.id}/test`)).json();
    expect(failed.status).toBe('failed');
    const res = await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/${failed.id}/retry`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: failed.id, status: 'pending' });
    const again = expectError(await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/${failed.id}/retry`), 409, 'conflict');
    expect(again.message).toContain('still being retried');
    // The queued retry runs in a worker.
    const worker = h.rt.createWorker({ pollMs: 10 });
    await worker.drain();
    const done = (await call(a.key, 'GET', `/webhooks/${e.id}/deliveries`)).json().data.find((d: { id: string }) => d.id === failed.id);
    expect(done).toMatchObject({ status: 'succeeded', attempt_count: 2 });
    expect(done.attempts.map((x: { status_code: number }) => x.status_code)).toEqual([500, 200]);

    await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: false });
    const off = expectError(await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/${failed.id}/retry`), 409, 'conflict');
    expect(off.message).toContain('disabled');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const p of ['/webhooks', '/webhooks/{id}', '/webhooks/{id}/test', '/webhooks/{id}/rotate-secret', '/webhooks/{id}/deliveries', '/webhooks/{id}/deliveries/{delivery_id}/retry']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});
