import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignNumber } from '../../src/modules/numbers/numbers.ts';
import { encodeGsm7 } from '../../src/providers/sms/smpp-gsm.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';
import { type ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/wait.ts';

/**
 * Inbound SMS end to end: a real SMSC (the `smpp` package's server) sends mobile-originated
 * deliver_sm to the bound client; they become inbound messages of the number's account, announced
 * by signed message.received webhooks; STOP, START and HELP act and are answered.
 */
const UDHI = 0x40;
const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const gsm = (text: string) => encodeGsm7(text)!;
const udh8 = (ref: number, total: number, seq: number) => Buffer.from([5, 0x00, 3, ref, total, seq]);
const udh16 = (ref: number, total: number, seq: number) => Buffer.from([6, 0x08, 4, ref >> 8, ref & 0xff, total, seq]);

describe.each(BACKENDS)('inbound SMS over SMPP on %s', (backend) => {
  let h: Harness;
  let smsc: TestSmsc;
  let receiver: WebhookReceiver;
  let worker: Worker;
  let a: TestAccount;
  let secret: string;
  const NUMBER = '+447400123140';
  const PHONE = '+447700900999';

  const api = (acc: { key: string }, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(acc.key), ...(payload ? { payload } : {}) });
  const inbound = async (acc: TestAccount = a) => (await api(acc, 'GET', '/messages?direction=inbound&limit=100')).json().data as Array<Record<string, any>>;
  const mo = (text: Buffer, opts: { from?: string; to?: string; coding?: number; udh?: Buffer; tlv?: Record<string, number> } = {}) =>
    smsc.deliver({
      source_addr: (opts.from ?? PHONE).replace('+', ''),
      destination_addr: (opts.to ?? NUMBER).replace('+', ''),
      esm_class: opts.udh ? UDHI : 0,
      data_coding: opts.coding ?? 0,
      short_message: opts.udh ? Buffer.concat([opts.udh, text]) : text,
      ...opts.tlv,
    });

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_SMPP_URL: smsc.url, HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    await h.rt.channels.sms.get('smpp')!.connect!();
    await until('the client to bind', () => smsc.binds.some((b) => b.ok), { timeoutMs: 5_000 });
    a = await h.account();
    await assignNumber(h.rt.ctx, null, a.id, NUMBER);
    const e = await api(a, 'POST', '/webhooks', { url: receiver.url('/in'), events: ['message.received'] });
    expect(e.statusCode, e.body).toBe(200);
    secret = e.json().secret;
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await smsc?.close();
    await receiver?.close();
  });

  it('stores a GSM-7 reply as an inbound message and announces it by a signed message.received', async () => {
    expect(await mo(gsm('Yes please, at 5@home £2'))).toBe(0);
    const [m] = await inbound();
    expect(m).toMatchObject({ direction: 'inbound', status: 'received', channel: 'sms', from: PHONE, to: NUMBER, body: 'Yes please, at 5@home £2', price: '0.0000', segments: 1 });
    const hook = await until('message.received to arrive', () => receiver.at('/in').find((w: ReceivedWebhook) => w.json.data.id === m!.id) ?? false, { timeoutMs: 15_000 });
    expect(new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>)).toMatchObject({ type: 'message.received', data: { id: m!.id, direction: 'inbound', body: 'Yes please, at 5@home £2' } });
    // Not in the outbound listing; in the detail with its timeline.
    expect((await api(a, 'GET', '/messages?direction=outbound')).json().data.map((x: { id: string }) => x.id)).not.toContain(m!.id);
    const detail = (await api(a, 'GET', `/messages/${m!.id}`)).json();
    expect(detail.events.map((e: { status: string }) => e.status)).toEqual(['received']);
  });

  it('decodes UCS-2', async () => {
    expect(await mo(ucs2('Привет, ça va? 👋'), { coding: 8 })).toBe(0);
    expect((await inbound())[0]).toMatchObject({ body: 'Привет, ça va? 👋', encoding: 'UCS-2' });
  });

  it('reassembles parts from an 8-bit UDH reference, in any order, keeping them durably until the last', async () => {
    const before = (await inbound()).length;
    expect(await mo(gsm('three, '), { udh: udh8(42, 3, 3) })).toBe(0);
    expect(await mo(gsm('one, '), { udh: udh8(42, 3, 1) })).toBe(0);
    // The same part again (an SMSC resending it) is kept once.
    expect(await mo(gsm('one, '), { udh: udh8(42, 3, 1) })).toBe(0);
    expect(await inbound()).toHaveLength(before);
    const waiting = await h.rt.store.inboundParts.parts({ source: PHONE, destination: NUMBER, ref: 42, total: 3 });
    expect(waiting.map((p) => p.seq)).toEqual([1, 3]);
    expect(await mo(gsm('two, '), { udh: udh8(42, 3, 2) })).toBe(0);
    const all = await inbound();
    expect(all).toHaveLength(before + 1);
    expect(all[0]).toMatchObject({ body: 'one, two, three, ', segments: 3 });
    expect(await h.rt.store.inboundParts.parts({ source: PHONE, destination: NUMBER, ref: 42, total: 3 })).toEqual([]);
  });

  it('reassembles UCS-2 parts from a 16-bit UDH reference, and parts from SAR TLVs', async () => {
    expect(await mo(ucs2('Добрый '), { coding: 8, udh: udh16(0x1234, 2, 1) })).toBe(0);
    // Another message with the same 16-bit reference from another phone does not mix in.
    expect(await mo(ucs2('чужой '), { coding: 8, udh: udh16(0x1234, 2, 1), from: '+447700900111' })).toBe(0);
    expect(await mo(ucs2('день'), { coding: 8, udh: udh16(0x1234, 2, 2) })).toBe(0);
    expect((await inbound())[0]).toMatchObject({ body: 'Добрый день', from: PHONE, segments: 2 });

    expect(await mo(Buffer.from('second half'), { tlv: { sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 2 } })).toBe(0);
    expect(await mo(Buffer.from('first half, '), { tlv: { sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 1 } })).toBe(0);
    expect((await inbound())[0]).toMatchObject({ body: 'first half, second half', segments: 2 });
  });

  it('drops (acknowledged, logged) what is sent to a number no account owns', async () => {
    const before = (await inbound()).length;
    expect(await mo(gsm('anyone there?'), { to: '+447400999999' })).toBe(0);
    expect(await inbound()).toHaveLength(before);
    const other = await h.account();
    expect(await inbound(other)).toEqual([]);
  });

  it('STOP (any case, spaces around) suppresses the sender and is answered; sends to it are refused; START lifts it; HELP is answered', async () => {
    const phone = '+447911123955';
    const replies = async () =>
      ((await api(a, 'GET', `/messages?direction=outbound&to=${encodeURIComponent(phone)}`)).json().data as Array<{ from: string; body: string; price: string; reference: string }>).map((m) => m.body);
    expect(await mo(gsm('  sToP '), { from: phone })).toBe(0);
    const [entry] = (await api(a, 'GET', '/suppressions?source=stop')).json().data;
    expect(entry).toMatchObject({ channel: 'sms', value: phone, source: 'stop', reason: 'STOP' });
    expect(await replies()).toEqual([expect.stringContaining('unsubscribed')]);
    const reply = (await api(a, 'GET', `/messages?direction=outbound&to=${encodeURIComponent(phone)}`)).json().data[0];
    expect(reply).toMatchObject({ from: NUMBER, to: phone, price: '0.0000', reference: 'consent-reply' });
    // The reply goes out over the SMSC like any other message.
    await until('the reply to reach the SMSC', () => smsc.submits.some((s) => s.destAddr === phone.slice(1)), { timeoutMs: 15_000 });
    expectError(await api(a, 'POST', '/sms/send', { from: 'HELLIO', to: phone, message: 'offer!' }), 422, 'recipient_suppressed');

    expect(await mo(gsm('Start'), { from: phone })).toBe(0);
    expect((await api(a, 'GET', '/suppressions?source=stop')).json().data).toEqual([]);
    expect((await api(a, 'POST', '/sms/send', { from: 'HELLIO', to: phone, message: 'welcome back' })).statusCode).toBe(200);

    // The account's own HELP text; STOP in a sentence is no keyword.
    const set = await api(a, 'PATCH', '/numbers/replies', { help: 'Acme: call 0800 000 000', start: '' });
    expect(set.json()).toMatchObject({ help: { text: 'Acme: call 0800 000 000', default: false }, start: { text: '', default: false }, stop: { default: true } });
    expect(await mo(gsm('help'), { from: phone })).toBe(0);
    expect(await mo(gsm('please stop sending'), { from: phone })).toBe(0);
    expect((await api(a, 'GET', '/suppressions?source=stop')).json().data).toEqual([]);
    // START again, with its reply turned off: acted on, answered by none.
    expect(await mo(gsm('YES'), { from: phone })).toBe(0);
    expect(await replies()).toEqual([
      'Acme: call 0800 000 000',
      'welcome back',
      expect.stringContaining('resubscribed'),
      expect.stringContaining('unsubscribed'),
    ]);
    expect((await api(a, 'PATCH', '/numbers/replies', { help: null, start: null })).json().help).toMatchObject({ default: true });
  });

  it('lists a conversation: what was sent to a number and what came from it, together', async () => {
    const phone = '+447911123977';
    const sent = (await api(a, 'POST', '/sms/send', { from: NUMBER, to: phone, message: 'Your table is booked for 8pm. Reply to change.' })).json();
    expect(await mo(gsm('Can we make it 9?'), { from: phone })).toBe(0);
    await api(a, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123978', message: 'someone else' });
    const convoRes = await api(a, 'GET', `/messages?conversation=${encodeURIComponent(phone)}`);
    expect(convoRes.statusCode, convoRes.body).toBe(200);
    const convo = convoRes.json().data;
    expect(convo.map((m: { direction: string; body: string }) => [m.direction, m.body])).toEqual([
      ['inbound', 'Can we make it 9?'],
      ['outbound', 'Your table is booked for 8pm. Reply to change.'],
    ]);
    expect(convo[1].id).toBe(sent.messages[0].id);
    expectError(await api(a, 'GET', '/messages?conversation=nobody'), 422, 'validation_failed');
    // A "+" lost to the query string is forgiven.
    expect((await api(a, 'GET', `/messages?conversation=${phone}`)).json().data).toHaveLength(2);
    // Another account's conversation with the same phone is its own.
    const other = await h.account();
    expect((await api(other, 'GET', `/messages?conversation=${encodeURIComponent(phone)}`)).json().data).toEqual([]);
  });
});
