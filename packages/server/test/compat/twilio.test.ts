import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdOfSid, messageSid } from '../../src/lib/twilio.ts';
import { setAccountRateLimit, setAccountStatus } from '../../src/modules/access/accounts.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { openDb } from '../../src/store/db.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The Twilio-compatible API (docs/compat-twilio.md) driven by Twilio's own Node library, pinned
 * at 6.3, against a real Hellio server on a local port: once through the library's documented
 * `httpClient` hook (a RequestClient that sends api.twilio.com's requests here) and once with
 * `client.api.baseUrl`. Status callbacks go to a local receiver and must pass the library's
 * `validateRequest` with the key as the auth token.
 */

const US = '+14155552671';

/** Twilio's request client, sending what it addresses to api.twilio.com to the local server instead. */
class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, this.base) });
  }
}

type Client = ReturnType<typeof twilio>;
type RequestOptions<T> = RequestClient.RequestOptions<T>;

describe.each(BACKENDS)('the Twilio-compatible API on %s', (backend) => {
  let h: Harness;
  let worker: Worker;
  let receiver: WebhookReceiver;
  let base: string;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_WEBHOOK_TIMEOUT_MS: '2000' } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/twilio`;
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await receiver?.close();
  });

  const sidOf = async (acc: TestAccount) => (await h.rt.store.accounts.get(acc.id))!.twilio_account_sid;
  const viaHook = (sid: string, key: string): Client => twilio(sid, key, { httpClient: new LocalRequestClient(base) });
  const viaBaseUrl = (sid: string, key: string): Client => {
    const c = twilio(sid, key);
    c.api.baseUrl = base;
    return c;
  };
  /** The RestException a call rejects with. */
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(twilio.RestException);
    return err as InstanceType<typeof twilio.RestException>;
  };

  for (const [how, client] of [
    ['the httpClient hook', viaHook],
    ['client.api.baseUrl', viaBaseUrl],
  ] as const) {
    it(`creates and fetches a message through ${how}, in Twilio's fields and formats`, async () => {
      const a = await h.account();
      const sid = await sidOf(a);
      expect(sid).toMatch(/^AC[0-9a-f]{32}$/);
      const c = client(sid, a.key);
      const m = await c.messages.create({ to: US, from: 'HELLIO', body: 'Hello from Twilio' });
      expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(m).toMatchObject({ accountSid: sid, to: US, from: 'HELLIO', body: 'Hello from Twilio', status: 'queued', numSegments: '1', direction: 'outbound-api', apiVersion: '2010-04-01', errorCode: null, price: '-0.0080', priceUnit: 'USD' });
      expect(m.dateCreated).toBeInstanceOf(Date);
      expect(Math.abs(m.dateCreated.getTime() - Date.now())).toBeLessThan(60_000);
      // The SID is the Hellio message's id written in hex: the native API knows the same message.
      const id = messageIdOfSid(m.sid)!;
      expect(messageSid(id)).toBe(m.sid);
      expect((await h.rt.store.messages.get(a.id, id))?.body).toBe('Hello from Twilio');

      const fetched = await c.messages(m.sid).fetch();
      expect(fetched.sid).toBe(m.sid);
      expect(fetched.to).toBe(US);
      await until('the message to be delivered', async () => (await c.messages(m.sid).fetch()).status === 'delivered', { timeoutMs: 15_000 });
      const done = await c.messages(m.sid).fetch();
      expect(done.dateSent).toBeInstanceOf(Date);
    });
  }

  it('lists with paging: PageSize, next_page_uri followed by the library, To and From filters', async () => {
    const a = await h.account();
    const c = viaBaseUrl(await sidOf(a), a.key);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await c.messages.create({ to: `+1415555010${i}`, from: 'HELLIO', body: `n${i}` })).sid);
    const all = await c.messages.list({ pageSize: 2 });
    expect(all.map((m) => m.sid)).toEqual([...sent].reverse());
    const page = await c.messages.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    const next = await page.nextPage();
    expect(next!.instances.map((m) => m.sid)).toEqual([sent[2], sent[1]]);
    expect((await c.messages.list({ to: '+14155550103' })).map((m) => m.sid)).toEqual([sent[3]]);
    expect(await c.messages.list({ from: 'NOBODY' })).toEqual([]);
    expect(await c.messages.list({ limit: 3 })).toHaveLength(3);
  });

  it('answers Twilio error codes the library raises as RestException', async () => {
    const a = await h.account();
    const sid = await sidOf(a);
    const c = viaHook(sid, a.key);
    const badTo = await refusal(c.messages.create({ to: 'not-a-number', from: 'HELLIO', body: 'x' }));
    expect({ status: badTo.status, code: badTo.code }).toEqual({ status: 400, code: 21211 });
    expect(badTo.moreInfo).toBe('https://www.twilio.com/docs/errors/21211');
    const unapproved = await refusal(c.messages.create({ to: US, from: '+15005550006', body: 'x' }));
    expect({ status: unapproved.status, code: unapproved.code }).toEqual({ status: 400, code: 21606 });
    const noBody = await refusal(c.messages.create({ to: US, from: 'HELLIO' }));
    expect(noBody.code).toBe(21602);
    const badCallback = await refusal(c.messages.create({ to: US, from: 'HELLIO', body: 'x', statusCallback: 'ftp://example.com/x' }));
    expect(badCallback.code).toBe(21609);

    const wrongKey = await refusal(viaHook(sid, `${a.key.slice(0, -4)}AAAA`).messages.list());
    expect({ status: wrongKey.status, code: wrongKey.code }).toEqual({ status: 401, code: 20003 });
    // A real key, but named with another account's SID: refused like a wrong key.
    const b = await h.account();
    const otherSid = await sidOf(b);
    const mismatch = await refusal(viaHook(otherSid, a.key).messages.list());
    expect({ status: mismatch.status, code: mismatch.code }).toEqual({ status: 401, code: 20003 });
    // A's own credentials, asking for B's account in the path, or B's message.
    const foreignPath = await refusal(c.api.v2010.accounts(otherSid).messages.list());
    expect({ status: foreignPath.status, code: foreignPath.code }).toEqual({ status: 404, code: 20404 });
    const bMessage = await viaHook(otherSid, b.key).messages.create({ to: US, from: 'HELLIO', body: 'mine' });
    const foreignMessage = await refusal(c.messages(bMessage.sid).fetch());
    expect({ status: foreignMessage.status, code: foreignMessage.code }).toEqual({ status: 404, code: 20404 });
    const missing = await refusal(c.messages(`SM${'0'.repeat(32)}`).fetch());
    expect(missing.code).toBe(20404);
    // A resource Hellio does not serve answers in Twilio's words too.
    const calls = await refusal(c.calls.list());
    expect({ status: calls.status, code: calls.code }).toEqual({ status: 404, code: 20404 });

    const s = await h.account();
    const sSid = await sidOf(s);
    await setAccountStatus(h.rt.ctx, s.id, 'suspended');
    expect((await refusal(viaHook(sSid, s.key).messages.list())).code).toBe(20005);
    const narrow = await h.key(a.id, { scopes: 'reports' });
    expect((await refusal(viaHook(sid, narrow.key).messages.create({ to: US, from: 'HELLIO', body: 'x' }))).code).toBe(20403);
  });

  it('answers 20429 once the key is over its rate limit', async () => {
    const a = await h.account();
    await setAccountRateLimit(h.rt.ctx, a.id, 2);
    const c = viaHook(await sidOf(a), a.key);
    await c.messages.list();
    await c.messages.list();
    const limited = await refusal(c.messages.list());
    expect({ status: limited.status, code: limited.code }).toEqual({ status: 429, code: 20429 });
  });

  it('posts StatusCallback form-encoded, signed so that twilio.validateRequest accepts it with the key', async () => {
    const a = await h.account();
    const sid = await sidOf(a);
    const c = viaHook(sid, a.key);
    const url = receiver.url('/twilio-status?tag=a%20b');
    const m = await c.messages.create({ to: US, from: 'HELLIO', body: 'call me back', statusCallback: url });
    const bad = await c.messages.create({ to: SMS_MAGIC.undelivered, from: 'HELLIO', body: 'lost', statusCallback: url });
    const arrived = (messageSid: string, status: string) =>
      receiver.at('/twilio-status?tag=a%20b').find((w) => new URLSearchParams(w.body).get('MessageSid') === messageSid && new URLSearchParams(w.body).get('MessageStatus') === status);
    await until('delivered and undelivered callbacks', () => arrived(m.sid, 'delivered') !== undefined && arrived(bad.sid, 'undelivered') !== undefined, { timeoutMs: 15_000 });
    for (const w of receiver.at('/twilio-status?tag=a%20b')) {
      expect(w.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const params = Object.fromEntries(new URLSearchParams(w.body));
      expect(twilio.validateRequest(a.key, String(w.headers['x-twilio-signature']), url, params)).toBe(true);
      // Another token, or a changed parameter, does not validate.
      expect(twilio.validateRequest(`${a.key}x`, String(w.headers['x-twilio-signature']), url, params)).toBe(false);
      expect(twilio.validateRequest(a.key, String(w.headers['x-twilio-signature']), url, { ...params, To: '+10000000000' })).toBe(false);
      expect(params).toMatchObject({ AccountSid: sid, ApiVersion: '2010-04-01', From: 'HELLIO' });
    }
    const delivered = Object.fromEntries(new URLSearchParams(arrived(m.sid, 'delivered')!.body));
    expect(delivered).toMatchObject({ MessageSid: m.sid, SmsSid: m.sid, MessageStatus: 'delivered', To: US });
    expect(delivered.ErrorCode).toBeUndefined();
    const undelivered = Object.fromEntries(new URLSearchParams(arrived(bad.sid, 'undelivered')!.body));
    expect(undelivered).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30003', To: SMS_MAGIC.undelivered });
    expect(arrived(m.sid, 'sent')).toBeDefined();
    // The final status reported, the sealed key kept for signing is gone.
    await until('the callback row to go', async () => (await h.rt.store.messageCallbacks.get(messageIdOfSid(m.sid)!)) === undefined);
  });

  it('keeps the signing key sealed at rest until the final status is reported', async () => {
    const a = await h.account();
    // The receiver fails: the callback of the final status is retried later, so its row stays.
    receiver.always('/sealed', { status: 500 });
    const m = await viaHook(await sidOf(a), a.key).messages.create({ to: SMS_MAGIC.rejected, from: 'HELLIO', body: 'x', statusCallback: receiver.url('/sealed') });
    await until('the failed callback to be tried', () => receiver.at('/sealed').length >= 1, { timeoutMs: 15_000 });
    const db = openDb(h.config);
    try {
      const raw = await db.db.selectFrom('message_callbacks').select('token').where('message_id', '=', messageIdOfSid(m.sid)!).executeTakeFirstOrThrow();
      expect(raw.token).toMatch(/^enc:v1:/);
      expect(raw.token).not.toContain(a.key.slice(3));
    } finally {
      await db.db.destroy();
    }
    expect((await h.rt.store.messageCallbacks.get(messageIdOfSid(m.sid)!))?.token).toBe(a.key);
  });
});
