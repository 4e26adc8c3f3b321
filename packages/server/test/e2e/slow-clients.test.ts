import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';

/**
 * The connection limits against a listening server (the HTTP parser and Node's deadlines only
 * exist on real sockets): slow-header and slow-body clients are cut off with a 408 in the SPEC
 * body while normal requests keep being answered; the parser's own refusals (431, 400, a chunk
 * size of 2^64 − 1) leave in the SPEC body with an X-Request-Id; past the in-flight cap a request
 * gets a fast 503 overloaded. The store plays no part in these limits, so SQLite only.
 */

/** A raw client socket: what it received, and whether the server has closed it. */
interface RawClient {
  socket: net.Socket;
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

function connect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const closed = new Promise<void>((res) => socket.once('close', () => ((done = true), res())));
    socket.on('data', (d) => (data += d.toString('latin1')));
    // A write racing the server's close is expected here.
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed, isClosed: () => done }));
    socket.once('error', reject);
  });
}

/** Splits a raw HTTP answer into status, headers (lower-cased) and body. */
function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function expectSpecAnswer(raw: string, status: number, code: string): void {
  const a = parseAnswer(raw);
  expect(a.status, raw.slice(0, 200)).toBe(status);
  expect(a.headers['content-type']).toMatch(/^application\/json/);
  expect(a.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
  const body = JSON.parse(a.body);
  expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'message']);
  expect(body.code).toBe(code);
  expect(body.detail).toBe(body.message);
}

