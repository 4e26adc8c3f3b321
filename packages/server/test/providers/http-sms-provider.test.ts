import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HttpSmsProvider,
  parseHttpSmsProviderConfig,
  parseRetryAfter,
  type HttpSmsProviderConfig,
} from '../../src/providers/sms/http-sms-provider.ts';
import type { SmsReceipt, SmsSubmit } from '../../src/providers/sms/sms-provider.ts';
import { startFakeSmsApi, type FakeSmsApi } from '../support/fake-sms-api.ts';

let api: FakeSmsApi;
const providers: HttpSmsProvider[] = [];

beforeAll(async () => {
  api = await startFakeSmsApi();
});

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  api.requests.length = 0;
  api.auth = null;
  api.onRequest = () => undefined;
});

afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
});

function config(over: Partial<HttpSmsProviderConfig> = {}): HttpSmsProviderConfig {
  return {
    name: 'acme-sms',
    url: `${api.url}/v1/sms`,
    body: { from: '{from}', to: '{to}', text: '{text}' },
    idPath: 'messages.0.id',
    ...over,
  };
}

function provider(over: Partial<HttpSmsProviderConfig> = {}): HttpSmsProvider {
  const p = new HttpSmsProvider(config(over));
  providers.push(p);
  return p;
}

function sms(over: Partial<SmsSubmit> = {}): SmsSubmit {
  return { messageId: 'msg_123', from: 'Hellio', to: '+15551230000', text: 'Your code is 123456', encoding: 'GSM-7', ...over };
}

const HOSTILE = 'He said "hi",\n\t}, "to": "+19999999999", "x": {"\\u0000\\" {to} {from} $& $1 \r\nbye';
const UNICODE = 'Grüße 👋 — 你好, ça va?';

describe('request rendering', () => {
  it('renders a JSON body from the template, placeholders as plain strings', async () => {
    const p = provider({
      body: { src: '{from}', dst: '{to_digits}', msg: '{text}', ref: 'hellio:{message_id}', e164: '{to}', type: 'unicode' },
    });
    const r = await p.submit(sms({ text: UNICODE, encoding: 'UCS-2' }));
    expect(r).toEqual({ ok: true, providerMessageIds: ['fake-1'] });
    const [req] = api.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/sms');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.body).toEqual({ src: 'Hellio', dst: '15551230000', msg: UNICODE, ref: 'hellio:msg_123', e164: '+15551230000', type: 'unicode' });
  });

  it('refuses 8-bit data for good, without a request: a template has no place for octets and a UDH', async () => {
    const p = provider();
    const r = await p.submit(sms({ text: '0605', binary: { udh: Buffer.from('0605040b8423f0', 'hex'), data: Buffer.from([0, 255]) } }));
    expect(r).toMatchObject({ ok: false, retryable: false, code: 'UNSUPPORTED' });
    expect(api.requests).toEqual([]);
  });

  it('encodes quotes, newlines and placeholder-like text safely in JSON (no template injection)', async () => {
    const p = provider();
    expect((await p.submit(sms({ text: HOSTILE }))).ok).toBe(true);
    const body = api.requests[0]?.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['from', 'text', 'to']);
    expect(body.text).toBe(HOSTILE);
    expect(body.to).toBe('+15551230000');
  });

  it('form-encodes the body for format "form", unicode and hostile text intact', async () => {
    const p = provider({ format: 'form', method: 'PUT', body: { To: '{to}', From: '{from}', Body: '{text}' }, idPath: 'sid' });
    api.onRequest = () => ({ status: 201, body: { sid: 'SM42', status: 'queued' } });
    expect(await p.submit(sms({ text: UNICODE }))).toEqual({ ok: true, providerMessageIds: ['SM42'] });
    expect(await p.submit(sms({ text: `${HOSTILE}&To=+19999999999&x=%26` }))).toEqual({ ok: true, providerMessageIds: ['SM42'] });

    const [a, b] = api.requests;
    expect(a?.method).toBe('PUT');
    expect(a?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(a?.body).toEqual({ To: '+15551230000', From: 'Hellio', Body: UNICODE });
    expect(b?.body).toEqual({ To: '+15551230000', From: 'Hellio', Body: `${HOSTILE}&To=+19999999999&x=%26` });
    // One To only: the "&To=" in the text did not become a field.
    expect(new URLSearchParams(b?.raw).getAll('To')).toEqual(['+15551230000']);
  });

  it('reads a numeric id and a deep idPath', async () => {
    const p = provider({ idPath: 'data.result.0.messageId' });
    api.onRequest = () => ({ body: { data: { result: [{ messageId: 9876543210 }] } } });
    expect(await p.submit(sms())).toEqual({ ok: true, providerMessageIds: ['9876543210'] });
  });
});

