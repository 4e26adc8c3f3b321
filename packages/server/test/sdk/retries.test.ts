import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffMs,
  ConnectionError,
  ConflictError,
  Hellio,
  HellioError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from '../../../sdk/src/index.ts';
import { parseRetryAfter } from '../../../sdk/src/errors.ts';

// The SDK's retries against a real HTTP server on loopback that answers from a script: statuses
// with their headers and bodies, a dropped connection (the socket destroyed before any answer),
// or no answer at all. Every request is recorded with its headers and arrival time.

type Step = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop' | 'hang';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

const SMS_ANSWER = {
  campaign_id: null,
  messages: [{ id: 'msg_1', to: '+14155552671', status: 'queued', segments: 1, encoding: 'GSM-7', price: '0.0080' }],
  total_price: '0.0080',
  currency: 'USD',
};
const ok = (body: unknown = SMS_ANSWER): Step => ({ status: 200, body });
const apiError = (status: number, code: string, headers: Record<string, string> = {}, errors?: unknown): Step => ({
  status,
  headers,
  body: { code, message: `${code} happened`, detail: `${code} happened`, ...(errors ? { errors } : {}) },
});
const SMS = { from: 'HELLIO', to: '+14155552671', message: 'hi' };

describe('SDK retries against a scripted server', () => {
  let server: Server;
  let baseUrl: string;
  let script: Step[] = [];
  let seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const step = script.shift() ?? ok();
        if (step === 'drop') return req.socket.destroy();
        if (step === 'hang') return;
        res.writeHead(step.status, { 'content-type': 'application/json', 'x-request-id': `req_${seen.length}`, ...step.headers });
        res.end(JSON.stringify(step.body ?? {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    script = [];
    seen = [];
  });

  const client = (o: { maxRetries?: number; timeout?: number } = {}) => new Hellio('cs_test_key', { baseUrl, ...o });
  const gaps = () => seen.slice(1).map((s, i) => s.at - seen[i]!.at);

  it('rides out a 429 (waiting its Retry-After), a 503 and a dropped connection, with one Idempotency-Key', async () => {
    script = [apiError(429, 'rate_limited', { 'retry-after': '1' }), apiError(503, 'overloaded'), 'drop', ok()];
    const answer = await client({ maxRetries: 3 }).sms.send(SMS);
    expect(answer).toEqual(SMS_ANSWER);
    expect(seen).toHaveLength(4);
    const keys = new Set(seen.map((s) => s.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const s of seen) {
      expect(s).toMatchObject({ method: 'POST', url: '/sms/send' });
      expect(JSON.parse(s.body)).toEqual(SMS);
      expect(s.headers.authorization).toBe('Bearer cs_test_key');
    }
    const [afterRateLimit, afterFirstBackoff, afterSecondBackoff] = gaps();
    // Retry-After: 1 is waited out; then min(0.5 s × 2ⁿ, 5 s) less at most a quarter of jitter.
    expect(afterRateLimit).toBeGreaterThanOrEqual(990);
    expect(afterFirstBackoff).toBeGreaterThanOrEqual(750 - 10);
    expect(afterFirstBackoff).toBeLessThan(1000 + 250);
    expect(afterSecondBackoff).toBeGreaterThanOrEqual(1500 - 10);
    expect(afterSecondBackoff).toBeLessThan(2000 + 250);
  });

  it('waits a 503’s Retry-After', async () => {
    script = [apiError(503, 'not_ready', { 'retry-after': '2' }), ok()];
    await client().sms.send(SMS);
    expect(seen).toHaveLength(2);
    expect(gaps()[0]).toBeGreaterThanOrEqual(1990);
  });

  it('keeps the caller’s own Idempotency-Key on every attempt', async () => {
    script = [apiError(409, 'idempotency_in_progress'), ok()];
    await client().sms.send(SMS, { idempotencyKey: 'order-42' });
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(['order-42', 'order-42']);
  });

  it('gives each call its own generated key', async () => {
    await client().sms.send(SMS);
    await client().sms.send(SMS);
    expect(seen[0]!.headers['idempotency-key']).not.toBe(seen[1]!.headers['idempotency-key']);
  });

  it('stops after maxRetries and throws the last answer', async () => {
    script = [apiError(503, 'overloaded'), apiError(503, 'overloaded'), apiError(503, 'overloaded'), ok()];
    const err = await client({ maxRetries: 2 }).sms.send(SMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HellioError);
    expect(err).toMatchObject({ status: 503, code: 'overloaded', message: 'overloaded happened', requestId: 'req_3' });
    expect(seen).toHaveLength(3);
  });

  it('makes one attempt when maxRetries is 0 (per call too)', async () => {
    script = [apiError(503, 'overloaded'), ok()];
    await expect(client().sms.send(SMS, { maxRetries: 0 })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_json'],
    [422, 'validation_failed'],
  ])('never retries a %i', async (status, code) => {
    script = [apiError(status, code, {}, [{ field: 'to', message: 'must be E.164' }]), ok()];
    const err = await client({ maxRetries: 3 }).sms.send(SMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status, code, errors: [{ field: 'to', message: 'must be E.164' }] });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 409 other than idempotency_in_progress', async () => {
    script = [apiError(409, 'conflict'), ok()];
    await expect(client().sms.send(SMS)).rejects.toBeInstanceOf(ConflictError);
    expect(seen).toHaveLength(1);
  });

  it('throws at once when Retry-After is longer than a minute, saying how long', async () => {
    script = [apiError(429, 'rate_limited', { 'retry-after': '120' }), ok()];
    const started = Date.now();
    const err = await client().sms.send(SMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(120);
    expect(seen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('leaves an OTP cooldown to the caller (another try would send another code)', async () => {
    script = [apiError(429, 'otp_cooldown', { 'retry-after': '2' }), ok()];
    const err = await client().otp.send({ to: '+14155552671' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ code: 'otp_cooldown', retryAfter: 2 });
    expect(seen).toHaveLength(1);
  });

  it('throws ConnectionError when every attempt is dropped', async () => {
    script = ['drop', 'drop', 'drop'];
    const err = await client({ maxRetries: 2 }).sms.send(SMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ status: undefined, code: 'connection_error' });
    expect(seen).toHaveLength(3);
  });

  it('times each attempt out and throws TimeoutError after the retries', async () => {
    script = ['hang', 'hang'];
    const started = Date.now();
    const err = await client({ maxRetries: 1, timeout: 300 }).sms.send(SMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(seen).toHaveLength(2);
    // Two attempts of 300 ms and one backoff of at most 500 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600 - 10);
    expect(Date.now() - started).toBeLessThan(2000);
    server.closeAllConnections();
  });

  it('does not repeat a POST without an Idempotency-Key when it is unknown whether it acted', async () => {
    script = ['drop', ok({ id: 'wh_1' })];
    await expect(client().webhooks.create({ url: 'https://example.com/h', events: ['*'] })).rejects.toBeInstanceOf(ConnectionError);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('repeats such a POST after an answer that proves nothing was done (503)', async () => {
    script = [apiError(503, 'overloaded'), ok({ id: 'wh_1' })];
    await expect(client().webhooks.create({ url: 'https://example.com/h', events: ['*'] })).resolves.toEqual({ id: 'wh_1' });
    expect(seen).toHaveLength(2);
  });

  it('retries reads on a 500, without an Idempotency-Key, and sends the query', async () => {
    script = [apiError(500, 'internal_error'), ok({ data: [], next_cursor: null })];
    const page = await client().messages.list({ channel: 'sms', limit: 5, status: undefined });
    expect(page).toEqual({ data: [], next_cursor: null });
    expect(seen.map((s) => [s.method, s.url])).toEqual([
      ['GET', '/messages?channel=sms&limit=5'],
      ['GET', '/messages?channel=sms&limit=5'],
    ]);
    expect(seen[1]!.headers['idempotency-key']).toBeUndefined();
  });

  it('escapes ids in paths', async () => {
    script = [ok({})];
    await client().messages.get('msg_../../balance');
    expect(seen[0]!.url).toBe('/messages/msg_..%2F..%2Fbalance');
  });

  it('stops waiting when the caller aborts', async () => {
    script = [apiError(429, 'rate_limited', { 'retry-after': '30' })];
    const ac = new AbortController();
    const call = client().sms.send(SMS, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('caller gave up')), 200);
    await expect(call).rejects.toThrow('caller gave up');
    expect(seen).toHaveLength(1);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-31T09:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Sat, 31 Jan 2026 09:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sat, 31 Jan 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('backoffMs', () => {
  it('is min(0.5 s × 2ⁿ, 5 s), less at most a quarter', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, () => 0))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect([0, 1, 2, 3, 4].map((n) => backoffMs(n, () => 0.999999))).toEqual([375, 750, 1500, 3000, 3750]);
  });
});