/** One request on a connection of its own (no keep-alive pool), as a fresh client would. */
function freshRequest(port: number, opts: { method: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const SLOW = 200;
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const KEEPALIVE_TIMEOUT_MS = 500;
// Generous: the deadlines are checked on a timer, and two cores are shared with other tests.
const SLACK_MS = 20_000;

describe('slow clients against a listening server', () => {
  let h: Harness;
  let a: TestAccount;
  let port: number;

  beforeAll(async () => {
    h = await createHarness('sqlite', {
      env: {
        HELLIO_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HELLIO_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_TIMEOUT_MS),
        HELLIO_HTTP_MAX_IN_FLIGHT: '1000',
        HELLIO_RATE_LIMIT_PER_MINUTE: '1000000',
        HELLIO_BODY_LIMIT: '4096',
      },
    });
    a = await h.account({ balance: '1000.00' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await h?.close();
  });

  const sendSms = (i: number) =>
    freshRequest(port, {
      method: 'POST',
      path: '/sms/send',
      headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'HELLIO', to: `+1415555${String(1000 + (i % 9000))}`, message: `normal ${i}` }),
    });

  it(`cuts off ${SLOW} slow-header and ${SLOW} slow-body clients with a 408 while normal requests are answered`, async () => {
    const slowHeaders = await Promise.all(Array.from({ length: SLOW }, () => connect(port)));
    const slowBodies = await Promise.all(Array.from({ length: SLOW }, () => connect(port)));
    for (const c of slowHeaders) c.socket.write('GET /healthz HTTP/1.1\r\nHost: hellio.test\r\n');
    const body = JSON.stringify({ from: 'HELLIO', to: '+14155550100', message: 'never finished' });
    for (const c of slowBodies) {
      c.socket.write(
        `POST /sms/send HTTP/1.1\r\nHost: hellio.test\r\nAuthorization: Bearer ${a.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
    }
    // Each keeps trickling: a header line or one byte of body at a time, so the connection is
    // never idle and only the headers and request deadlines can end it.
    let sent = 0;
    const trickle = setInterval(() => {
      for (const c of slowHeaders) if (!c.isClosed()) c.socket.write(`X-Slow-${sent}: 1\r\n`);
      for (const c of slowBodies) if (!c.isClosed() && sent < body.length - 1) c.socket.write(body[sent]!);
      sent++;
    }, 100);
    const all = [...slowHeaders, ...slowBodies];
    let normal = 0;
    const answered: number[] = [];
    try {
      // Normal clients on fresh connections, one after another, until every slow one is gone.
      while (!all.every((c) => c.isClosed())) {
        const res = await sendSms(normal++);
        answered.push(res.status);
        expect(res.status, res.body).toBe(200);
      }
      await until('every slow client closed', () => all.every((c) => c.isClosed()), { timeoutMs: SLACK_MS });
    } finally {
      clearInterval(trickle);
      for (const c of all) c.socket.destroy();
    }
    // The loop ends by itself only because the server closed them all; a generous bound keeps it from running forever.
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((s) => s === 200)).toBe(true);
    for (const c of all) expectSpecAnswer(c.received(), 408, 'request_timeout');
    // The slow bodies held their in-flight slots until cut off, and gave them back.
    const after = await sendSms(99_999);
    expect(after.status, after.body).toBe(200);
  }, SLACK_MS * 3);

  it('closes an idle kept-alive connection after the keep-alive timeout', async () => {
    const c = await connect(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: hellio.test\r\n\r\n');
    await until('the answer', () => c.received().includes('\r\n\r\n'), { timeoutMs: SLACK_MS });
    expect(parseAnswer(c.received()).status).toBe(200);
    await until('the idle connection closed by the server', () => c.isClosed(), { timeoutMs: SLACK_MS });
  });

  it('answers the parser refusals in the SPEC body with an X-Request-Id, and closes', async () => {
    const cases: Array<[string, number, string]> = [
      [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
      ['HELLO WORLD\r\n\r\n', 400, 'bad_request'],
      ['GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400, 'bad_request'],
      ['GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'bad_request'],
    ];
    for (const [request, status, code] of cases) {
      const c = await connect(port);
      c.socket.write(request);
      await c.closed;
      expectSpecAnswer(c.received(), status, code);
    }
  });

  it('answers a chunk of size ffffffffffffffff: 413 once more than the body limit arrives, 408 if it stalls', async () => {
    const head = `POST /sms/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n`;
    const flood = await connect(port);
    flood.socket.write(head);
    flood.socket.write('x'.repeat(64 * 1024));
    await until('an answer to the flood', () => flood.received().includes('\r\n\r\n'), { timeoutMs: SLACK_MS });
    expectSpecAnswer(flood.received(), 413, 'payload_too_large');
    flood.socket.destroy();
    const stall = await connect(port);
    stall.socket.write(head);
    await stall.closed;
    expectSpecAnswer(stall.received(), 408, 'request_timeout');
  });
});

describe('load shedding against a listening server', () => {
  let h: Harness;
  let a: TestAccount;
  let port: number;

  beforeAll(async () => {
    h = await createHarness('sqlite', { env: { HELLIO_HTTP_MAX_IN_FLIGHT: '2', HELLIO_RATE_LIMIT_PER_MINUTE: '1000000' } });
    a = await h.account();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 overloaded with Retry-After past the in-flight cap, health checks still pass, and recovers', async () => {
    // Two requests whose bodies never finish hold both slots.
    const held = await Promise.all([connect(port), connect(port)]);
    for (const c of held) {
      c.socket.write(`POST /sms/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    }
    const payload = JSON.stringify({ from: 'HELLIO', to: '+14155550100', message: 'hi' });
    const headers = { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' };
    const shed = await until('a shed request', async () => {
      const r = await freshRequest(port, { method: 'POST', path: '/sms/send', headers, body: payload });
      return r.status === 503 ? r : false;
    });
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
    expect(JSON.parse(shed.body)).toEqual({ code: 'overloaded', message: expect.any(String), detail: expect.any(String) });
    expect((await freshRequest(port, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await freshRequest(port, { method: 'GET', path: '/readyz' })).status).toBe(200);
    // The held clients go away: their slots come back.
    for (const c of held) c.socket.destroy();
    const ok = await until('a served request', async () => {
      const r = await freshRequest(port, { method: 'POST', path: '/sms/send', headers, body: payload });
      return r.status === 200 ? r : false;
    });
    expect(ok.status).toBe(200);
  });
});
