import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../src/modules/messages/routing.ts';
import { type FakeSmsApi, startFakeSmsApi } from '../support/fake-sms-api.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

const TOKEN = 'callback-token-0123456789abcdef';

/**
 * A generic HTTP SMS provider configured from the environment, chosen by a route, with status
 * callbacks arriving on /providers/{name}/receipts — against a local server that behaves like one.
 */
describe.each(BACKENDS)('HTTP SMS provider through routes and callbacks on %s', (backend) => {
  let h: Harness;
  let api: FakeSmsApi;

  beforeAll(async () => {
    api = await startFakeSmsApi({ auth: { header: 'authorization', value: 'Bearer provider-secret' } });
    const providers = [
      {
        name: 'acme',
        url: `${api.url}/v1/messages`,
        auth: { type: 'bearer', token: 'provider-secret' },
        body: { from: '{from}', to: '{to}', text: '{text}', client_ref: '{message_id}' },
        idPath: 'messages.0.id',
        receipt: { idField: 'id', statusField: 'status', delivered: ['delivered'], undelivered: ['undelivered'], failed: ['failed', 'expired'] },
      },
    ];
    h = await createHarness(backend, {
      env: { HELLIO_HTTP_SMS_PROVIDERS: JSON.stringify(providers), HELLIO_PROVIDER_CALLBACK_TOKEN: TOKEN },
    });
    await setRoute(h.rt.ctx, h.rt.channels.known, { channel: 'sms', prefix: '49', provider: 'acme', fallback: null });
  });
  afterAll(async () => {
    await h?.close();
    await api?.close();
  });

  const call = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  it('sends over the provider chosen by the route and applies its status callback', async () => {
    const a = await h.account();
    const res = await call(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+4915123456789', message: 'Hallo "Welt"' });
    const id = res.json().messages[0].id;
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const sentReq = api.requests.find((r) => (r.body as { client_ref?: string }).client_ref === id)!;
    expect(sentReq.body).toEqual({ from: 'HELLIO', to: '+4915123456789', text: 'Hallo "Welt"', client_ref: id });
    expect((await call(a.key, 'GET', `/messages/${id}`)).json()).toMatchObject({ status: 'sent' });
    const providerId = (await h.rt.store.delivery.refsOf(id))[0]!.provider_message_id;

    const cb = await h.app.inject({ method: 'POST', url: `/providers/acme/receipts?token=${TOKEN}`, payload: { id: providerId, status: 'delivered' } });
    expect(cb.json()).toEqual({ received: true, applied: true });
    for (let i = 0; i < 100; i++) {
      if ((await call(a.key, 'GET', `/messages/${id}`)).json().status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const m = (await call(a.key, 'GET', `/messages/${id}`)).json();
    expect(m.status).toBe('delivered');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
  });

  it('refuses callbacks without the token, and for unknown providers', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/providers/acme/receipts?token=wrong', payload: { id: 'x', status: 'delivered' } });
    expect(bad.statusCode).toBe(401);
    const missing = await h.app.inject({ method: 'POST', url: '/providers/acme/receipts', payload: { id: 'x', status: 'delivered' } });
    expect(missing.statusCode).toBe(422);
    const unknown = await h.app.inject({ method: 'POST', url: `/providers/nope/receipts?token=${TOKEN}`, payload: { id: 'x', status: 'delivered' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('a 4xx from the provider fails the message permanently and refunds it', async () => {
    const a = await h.account({ balance: '1.00' });
    const previous = api.onRequest;
    api.onRequest = () => ({ status: 400, body: { error: 'invalid number' } });
    try {
      const res = await call(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+4915123456788', message: 'x' });
      const id = res.json().messages[0].id;
      await h.rt.createWorker({ pollMs: 10 }).drain();
      const m = (await call(a.key, 'GET', `/messages/${id}`)).json();
      expect(m.status).toBe('failed');
      expect(m.error).toContain('HTTP 400');
      expect((await call(a.key, 'GET', '/balance')).json().balance).toBe('1.0000');
    } finally {
      api.onRequest = previous;
    }
  });
});