describe('auth', () => {
  it('sends a bearer token', async () => {
    api.auth = { header: 'authorization', value: 'Bearer tok-abc.123' };
    const p = provider({ auth: { type: 'bearer', token: 'tok-abc.123' } });
    expect((await p.submit(sms())).ok).toBe(true);
  });

  it('sends basic credentials', async () => {
    const user = 'AC0001';
    const pass = 'pässword:with:colons';
    api.auth = { header: 'authorization', value: `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}` };
    const p = provider({ auth: { type: 'basic', username: user, password: pass } });
    expect((await p.submit(sms())).ok).toBe(true);
  });

  it('sends a custom header', async () => {
    api.auth = { header: 'x-api-key', value: 'k3y-value' };
    const p = provider({ auth: { type: 'header', name: 'X-Api-Key', value: 'k3y-value' } });
    expect((await p.submit(sms())).ok).toBe(true);
  });

  it('refused credentials are permanent, and the secret never shows in the error or the object', async () => {
    api.auth = { header: 'authorization', value: 'Bearer right' };
    const p = provider({ auth: { type: 'bearer', token: 'wrong-secret-token' } });
    const r = await p.submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: false, code: 'HTTP_401' });

    // A provider that echoes the header back.
    api.auth = null;
    api.onRequest = (req) => ({ status: 403, body: { error: 'bad key', got: req.headers.authorization } });
    const echoed = await p.submit(sms());
    expect(echoed).toMatchObject({ ok: false, retryable: false, code: 'HTTP_403' });
    expect(JSON.stringify(echoed)).not.toContain('wrong-secret-token');
    expect(JSON.stringify(echoed)).toContain('[redacted]');
    expect(inspect(p, { depth: 10 })).not.toContain('wrong-secret-token');
    expect(JSON.stringify(p)).not.toContain('wrong-secret-token');
  });
});

