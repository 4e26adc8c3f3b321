import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountRateLimit } from '../../src/modules/access/accounts.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { LogCapture } from '../support/http-assert.ts';
import { until } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Kannel's sendsms (docs/compat-kannel.md) over raw HTTP, as Kannel's user guide describes it
 * (Debian's kannel-docs: "Using the HTTP interface to send SMS messages", the SMS Push CGI
 * variables, the X-Kannel headers, the reply codes and the dlr-url escapes), against a real
 * Hellio server on a local port.
 */

/** Percent-encoding of bytes, as a Kannel client encodes its text in the query string. */
const pct = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

describe.each(BACKENDS)('Kannel sendsms on %s', (backend) => {
  let h: Harness;
  let worker: Worker;
  let receiver: WebhookReceiver;
  let base: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_WEBHOOK_TIMEOUT_MS: '2000' }, logStream: logs });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await receiver?.close();
  });

  /** GET /cgi-bin/sendsms with this query string (written by hand, as a client would). */
  const get = async (query: string) => {
    const res = await fetch(`${base}/cgi-bin/sendsms?${query}`);
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };
  const auth = (a: TestAccount) => `username=${a.keyId}&password=${encodeURIComponent(a.key)}`;
  const messagesOf = async (a: TestAccount) => (await h.rt.store.messages.list(a.id, {}, 100)).reverse();

  it('GET: sends to several receivers (numbers without "+" are international) and answers 202 "0: Accepted for delivery"', async () => {
    const a = await h.account();
    const res = await get(`${auth(a)}&from=HELLIO&to=447911123456+0014155552671+%2B33612345678&text=Hello+world`);
    expect(res).toEqual({ status: 202, text: '0: Accepted for delivery', type: 'text/html' });
    const sent = await messagesOf(a);
    expect(sent.map((m) => m.recipient).sort()).toEqual(['+14155552671', '+33612345678', '+447911123456']);
    expect(sent.every((m) => m.body === 'Hello world' && m.sender === 'HELLIO')).toBe(true);
  });

  it('GET: coding=2 takes the text as UCS-2 (UTF-16BE), charset names another encoding', async () => {
    const a = await h.account();
    const ucs2 = await get(`${auth(a)}&from=HELLIO&to=14155552671&coding=2&text=${pct(Buffer.from('Привет', 'utf16le').swap16())}`);
    expect(ucs2).toMatchObject({ status: 202, text: '0: Accepted for delivery' });
    const latin1 = await get(`${auth(a)}&from=HELLIO&to=14155552672&charset=ISO-8859-1&text=${pct(Buffer.from('été', 'latin1'))}`);
    expect(latin1.status).toBe(202);
    const [m1, m2] = await messagesOf(a);
    expect(m1).toMatchObject({ body: 'Привет', encoding: 'UCS-2' });
    expect(m2).toMatchObject({ body: 'été' });
    const broken = await get(`${auth(a)}&from=HELLIO&to=14155552673&coding=2&text=%D0`);
    expect(broken).toMatchObject({ status: 400, text: 'Charset or body misformed, rejected' });
  });

  it('POST: X-Kannel-* headers, the text in the body in the Content-Type\'s charset; deferred schedules it', async () => {
    const a = await h.account();
    const res = await fetch(`${base}/cgi-bin/sendsms`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=ISO-8859-1',
        'x-kannel-username': a.keyId,
        'x-kannel-password': a.key,
        'x-kannel-from': 'HELLIO',
        'x-kannel-to': '4915123456789',
        'x-kannel-deferred': '30',
      },
      body: Buffer.from('Grüße', 'latin1'),
    });
    expect({ status: res.status, text: await res.text() }).toEqual({ status: 202, text: '0: Accepted for delivery' });
    const [m] = await messagesOf(a);
    expect(m).toMatchObject({ recipient: '+4915123456789', body: 'Grüße', status: 'scheduled' });
    expect(m!.scheduled_at! - Date.now()).toBeGreaterThan(25 * 60_000);
    const json = await fetch(`${base}/cgi-bin/sendsms`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kannel-username': a.keyId, 'x-kannel-password': a.key, 'x-kannel-to': '14155552671' }, body: '{}' });
    expect({ status: json.status, text: await json.text() }).toEqual({ status: 400, text: 'Invalid content-type' });
  });

  it('answers Kannel\'s refusals: 403 "Authorization failed for sendsms" and the 400 texts', async () => {
    const a = await h.account();
    const b = await h.account();
    const denied = { status: 403, text: 'Authorization failed for sendsms', type: 'text/html' };
    expect(await get(`username=${a.keyId}&password=${encodeURIComponent(`${a.key.slice(0, -2)}AA`)}&from=HELLIO&to=14155552671&text=x`)).toEqual(denied);
    // A good key under another key's id, and no credentials at all.
    expect(await get(`username=${b.keyId}&password=${encodeURIComponent(a.key)}&from=HELLIO&to=14155552671&text=x`)).toEqual(denied);
    expect(await get('from=HELLIO&to=14155552671&text=x')).toEqual(denied);
    const narrow = await h.key(a.id, { scopes: 'reports' });
    expect(await get(`username=${narrow.id}&password=${encodeURIComponent(narrow.key)}&from=HELLIO&to=14155552671&text=x`)).toEqual(denied);

    const refused = async (query: string) => {
      const r = await get(`${auth(a)}&${query}`);
      return { status: r.status, text: r.text };
    };
    expect(await refused('from=HELLIO&text=x')).toEqual({ status: 400, text: 'Missing receiver number, rejected' });
    expect(await refused('from=HELLIO&to=&text=x')).toEqual({ status: 400, text: 'Empty receiver number not allowed, rejected' });
    expect(await refused('to=14155552671&text=x')).toEqual({ status: 400, text: 'Sender missing and no global set, rejected' });
    expect(await refused('from=HELLIO&to=12+abc&text=x')).toEqual({ status: 400, text: 'Number(s) has/have been denied by white- and/or black-lists.' });
    expect(await refused('from=HELLIO&to=14155552671&text=x&coding=3')).toEqual({ status: 400, text: 'Coding field misformed, rejected' });
    expect(await refused('from=HELLIO&to=14155552671&text=x&dlr-mask=x')).toEqual({ status: 400, text: 'DLR-Mask field misformed, rejected' });
    expect(await refused('from=HELLIO&to=14155552671&text=x&dlr-mask=1&dlr-url=ftp%3A%2F%2Fexample.com')).toEqual({ status: 400, text: 'DLR-URL field misformed, rejected' });
    expect(await refused('from=HELLIO&to=14155552671&text=x&validity=soon')).toEqual({ status: 400, text: 'Validity field misformed, rejected' });
    expect(await refused('from=NOTMINE&to=14155552671&text=x')).toEqual({ status: 403, text: 'Not routable. Do not try again.' });
    expect(await messagesOf(a)).toEqual([]);
  });

  it('fetches dlr-url with its escapes filled in, for the statuses of dlr-mask', async () => {
    const a = await h.account();
    const template = `${receiver.url('/dlr')}?id=42&type=%d&to=%P&from=%p&answer=%A&at=%T&smsc=%i&pct=%%`;
    const res = await get(`${auth(a)}&from=HELLIO&to=14155552671+${SMS_MAGIC.undelivered.slice(1)}&text=report&dlr-mask=${1 + 2 + 8}&dlr-url=${encodeURIComponent(template)}`);
    expect(res.status).toBe(202);
    const reports = () => receiver.received.filter((w) => w.path.startsWith('/dlr?')).map((w) => Object.fromEntries(new URL(w.path, 'http://x').searchParams));
    await until('delivered, undelivered and two smsc reports', () => reports().length >= 4, { timeoutMs: 15_000 });
    await worker.drain();
    const got = reports();
    expect(got.map((r) => `${r.to} ${r.type}`).sort()).toEqual(['14155552671 1', '14155552671 8', `${SMS_MAGIC.undelivered.slice(1)} 2`, `${SMS_MAGIC.undelivered.slice(1)} 8`].sort());
    for (const r of got) {
      expect(r).toMatchObject({ id: '42', from: 'HELLIO', pct: '%', smsc: 'simulator' });
      expect(Math.abs(Number(r.at) - Date.now() / 1000)).toBeLessThan(120);
    }
    expect(got.find((r) => r.type === '1')!.answer).toBe('DELIVRD');
    expect(got.find((r) => r.type === '8')!.answer).toBe('ACK/');
  });

  it('reports only the statuses of the mask, and keeps nothing once the message is final', async () => {
    const a = await h.account();
    const template = `${receiver.url('/only-sent')}?type=%d`;
    expect((await get(`${auth(a)}&from=HELLIO&to=14155552671&text=mask&dlr-mask=8&dlr-url=${encodeURIComponent(template)}`)).status).toBe(202);
    const [m] = await messagesOf(a);
    await until('the message to be delivered', async () => (await h.rt.store.messages.get(a.id, m!.id))?.status === 'delivered', { timeoutMs: 15_000 });
    await until('the callback row to go', async () => (await h.rt.store.messageCallbacks.get(m!.id)) === undefined, { timeoutMs: 15_000 });
    await worker.drain();
    expect(receiver.received.filter((w) => w.path.startsWith('/only-sent')).map((w) => w.path)).toEqual(['/only-sent?type=8']);
  });

  it('answers 503 "Temporal failure, try again later." over the key\'s rate limit or the wallet', async () => {
    const a = await h.account();
    await setAccountRateLimit(h.rt.ctx, a.id, 1);
    expect((await get(`${auth(a)}&from=HELLIO&to=14155552671&text=one`)).status).toBe(202);
    const limited = await fetch(`${base}/cgi-bin/sendsms?${auth(a)}&from=HELLIO&to=14155552671&text=two`);
    expect({ status: limited.status, text: await limited.text() }).toEqual({ status: 503, text: 'Temporal failure, try again later.' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const poor = await h.account({ balance: '0.00' });
    expect(await get(`${auth(poor)}&from=HELLIO&to=14155552671&text=x`)).toMatchObject({ status: 503, text: 'Temporal failure, try again later.' });
  });

  it('never writes the key to the log', async () => {
    const a = await h.account();
    expect((await get(`${auth(a)}&from=HELLIO&to=14155552671&text=log`)).status).toBe(202);
    expect(logs.text).toContain('/cgi-bin/sendsms');
    expect(logs.text).not.toContain(a.key.slice(3));
  });
});
