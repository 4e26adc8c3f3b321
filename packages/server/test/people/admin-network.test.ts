/**
 * The operators' admin API, part 2: the price list, SMS routes, and the providers with their live
 * state (a real SMSC: bound, a submit in the window, the link lost) and the job queue per kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { expectAudit, lastAudit } from '../support/admin.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';

const UK = '+447911123456';

describe.each(BACKENDS)('admin API: prices, routes, providers (%s)', (backend) => {
  let h: Harness;
  let smsc: TestSmsc;
  let op: Session;
  let acc: TestAccount;
  const clock = new MovableClock();
  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, { clock, env: { HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${smsc.port}` } });
    op = await person(h, { operator: true });
    acc = await h.account();
  });
  afterAll(async () => {
    await h?.close();
    await smsc?.close();
  });

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: op.headers(), ...(payload !== undefined ? { payload } : {}) });
  const smsPrice = async (to: string) => {
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(acc.key), payload: { from: 'HELLIO', to, message: 'hi' } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().messages[0].price as string;
  };

  describe('prices', () => {
    it('lists one channel\'s rates, or every channel\'s', async () => {
      const sms = (await admin('GET', '/admin/prices?channel=sms')).json();
      expect(sms.currency).toBe('USD');
      expect(sms.data).toEqual(expect.arrayContaining([{ channel: 'sms', prefix: '', price: '0.0500' }, { channel: 'sms', prefix: '44', price: '0.0400' }]));
      expect(new Set(sms.data.map((r: { channel: string }) => r.channel))).toEqual(new Set(['sms']));
      const all = (await admin('GET', '/admin/prices')).json();
      expect(new Set(all.data.map((r: { channel: string }) => r.channel))).toEqual(new Set(['sms', 'email', 'lookup', 'email_verify', 'voice']));
      expectError(await admin('GET', '/admin/prices?channel=fax'), 422, 'validation_failed');
    });

    it('sets a rate (price.set, with the rate it replaced) that the next send is charged, and removes it (price.remove)', async () => {
      expect(await smsPrice(UK)).toBe('0.0400');
      const set = await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '447911', price: '0.045' });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json()).toEqual({ channel: 'sms', prefix: '447911', price: '0.0450', currency: 'USD' });
      expectAudit(await lastAudit(h, 'price.set', 'sms:447911'), { action: 'price.set', by: op, target: 'sms:447911', accountId: null, before: null, after: { price: '0.0450' } });
      expect(await smsPrice(UK)).toBe('0.0450');

      await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '447911', price: '0.0460' });
      expectAudit(await lastAudit(h, 'price.set', 'sms:447911'), { action: 'price.set', by: op, target: 'sms:447911', accountId: null, before: { price: '0.0450' }, after: { price: '0.0460' } });
      expect(await smsPrice(UK)).toBe('0.0460');

      const removed = await admin('DELETE', '/admin/prices', { channel: 'sms', prefix: '447911' });
      expect(removed.statusCode, removed.body).toBe(200);
      expect(removed.json()).toEqual({ channel: 'sms', prefix: '447911', removed: true });
      expectAudit(await lastAudit(h, 'price.remove', 'sms:447911'), { action: 'price.remove', by: op, target: 'sms:447911', accountId: null, before: { price: '0.0460' } });
      expect(await smsPrice(UK)).toBe('0.0400');
      expectError(await admin('DELETE', '/admin/prices', { channel: 'sms', prefix: '447911' }), 404, 'not_found');
    });

    it('sets the default rate when the prefix is omitted', async () => {
      const set = await admin('PUT', '/admin/prices', { channel: 'lookup', price: '0.0070' });
      expect(set.json()).toEqual({ channel: 'lookup', prefix: '', price: '0.0070', currency: 'USD' });
      expect((await admin('GET', '/admin/prices?channel=lookup')).json().data).toEqual([{ channel: 'lookup', prefix: '', price: '0.0070' }]);
    });

    it('refuses an unknown channel, a prefix that is not digits, a price that is not a decimal (422)', async () => {
      expectError(await admin('PUT', '/admin/prices', { channel: 'fax', prefix: '44', price: '1.00' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '+44', price: '1.00' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '123456789', price: '1.00' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '44', price: '-1.00' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '44', price: 'cheap' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '44' }), 422, 'validation_failed');
      expectError(await admin('DELETE', '/admin/prices', { channel: 'sms', prefix: 'x' }), 422, 'validation_failed');
      expect((await admin('GET', '/admin/prices?channel=sms')).json().data).toContainEqual({ channel: 'sms', prefix: '44', price: '0.0400' });
    });
  });

  describe('the price tester (GET /admin/prices/quote)', () => {
    const quote = (query: string) => admin('GET', `/admin/prices/quote?${query}`);

    it('answers the price a send is charged and the prefix that decides it, following each change of the list', async () => {
      const before = await quote(`channel=sms&to=${encodeURIComponent(UK)}`);
      expect(before.statusCode, before.body).toBe(200);
      expect(before.json()).toEqual({ channel: 'sms', to: UK, prefix: '44', price: '0.0400', currency: 'USD' });
      expect(await smsPrice(UK)).toBe(before.json().price);

      await admin('PUT', '/admin/prices', { channel: 'sms', prefix: '4479', price: '0.0333' });
      const after = (await quote(`channel=sms&to=${encodeURIComponent(UK)}`)).json();
      expect(after).toMatchObject({ prefix: '4479', price: '0.0333' });
      expect(await smsPrice(UK)).toBe('0.0333');
      await admin('DELETE', '/admin/prices', { channel: 'sms', prefix: '4479' });
      expect((await quote(`channel=sms&to=${encodeURIComponent(UK)}`)).json()).toMatchObject({ prefix: '44', price: '0.0400' });

      // A number no prefix matches falls to the channel's default row ("").
      expect((await quote(`channel=sms&to=${encodeURIComponent('+35312345678')}`)).json()).toMatchObject({ prefix: '', price: '0.0500' });
      // Flat-priced channels: one rate whatever the address.
      expect((await quote('channel=email&to=someone%40example.com')).json()).toEqual({ channel: 'email', to: 'someone@example.com', prefix: '', price: '0.0010', currency: 'USD' });
    });

    it('a destination nothing prices gets the accept path\'s own 422, naming the field', async () => {
      const row = (await admin('GET', '/admin/prices?channel=email_verify')).json().data.find((r: { prefix: string }) => r.prefix === '');
      await admin('DELETE', '/admin/prices', { channel: 'email_verify', prefix: '' });
      try {
        const err = expectError(await quote('channel=email_verify&to=a%40example.com'), 422, 'validation_failed');
        expect(err.message).toBe('No email verification price is set on this installation');
        expect(err.errors).toEqual([{ field: 'to', message: 'no email verification price is set on this installation' }]);
      } finally {
        await admin('PUT', '/admin/prices', { channel: 'email_verify', prefix: '', price: row.price });
      }
      expect((await quote('channel=email_verify&to=a%40example.com')).json()).toMatchObject({ price: row.price });
    });

    it('refuses a number that is not E.164, an address that is not one, an unknown channel, a missing field (422)', async () => {
      expect(expectError(await quote('channel=sms&to=07911123456'), 422, 'validation_failed').errors).toEqual([{ field: 'to', message: expect.stringContaining('E.164') }]);
      expectError(await quote('channel=lookup&to=%2B1'), 422, 'validation_failed');
      expectError(await quote('channel=email&to=not-an-address'), 422, 'validation_failed');
      expectError(await quote(`channel=fax&to=${encodeURIComponent(UK)}`), 422, 'validation_failed');
      expectError(await quote('channel=sms'), 422, 'validation_failed');
    });

    it('is for operators only: an account\'s owner gets 403 forbidden, no session 401', async () => {
      const owner = await person(h, { accountId: acc.id, role: 'owner' });
      const url = `/admin/prices/quote?channel=sms&to=${encodeURIComponent(UK)}`;
      expectError(await h.app.inject({ method: 'GET', url, headers: owner.headers() }), 403, 'forbidden');
      expectError(await h.app.inject({ method: 'GET', url }), 401, 'not_signed_in');
      // An API key does not reach /admin either, whatever its scopes.
      expectError(await h.app.inject({ method: 'GET', url, headers: bearer(acc.key) }), 401, 'not_signed_in');
    });
  });

  describe('routes', () => {
    it('lists the routes with the default provider and the known ones', async () => {
      const res = await admin('GET', '/admin/routes');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ default_sms: 'smpp', providers: expect.arrayContaining(['simulator', 'smpp']), default_voice: 'simulator', voice_providers: ['simulator'], data: [] });
    });

    it('sets a route (route.set, with the route it replaced) and removes it (route.remove)', async () => {
      const set = await admin('PUT', '/admin/routes', { prefix: '44', provider: 'simulator', fallback: 'smpp' });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json()).toEqual({ channel: 'sms', prefix: '44', provider: 'simulator', fallback: 'smpp' });
      expectAudit(await lastAudit(h, 'route.set', 'sms:44'), { action: 'route.set', by: op, target: 'sms:44', accountId: null, before: null, after: { channel: 'sms', prefix: '44', provider: 'simulator', fallback: 'smpp' } });

      await admin('PUT', '/admin/routes', { channel: 'sms', prefix: '44', provider: 'smpp' });
      expectAudit(await lastAudit(h, 'route.set', 'sms:44'), {
        action: 'route.set',
        by: op,
        target: 'sms:44',
        accountId: null,
        before: { channel: 'sms', prefix: '44', provider: 'simulator', fallback: 'smpp' },
        after: { channel: 'sms', prefix: '44', provider: 'smpp', fallback: null },
      });
      expect((await admin('GET', '/admin/routes')).json().data).toEqual([{ channel: 'sms', prefix: '44', provider: 'smpp', fallback: null }]);

      const removed = await admin('DELETE', '/admin/routes', { prefix: '44' });
      expect(removed.json()).toEqual({ channel: 'sms', prefix: '44', removed: true });
      expectAudit(await lastAudit(h, 'route.remove', 'sms:44'), { action: 'route.remove', by: op, target: 'sms:44', accountId: null, before: { channel: 'sms', prefix: '44', provider: 'smpp', fallback: null } });
      expect((await admin('GET', '/admin/routes')).json().data).toEqual([]);
      expectError(await admin('DELETE', '/admin/routes', { prefix: '44' }), 404, 'not_found');
    });

    it('refuses an unknown provider, a fallback equal to the provider, a prefix with "+", another channel (422)', async () => {
      expectError(await admin('PUT', '/admin/routes', { prefix: '44', provider: 'nexmo' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/routes', { prefix: '44', provider: 'smpp', fallback: 'nexmo' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/routes', { prefix: '44', provider: 'smpp', fallback: 'smpp' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/routes', { prefix: '+44', provider: 'smpp' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/routes', { channel: 'email', prefix: '44', provider: 'smpp' }), 422, 'validation_failed');
      expectError(await admin('PUT', '/admin/routes', { prefix: '44' }), 422, 'validation_failed');
      expect((await admin('GET', '/admin/routes')).json().data).toEqual([]);
    });
  });

  describe('providers', () => {
    const providers = async () => {
      const res = await admin('GET', '/admin/providers');
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { providers: Array<Record<string, unknown>>; queues: Array<Record<string, unknown>> };
    };
    const smpp = async () => (await providers()).providers.find((p) => p.name === 'smpp')!;
    async function until(what: string, check: (p: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      for (let i = 0; i < 500; i++) {
        const p = await smpp();
        if (check(p)) return p;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`the SMPP provider never became ${what}`);
    }

    it('shows every provider: the simulator for sandbox traffic, SMPP as the default, the email simulator', async () => {
      const { providers: list } = await providers();
      expect(list).toEqual(
        expect.arrayContaining([
          { name: 'simulator', channel: 'sms', kind: 'simulator', default: false, sandbox: true, link: null, bound: null, in_flight: 0, queued: 0, last_error: null },
          { name: 'smpp', channel: 'sms', kind: 'smpp', default: true, sandbox: false, link: 'idle', bound: false, in_flight: 0, queued: 0, last_error: null },
          { name: 'simulator', channel: 'voice', kind: 'simulator', default: true, sandbox: true, link: null, bound: null, in_flight: 0, queued: 0, last_error: null },
          { name: 'simulator', channel: 'email', kind: 'simulator', default: true, sandbox: true, link: null, bound: null, in_flight: 0, queued: 0, last_error: null },
        ]),
      );
      expect(list).toHaveLength(4);
    });

    it('shows the SMPP link bound, a submit in its window, then the link lost with the reason', async () => {
      const provider = h.rt.channels.sms.get('smpp')!;
      await provider.connect!();
      expect(await smpp()).toMatchObject({ link: 'bound', bound: true, in_flight: 0, last_error: null });

      smsc.onSubmit = () => ({ hold: true });
      const submitted = provider.submit({ messageId: 'msg_admin_test', from: 'HELLIO', to: '+14155552671', text: 'held', encoding: 'GSM-7' });
      await until('busy', (p) => p.in_flight === 1);

      smsc.dropConnections();
      const down = await until('unbound', (p) => p.bound === false);
      expect(down.link).not.toBe('bound');
      expect(down.in_flight).toBe(0);
      expect(typeof down.last_error).toBe('string');
      expect(String(down.last_error)).not.toContain('secret');
      expect(await submitted).toMatchObject({ ok: false, retryable: true });
      smsc.onSubmit = () => undefined;
    });

    it('shows the queue per job kind: waiting, due, running, and the age of the oldest due job', async () => {
      const before = (await providers()).queues;
      expect(before.map((q) => q.kind)).toEqual(['compat.status_callback', 'deliver.email', 'deliver.sms', 'messages.expire_receipts', 'retention.purge', 'sms.simulated_receipt', 'voice.call', 'webhook.deliver']);
      const sms = (qs: Array<Record<string, unknown>>) => qs.find((q) => q.kind === 'deliver.sms')!;
      const base = sms(before);

      const now = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(acc.key), payload: { from: 'HELLIO', to: '+14155550100', message: 'now' } });
      expect(now.statusCode, now.body).toBe(200);
      const later = await h.app.inject({
        method: 'POST',
        url: '/sms/send',
        headers: bearer(acc.key),
        payload: { from: 'HELLIO', to: '+14155550101', message: 'later', scheduled_at: new Date(clock.now() + 3_600_000).toISOString() },
      });
      expect(later.statusCode, later.body).toBe(200);
      const after = sms((await providers()).queues);
      expect(after.pending).toBe((base.pending as number) + 2);
      expect(after.due).toBe((base.due as number) + 1);
      expect(after.running).toBe(0);

      clock.advance(90_000);
      const aged = sms((await providers()).queues);
      expect(aged.oldest_due_age_seconds).toBeGreaterThanOrEqual(90);
      expect(aged.due).toBe(after.due);
      expect((await providers()).queues.find((q) => q.kind === 'webhook.deliver')).toEqual({ kind: 'webhook.deliver', pending: 0, due: 0, running: 0, oldest_due_age_seconds: null });
    });
  });
});