describe('outcomes', () => {
  it('429 with Retry-After seconds → retryable with the hint', async () => {
    api.onRequest = () => ({ status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow down' } });
    const r = await provider().submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: true, code: 'HTTP_429', retryAfterMs: 7000 });
  });

  it('503 with Retry-After as an HTTP date → retryable with the hint', async () => {
    api.onRequest = () => ({ status: 503, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }, body: 'maintenance' });
    const r = await provider().submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: true, code: 'HTTP_503' });
    const hint = r.ok ? undefined : r.retryAfterMs;
    expect(hint).toBeGreaterThan(20_000);
    expect(hint).toBeLessThanOrEqual(30_000);
  });

  it('503 and other 5xx without Retry-After → retryable, no hint', async () => {
    api.onRequest = (_req, i) => ({ status: i === 0 ? 503 : 500, body: 'oops' });
    const p = provider();
    const a = await p.submit(sms());
    const b = await p.submit(sms());
    expect(a).toMatchObject({ ok: false, retryable: true, code: 'HTTP_503' });
    expect(b).toMatchObject({ ok: false, retryable: true, code: 'HTTP_500' });
    expect(a.ok ? 0 : a.retryAfterMs).toBeUndefined();
  });

  it('408 → retryable', async () => {
    api.onRequest = () => ({ status: 408, body: '' });
    expect(await provider().submit(sms())).toMatchObject({ ok: false, retryable: true, code: 'HTTP_408' });
  });

  it('400 → permanent with an excerpt of the answer, at most 200 characters', async () => {
    const detail = `invalid destination ${'x'.repeat(500)}`;
    api.onRequest = () => ({ status: 400, body: { error: detail } });
    const r = await provider().submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: false, code: 'HTTP_400' });
    if (r.ok) throw new Error('unreachable');
    expect(r.error).toContain('{"error":"invalid destination xxx');
    const excerpt = r.error.slice('HTTP 400: '.length);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.length).toBe(201);
  });

  it('does not follow redirects: 3xx → permanent, one request only', async () => {
    api.onRequest = (_req, i) => (i === 0 ? { status: 307, headers: { location: `${api.url}/elsewhere` }, body: '' } : undefined);
    const r = await provider().submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: false, code: 'HTTP_307' });
    expect(api.requests).toHaveLength(1);
  });

  it('2xx without an id → permanent NO_MESSAGE_ID (the provider took it; a retry would send twice)', async () => {
    const p = provider();
    api.onRequest = (_req, i) => (i === 0 ? { body: { messages: [{ status: '0' }] } } : { body: '<html>ok</html>', headers: { 'content-type': 'text/html' } });
    const a = await p.submit(sms());
    const b = await p.submit(sms());
    expect(a).toMatchObject({ ok: false, retryable: false, code: 'NO_MESSAGE_ID' });
    expect(b).toMatchObject({ ok: false, retryable: false, code: 'NO_MESSAGE_ID' });
    if (a.ok) throw new Error('unreachable');
    expect(a.error).toContain('messages.0.id');
  });

  it('a connection cut before the answer → retryable', async () => {
    api.onRequest = () => ({ destroy: true });
    expect(await provider().submit(sms())).toMatchObject({ ok: false, retryable: true, code: 'NETWORK_ERROR' });
  });

  it('connection refused → retryable', async () => {
    const gone = await startFakeSmsApi();
    const url = `${gone.url}/v1/sms`;
    await gone.close();
    const r = await provider({ url }).submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: true, code: 'NETWORK_ERROR' });
    if (r.ok) throw new Error('unreachable');
    expect(r.error).toContain('ECONNREFUSED');
  });

  it('a server slower than timeoutMs → retryable TIMEOUT', async () => {
    api.onRequest = () => ({ delayMs: 2_000, body: { messages: [{ id: 'late' }] } });
    const r = await provider({ timeoutMs: 200 }).submit(sms());
    expect(r).toMatchObject({ ok: false, retryable: true, code: 'TIMEOUT' });
  });

  it('close() aborts requests in flight and refuses new ones, both retryable', async () => {
    api.onRequest = () => ({ delayMs: 5_000, body: { messages: [{ id: 'late' }] } });
    const p = new HttpSmsProvider(config({ timeoutMs: 30_000 }));
    const pending = p.submit(sms());
    while (api.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    let settled = false;
    void pending.then(() => (settled = true));
    await p.close();
    expect(settled).toBe(true);
    expect(await pending).toMatchObject({ ok: false, retryable: true, code: 'CLOSED' });
    expect(await p.submit(sms())).toMatchObject({ ok: false, retryable: true, code: 'CLOSED' });
    expect(api.requests).toHaveLength(1);
  });
});

describe('parseRetryAfter', () => {
  it('takes seconds or an HTTP date, ignores junk, caps at an hour', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 12 ', now)).toBe(12_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('86400', now)).toBe(3_600_000);
  });
});

