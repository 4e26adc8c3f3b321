import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  Hellio,
  HellioError,
  InsufficientBalanceError,
  NotFoundError,
  PermissionError,
  ValidationError,
} from '../../../sdk/src/index.ts';
import { assignNumber } from '../../src/modules/numbers/numbers.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/wait.ts';

// The SDK against a real Hellio server listening on loopback: every call goes over HTTP through
// fetch, the pipeline, the modules and the store, and comes back as the SDK's types or errors.

const US = '+14155552671';
let serial = 0;
/** A US number no other test of this file uses (OTP limits are per destination). */
const freshNumber = () => `+1415555${String(3000 + serial++).padStart(4, '0')}`;

describe.each(BACKENDS)('the SDK against the server on %s', (backend) => {
  let h: Harness;
  let baseUrl: string;
  let receiver: WebhookReceiver;
  let a: TestAccount;
  let hellio: Hellio;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    a = await h.account();
    hellio = new Hellio(a.key, { baseUrl });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('sends an SMS, finds it in the reports, and the balance shows the debit', async () => {
    const before = await hellio.balance();
    const sent = await hellio.sms.send({ from: 'HELLIO', to: US, message: 'Your order shipped', reference: 'order-7' });
    expect(sent).toEqual({
      campaign_id: null,
      messages: [{ id: expect.stringMatching(/^msg_/), to: US, status: 'queued', segments: 1, encoding: 'GSM-7', price: '0.0080' }],
      total_price: '0.0080',
      currency: 'USD',
    });
    const id = sent.messages[0]!.id;

    const message = await hellio.messages.get(id);
    expect(message).toMatchObject({ id, channel: 'sms', from: 'HELLIO', to: US, body: 'Your order shipped', reference: 'order-7', price: '0.0080' });
    expect(message.events.map((e) => e.status)).toContain('queued');

    const page = await hellio.messages.list({ channel: 'sms', limit: 100 });
    expect(page.data.map((m) => m.id)).toContain(id);
    expect(page.next_cursor).toBeNull();

    const after = await hellio.balance();
    expect(after.currency).toBe('USD');
    expect(Number(before.balance) - Number(after.balance)).toBeCloseTo(0.008, 6);
    expect(after.spend_caps).toEqual({ daily: { limit: null, used: expect.any(String) }, monthly: { limit: null, used: expect.any(String) } });
  });

  it('sends a campaign when `to` is an array', async () => {
    const sent = await hellio.sms.send({ from: 'HELLIO', to: [freshNumber(), freshNumber()], message: 'Sale today' });
    expect(sent.campaign_id).toMatch(/^cmp_/);
    expect(sent.messages).toHaveLength(2);
    expect(sent.total_price).toBe('0.0160');
  });

  it('sends an email', async () => {
    const sent = await hellio.email.send({ from: 'Shop <orders@example.com>', to: ['ann@example.org'], subject: 'Receipt', text: 'Thanks', tags: [{ name: 'kind', value: 'receipt' }] });
    expect(sent).toEqual({ id: expect.stringMatching(/^msg_/), status: 'queued' });
    expect(await hellio.messages.get(sent.id)).toMatchObject({ channel: 'email', subject: 'Receipt', from: 'Shop <orders@example.com>' });
  });

  it('sends a one-time code and verifies it', async () => {
    const to = freshNumber();
    const otp = await hellio.otp.send({ to, length: 6 });
    expect(otp).toMatchObject({ id: expect.stringMatching(/^otp_/), status: 'pending', to, channel: 'sms', attempts_remaining: 5 });
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const [text] = await h.rt.store.delivery.inbox({ recipient: to, limit: 1 });
    const code = text!.body.match(/\d{6}/)![0];
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    expect(await hellio.otp.verify({ id: otp.id, code: wrong })).toEqual({ id: otp.id, status: 'pending', attempts_remaining: 4 });
    expect(await hellio.otp.verify({ to, code })).toEqual({ id: otp.id, status: 'approved', attempts_remaining: 3 });
    await expect(hellio.otp.verify({ id: 'otp_00000000000000000000000000', code })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('looks a number up and verifies an address', async () => {
    const lookup = await hellio.lookup({ number: '020 7946 0018', country: 'GB' });
    expect(lookup).toMatchObject({ id: expect.stringMatching(/^lkp_/), number: '+442079460018', valid: true, country: 'GB', type: 'fixed_line', currency: 'USD' });
    const verification = await hellio.emailVerify({ email: 'not an address' });
    expect(verification).toMatchObject({ email: 'not an address', result: 'undeliverable', reason: 'invalid_syntax' });
    expect(verification.checks.syntax).toBe(false);
  });

  it('queues a call and reads it back', async () => {
    const call = await hellio.voice.send({ to: freshNumber(), text: 'Your code is 3901', repeat: 2 });
    expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), status: 'queued', repeat: 2 });
    const read = await hellio.voice.get(call.id);
    expect(read).toMatchObject({ id: call.id, text: 'Your code is 3901' });
    expect(Array.isArray(read.events)).toBe(true);
    expect((await hellio.voice.list({ limit: 10 })).data.map((c) => c.id)).toContain(call.id);
  });

  it('replays a call made with the same Idempotency-Key instead of sending twice', async () => {
    const key = `sdk-${Date.now()}`;
    const first = await hellio.sms.send({ from: 'HELLIO', to: US, message: 'once' }, { idempotencyKey: key });
    const again = await hellio.sms.send({ from: 'HELLIO', to: US, message: 'once' }, { idempotencyKey: key });
    expect(again).toEqual(first);
    const other = await hellio.sms.send({ from: 'HELLIO', to: US, message: 'once' });
    expect(other.messages[0]!.id).not.toBe(first.messages[0]!.id);
  });

  it('suppressions: add, list, export, import back, remove; a listed number is refused a send', async () => {
    // Each backend's run has its own account: the list starts empty.
    const own = await h.account();
    const client = new Hellio(own.key, { baseUrl });
    expect(await client.suppressions.list()).toEqual({ data: [], next_cursor: null });
    const added = await client.suppressions.add({ channel: 'sms', value: '+44 7911 123 611', reason: 'asked by phone' });
    expect(added).toEqual({ id: expect.stringMatching(/^sup_/), channel: 'sms', value: '+447911123611', source: 'manual', reason: 'asked by phone', created_at: expect.any(String), created: true });
    expect(await client.suppressions.add({ channel: 'sms', value: '+447911123611' })).toMatchObject({ id: added.id, created: false, reason: 'asked by phone' });
    await expect(client.sms.send({ from: 'HELLIO', to: '+447911123611', message: 'offer' })).rejects.toMatchObject({ status: 422, code: 'recipient_suppressed' });

    await client.suppressions.add({ channel: 'email', value: 'Ada@Example.com' });
    const emails = await client.suppressions.list({ channel: 'email', limit: 10 });
    expect(emails.data.map((e) => e.value)).toEqual(['ada@example.com']);

    const csv = await client.suppressions.export({ channel: 'sms' });
    expect(csv.split(/\r?\n/)[0]).toBe('channel,value,source,reason,created_at,id');
    expect(csv).toContain('+447911123611');
    expect(await client.suppressions.removeValue({ channel: 'sms', value: '+447911123611' })).toMatchObject({ id: added.id, value: '+447911123611' });
    await expect(client.suppressions.remove(added.id)).rejects.toBeInstanceOf(NotFoundError);
    // The export imports back as it is; a row that is not a number is reported with its line.
    expect(await client.suppressions.import({ csv: `${csv.trimEnd()}\nsms,not-a-number\n` })).toEqual({
      added: 1,
      existing: 0,
      invalid: [{ line: 3, message: 'value must be an E.164 number' }],
    });
    const imported = (await client.suppressions.list({ source: 'import' })).data;
    expect(imported.map((e) => e.value)).toEqual(['+447911123611']);
    expect(await client.suppressions.remove(imported[0]!.id)).toMatchObject({ id: imported[0]!.id, source: 'import' });

    // Another account's entry is not found; a key without the channel's send scope may not add.
    const other = await h.account();
    const theirs = await new Hellio(other.key, { baseUrl }).suppressions.add({ channel: 'sms', value: '+447911123612' });
    await expect(client.suppressions.remove(theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    const reportsOnly = await h.key(own.id, { scopes: 'reports' });
    await expect(new Hellio(reportsOnly.key, { baseUrl }).suppressions.add({ channel: 'sms', value: '+447911123613' })).rejects.toBeInstanceOf(PermissionError);
  });

  it('numbers: the account\'s receiving numbers and its replies to STOP, START and HELP', async () => {
    const own = await h.account();
    const client = new Hellio(own.key, { baseUrl });
    expect(await client.numbers.list()).toEqual({ data: [] });
    await assignNumber(h.rt.ctx, null, own.id, '+447400123190');
    expect(await client.numbers.list()).toEqual({ data: [{ number: '+447400123190', account_id: own.id, created_at: expect.any(String) }] });

    const defaults = await client.numbers.replies();
    expect(defaults.stop).toMatchObject({ default: true, text: expect.any(String) });
    const changed = await client.numbers.updateReplies({ help: 'Call us on 0800 000 000', start: '' });
    expect(changed.help).toEqual({ text: 'Call us on 0800 000 000', default: false });
    expect(changed.start).toEqual({ text: '', default: false });
    expect(changed.stop).toEqual(defaults.stop);
    expect((await client.numbers.updateReplies({ help: null })).help).toEqual(defaults.help);
    await expect(client.numbers.updateReplies({ help: 'x'.repeat(460) })).rejects.toBeInstanceOf(ValidationError);
    const reportsOnly = await h.key(own.id, { scopes: 'reports' });
    await expect(new Hellio(reportsOnly.key, { baseUrl }).numbers.updateReplies({ help: 'no' })).rejects.toBeInstanceOf(PermissionError);
  });

  describe('errors', () => {
    it('a bad key is an AuthenticationError', async () => {
      const err = await new Hellio('cs_' + 'x'.repeat(64), { baseUrl }).balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err).toBeInstanceOf(HellioError);
      expect(err).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Invalid user credentials', requestId: expect.any(String) });
    });

    it('a key without the scope is a PermissionError naming it', async () => {
      const smsOnly = await h.key(a.id, { scopes: 'sms:send' });
      const err = await new Hellio(smsOnly.key, { baseUrl }).balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionError);
      expect(err).toMatchObject({ status: 403, code: 'insufficient_scope', message: expect.stringContaining('balance') });
    });

    it('a refused field is a ValidationError with its errors, and is not retried', async () => {
      const err = await hellio.sms.send({ from: 'HELLIO', to: US } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ status: 422, code: 'validation_failed', errors: [{ field: 'message', message: 'is required' }] });
    });

    it('an empty wallet is an InsufficientBalanceError', async () => {
      const poor = await h.account({ balance: '0' });
      const err = await new Hellio(poor.key, { baseUrl }).sms.send({ from: 'HELLIO', to: US, message: 'hi' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InsufficientBalanceError);
      expect(err).toMatchObject({ status: 402, code: 'insufficient_balance' });
    });

    it('another account’s message is a NotFoundError, like a missing one', async () => {
      const b = await h.account();
      const { messages } = await new Hellio(b.key, { baseUrl }).sms.send({ from: 'HELLIO', to: US, message: 'mine' });
      await expect(hellio.messages.get(messages[0]!.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
      await expect(hellio.messages.get('msg_00000000000000000000000000')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('no server is a ConnectionError', async () => {
      // A port that was just free: nothing listens there any more, so the connection is refused.
      const spare = createServer();
      await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
      const port = (spare.address() as AddressInfo).port;
      await new Promise((r) => spare.close(r));
      const err = await new Hellio(a.key, { baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 }).balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toContain('ECONNREFUSED');
    });
  });

  describe('webhooks', () => {
    it('manages an endpoint, and verifies the delivery the server signed', async () => {
      const created = await hellio.webhooks.create({ url: receiver.url(`/sdk-${backend}`), events: ['message.delivered'], description: 'sdk' });
      expect(created).toMatchObject({ id: expect.stringMatching(/^wh_/), events: ['message.delivered'], enabled: true, secret: expect.stringMatching(/^whsec_/) });
      expect(await hellio.webhooks.get(created.id)).not.toHaveProperty('secret');
      expect((await hellio.webhooks.list()).data.map((e) => e.id)).toContain(created.id);
      expect(await hellio.webhooks.update(created.id, { description: 'renamed' })).toMatchObject({ description: 'renamed' });

      const delivery = await hellio.webhooks.test(created.id);
      expect(delivery).toMatchObject({ endpoint_id: created.id, event_type: 'webhook.test', status: 'succeeded' });
      const got = await until('the test event', () => receiver.received.find((r) => r.path === `/sdk-${backend}`));
      // The body and headers exactly as the endpoint received them, checked with the SDK.
      const event = Hellio.webhooks.verify<{ endpoint_id: string }>(got.body, got.headers as Record<string, string>, created.secret);
      expect(event).toMatchObject({ type: 'webhook.test', data: { endpoint_id: created.id } });
      expect(() => Hellio.webhooks.verify(got.body, got.headers as Record<string, string>, 'whsec_' + Buffer.alloc(32, 1).toString('base64'))).toThrow(
        'No webhook signature matches',
      );

      // During a rotation both secrets sign; either verifies.
      const rotated = await hellio.webhooks.rotateSecret(created.id);
      expect(rotated.secret).not.toBe(created.secret);
      await hellio.webhooks.test(created.id);
      const second = await until('the second test event', () => receiver.received.filter((r) => r.path === `/sdk-${backend}`)[1]);
      expect(hellio.webhooks.verify(second.body, new Headers(second.headers as Record<string, string>), rotated.secret).type).toBe('webhook.test');
      expect(hellio.webhooks.verify(second.body, second.headers as Record<string, string>, created.secret).type).toBe('webhook.test');

      const log = await hellio.webhooks.deliveries(created.id, { status: 'succeeded' });
      expect(log.data).toHaveLength(2);
      const retried = await hellio.webhooks.retryDelivery(created.id, log.data[0]!.id);
      expect(retried.id).toBe(log.data[0]!.id);

      expect(await hellio.webhooks.delete(created.id)).toEqual({ id: created.id, deleted: true });
      await expect(hellio.webhooks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
