import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';

/**
 * Kannel's 8-bit messages (coding=1 with a udh) and `validity`, from sendsms to the wire: what
 * an SMSC (the `smpp` package's server) receives in submit_sm — data_coding, esm_class,
 * short_message and validity_period — on both backends. Requests are written as Kannel's user
 * guide describes them (the SMS Push CGI variables, X-Kannel-UDH in hex).
 */

const pct = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

// A WAP push's UDH: application port addressing, 16-bit, destination 2948, source 9200.
const WAP_UDH = Buffer.from('0605040B8423F0', 'hex');
// Octets no charset could carry: NUL, 0x80–0xFF.
const DATA = Buffer.from([0x00, 0x06, 0x01, 0xae, 0x02, 0x05, 0x6a, 0x00, 0x45, 0xc6, 0xff, 0x80]);

/** SMPP's absolute time ("YYMMDDhhmmsst00+", UTC) of `ms`, written out here to check the adapter's. */
const absolute = (ms: number) => {
  const iso = new Date(ms).toISOString(); // 2026-12-06T05:34:47.123Z
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso[20]}00+`;
};

describe.each(BACKENDS)('Kannel 8-bit data and validity over SMPP on %s', (backend) => {
  let h: Harness;
  let smsc: TestSmsc;
  let base: string;
  const clock = new MovableClock();

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, { clock, env: { HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${smsc.port}` } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h?.close();
    await smsc?.close();
  });

  const auth = (a: TestAccount) => `username=${a.keyId}&password=${encodeURIComponent(a.key)}`;
  const get = async (query: string) => {
    const res = await fetch(`${base}/cgi-bin/sendsms?${query}`);
    return { status: res.status, text: await res.text() };
  };
  const deliver = () => h.rt.createWorker({ pollMs: 10 }).drain();
  const only = async (a: TestAccount) => {
    const list = await h.rt.store.messages.list(a.id, {}, 10);
    expect(list).toHaveLength(1);
    return list[0]!;
  };
  const submitTo = (digits: string) => smsc.submits.filter((s) => s.destAddr === digits);
  const balance = async (a: TestAccount) => (await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) })).json().balance;

  it('GET: a udh makes it 8-bit, and the SMSC gets the octets after the UDH exactly (data_coding 4, UDHI), priced as one part', async () => {
    const a = await h.account();
    const res = await get(`${auth(a)}&from=HELLIO&to=447911100001&udh=${pct(WAP_UDH)}&text=${pct(DATA)}`);
    expect(res).toEqual({ status: 202, text: '0: Accepted for delivery' });
    const m = await only(a);
    expect(m).toMatchObject({ encoding: 'binary', segments: 1, body: DATA.toString('hex') });
    // The price of one part: what a short text to the same number costs.
    const c = await h.account();
    const text = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(c.key), payload: { from: 'HELLIO', to: '+447911100001', message: 'hi' } });
    expect(m.price_micros).toBe((await only(c)).price_micros);
    expect(m.price_micros).toBeGreaterThan(0);
    expect(text.statusCode).toBe(200);

    await deliver();
    const [submit] = submitTo('447911100001').filter((x) => x.dataCoding === 0x04);
    expect(submit).toMatchObject({ dataCoding: 0x04, esmClass: 0x40, validityPeriod: '' });
    expect(submit!.udh).toEqual(WAP_UDH);
    expect(submit!.payload).toEqual(DATA);
    expect((await only(a)).status).toBe('sent');
  });

  it('POST: application/octet-stream with X-Kannel-UDH in hex; coding=1 without a udh sends the octets alone (no UDHI)', async () => {
    const a = await h.account();
    const post = await fetch(`${base}/cgi-bin/sendsms`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-kannel-username': a.keyId, 'x-kannel-password': a.key, 'x-kannel-from': 'HELLIO', 'x-kannel-to': '447911100002', 'x-kannel-udh': WAP_UDH.toString('hex') },
      body: DATA,
    });
    expect({ status: post.status, text: await post.text() }).toEqual({ status: 202, text: '0: Accepted for delivery' });
    const plain = await get(`${auth(a)}&from=HELLIO&to=447911100003&coding=1&text=${pct(DATA)}`);
    expect(plain.status).toBe(202);

    await deliver();
    const [withUdh] = submitTo('447911100002');
    expect(withUdh).toMatchObject({ dataCoding: 0x04, esmClass: 0x40 });
    expect(withUdh!.shortMessage).toEqual(Buffer.concat([WAP_UDH, DATA]));
    const [alone] = submitTo('447911100003');
    expect(alone).toMatchObject({ dataCoding: 0x04, esmClass: 0 });
    expect(alone!.shortMessage).toEqual(DATA);
  });

  it('validity: the SMSC is told the absolute end, counted from acceptance — or from the deferred time', async () => {
    const a = await h.account();
    expect((await get(`${auth(a)}&from=HELLIO&to=447911100004&text=Valid+for+90+minutes&validity=90`)).status).toBe(202);
    const now = await only(a);
    const b = await h.account();
    expect((await get(`${auth(b)}&from=HELLIO&to=447911100005&text=Later&deferred=1&validity=60`)).status).toBe(202);
    const later = await only(b);
    expect(later.status).toBe('scheduled');

    clock.advance(61_000);
    await deliver();
    const [first] = submitTo('447911100004');
    expect(first!.validityPeriod).toBe(absolute(now.created_at + 90 * 60_000));
    expect(first!.payload.toString('latin1')).toBe('Valid for 90 minutes');
    const [second] = submitTo('447911100005');
    expect(second!.validityPeriod).toBe(absolute(later.scheduled_at! + 60 * 60_000));
  });

  it('a message whose validity ended while it waited is failed as EXPIRED, never handed over, and refunded', async () => {
    const a = await h.account({ balance: '10.00' });
    expect((await get(`${auth(a)}&from=HELLIO&to=447911100006&text=Too+late&validity=1`)).status).toBe(202);
    expect(await balance(a)).not.toBe('10.0000');
    clock.advance(2 * 60_000);
    await deliver();
    expect(submitTo('447911100006')).toEqual([]);
    const m = await only(a);
    expect(m.status).toBe('failed');
    expect(m.error).toContain('EXPIRED');
    expect(await balance(a)).toBe('10.0000');
  });

  it("refuses what Kannel refuses, in Kannel's words, and sends nothing", async () => {
    const a = await h.account();
    const refused = async (query: string) => get(`${auth(a)}&from=HELLIO&to=447911100007&${query}`);
    const udhField = { status: 400, text: 'UDH field misformed, rejected' };
    // A UDH whose length octet disagrees with its length.
    expect(await refused(`udh=%06%05%04&text=${pct(DATA)}`)).toEqual(udhField);
    // A UDH before a 7-bit or UCS-2 text.
    expect(await refused(`udh=${pct(WAP_UDH)}&coding=0&text=hello`)).toEqual(udhField);
    // More than one part's 140 octets.
    expect(await refused(`udh=${pct(WAP_UDH)}&text=${pct(Buffer.alloc(134, 7))}`)).toEqual({ status: 400, text: 'Charset or body misformed, rejected' });
    expect(await refused('coding=1&text=')).toEqual({ status: 400, text: 'Charset or body misformed, rejected' });
    expect(await refused('text=x&validity=0')).toEqual({ status: 400, text: 'Validity field misformed, rejected' });
    const post = await fetch(`${base}/cgi-bin/sendsms`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-kannel-username': a.keyId, 'x-kannel-password': a.key, 'x-kannel-from': 'HELLIO', 'x-kannel-to': '447911100007', 'x-kannel-udh': 'not hex' },
      body: DATA,
    });
    expect({ status: post.status, text: await post.text() }).toEqual(udhField);
    expect(await h.rt.store.messages.list(a.id, {}, 10)).toEqual([]);
    // Exactly at the limit it goes.
    expect((await refused(`udh=${pct(WAP_UDH)}&text=${pct(Buffer.alloc(133, 7))}`)).status).toBe(202);
  });
});