describe('handleCallback', () => {
  const receipt = { idField: 'MessageSid', statusField: 'MessageStatus', delivered: ['delivered'], undelivered: ['undelivered'], failed: ['failed', 'EXPIRED'] };

  function withReceipts(over: Partial<HttpSmsProviderConfig> = {}): { p: HttpSmsProvider; got: SmsReceipt[] } {
    const p = provider({ receipt, ...over });
    const got: SmsReceipt[] = [];
    p.onReceipt(async (r) => void got.push(r));
    return { p, got };
  }

  it('maps delivered, undelivered and failed (case-insensitively), keeping the raw word', () => {
    const { p, got } = withReceipts();
    expect(p.handleCallback({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toBe(true);
    expect(p.handleCallback({ MessageSid: 'SM2', MessageStatus: 'undelivered', ErrorCode: '30003' })).toBe(true);
    expect(p.handleCallback({ MessageSid: 'SM3', MessageStatus: 'FAILED' })).toBe(true);
    expect(p.handleCallback({ MessageSid: 'SM4', MessageStatus: 'expired' })).toBe(true);
    expect(got.map(({ providerMessageId, status, detail }) => ({ providerMessageId, status, detail }))).toEqual([
      { providerMessageId: 'SM1', status: 'delivered', detail: 'delivered' },
      { providerMessageId: 'SM2', status: 'undelivered', detail: 'undelivered' },
      { providerMessageId: 'SM3', status: 'failed', detail: 'FAILED' },
      { providerMessageId: 'SM4', status: 'failed', detail: 'expired' },
    ]);
    for (const r of got) expect(typeof r.at).toBe('number');
  });

  it('ignores intermediate and unknown statuses and incomplete callbacks', () => {
    const { p, got } = withReceipts();
    expect(p.handleCallback({ MessageSid: 'SM1', MessageStatus: 'queued' })).toBe(false);
    expect(p.handleCallback({ MessageSid: 'SM1', MessageStatus: 'sent' })).toBe(false);
    expect(p.handleCallback({ MessageSid: 'SM1', MessageStatus: 'something-new' })).toBe(false);
    expect(p.handleCallback({ MessageStatus: 'delivered' })).toBe(false);
    expect(p.handleCallback({ MessageSid: 'SM1' })).toBe(false);
    expect(p.handleCallback({ MessageSid: { x: 1 }, MessageStatus: 'delivered' })).toBe(false);
    expect(p.handleCallback({})).toBe(false);
    expect(got).toEqual([]);
  });

  it('reads nested fields and numeric ids', () => {
    const { p, got } = withReceipts({
      receipt: { idField: 'data.payload.id', statusField: 'data.payload.to.0.status', delivered: ['delivered'], undelivered: ['delivery_failed'], failed: ['sending_failed'] },
    });
    expect(p.handleCallback({ data: { payload: { id: 40385, to: [{ status: 'delivery_failed' }] } } })).toBe(true);
    expect(got[0]).toMatchObject({ providerMessageId: '40385', status: 'undelivered', detail: 'delivery_failed' });
  });

  it('returns false without receipt config or without a handler', () => {
    const bare = provider();
    bare.onReceipt(() => {
      throw new Error('must not be called');
    });
    expect(bare.handleCallback({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toBe(false);
    expect(provider({ receipt }).handleCallback({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toBe(false);
  });
});

describe('parseHttpSmsProviderConfig', () => {
  const good = { name: 'acme-sms', url: 'https://api.acme.test/v1/sms', body: { to: '{to}', text: '{text}' }, idPath: 'id' };
  const bad = (over: Record<string, unknown>) => () => parseHttpSmsProviderConfig({ ...good, ...over });

  it('accepts a minimal config and fills the defaults', () => {
    expect(parseHttpSmsProviderConfig(good)).toEqual({ ...good, method: 'POST', format: 'json', timeoutMs: 10_000 });
  });

  it('accepts every auth kind and a receipt section', () => {
    for (const auth of [
      { type: 'bearer', token: 't' },
      { type: 'basic', username: 'u', password: '' },
      { type: 'header', name: 'X-Key', value: 'v' },
    ]) {
      expect(parseHttpSmsProviderConfig({ ...good, auth }).auth).toEqual(auth);
    }
    const receipt = { idField: 'sid', statusField: 'status', delivered: ['delivered'], undelivered: [], failed: ['failed'] };
    expect(parseHttpSmsProviderConfig({ ...good, receipt }).receipt).toEqual(receipt);
  });

  it('rejects a bad URL', () => {
    expect(bad({ url: 'not a url' })).toThrow(/url must be an absolute http\(s\) URL/);
    expect(bad({ url: '/v1/sms' })).toThrow(/url/);
    expect(bad({ url: 'ftp://api.acme.test/sms' })).toThrow(/url must be an absolute http\(s\) URL/);
    expect(bad({ url: 'https://user:hunter2@api.acme.test/sms' })).toThrow(/credentials/);
    expect(bad({ url: 'https://user:hunter2@api.acme.test/sms' })).not.toThrow(/hunter2/);
  });

  it('rejects a missing or malformed idPath', () => {
    const { idPath: _, ...noIdPath } = good;
    expect(() => parseHttpSmsProviderConfig(noIdPath)).toThrow(/idPath must be a non-empty string/);
    expect(bad({ idPath: 'messages..id' })).toThrow(/idPath must be a dot path/);
  });

  it('rejects an unknown placeholder, naming it', () => {
    expect(bad({ body: { to: '{to}', text: '{text}', extra: 'x{foo}y' } })).toThrow(/body\.extra uses unknown placeholder \{foo\}/);
  });

  it('rejects a template that cannot send a message', () => {
    expect(bad({ body: { to: '{to}' } })).toThrow(/must use \{text\}/);
    expect(bad({ body: { text: '{text}' } })).toThrow(/must use \{to\} or \{to_digits\}/);
    expect(bad({ body: { to: '{to}', text: '{text}', n: 5 } })).toThrow(/body\.n must be a string/);
    expect(bad({ body: 'to={to}' })).toThrow(/body must be an object/);
  });

  it('rejects bad auth without echoing secrets', () => {
    expect(bad({ auth: { type: 'oauth', token: 'x' } })).toThrow(/auth\.type/);
    expect(bad({ auth: { type: 'bearer' } })).toThrow(/auth\.token/);
    expect(bad({ auth: { type: 'bearer', token: 'line\r\nX-Evil: 1' } })).toThrow(/printable ASCII/);
    expect(bad({ auth: { type: 'bearer', token: 'line\r\nX-Evil: 1' } })).not.toThrow(/Evil/);
    expect(bad({ auth: { type: 'basic', username: 'a:b', password: 'p' } })).toThrow(/username/);
    expect(bad({ auth: { type: 'header', name: 'X Key', value: 'v' } })).toThrow(/auth\.name/);
  });

  it('rejects other bad fields', () => {
    expect(() => parseHttpSmsProviderConfig(null)).toThrow(/expected an object/);
    expect(bad({ name: '' })).toThrow(/name/);
    expect(bad({ name: 'acme sms' })).toThrow(/name must be/);
    expect(bad({ method: 'GET' })).toThrow(/method/);
    expect(bad({ format: 'xml' })).toThrow(/format/);
    expect(bad({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(bad({ timeoutMs: '5000' })).toThrow(/timeoutMs/);
    expect(bad({ idpath: 'id' })).toThrow(/unknown field idpath/);
    expect(bad({ receipt: { idField: 'sid', statusField: 'status', delivered: ['ok'], undelivered: ['OK'], failed: [] } })).toThrow(/both delivered and undelivered/);
    expect(bad({ receipt: { idField: 'sid', statusField: 'status', delivered: ['ok'] } })).toThrow(/receipt\.undelivered/);
  });

  it('the constructor validates too', () => {
    expect(() => new HttpSmsProvider({ ...good, body: { to: '{to}', text: '{txt}' } })).toThrow(/\{txt\}/);
  });
});
