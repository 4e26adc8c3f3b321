/** A customer's webhook receiver for browser tests: a local HTTP server that records what Hellio POSTs, and checks signatures. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver: each path answers its own status (200 unless told), and every request is kept. */
export interface Receiver {
  url(path: string): string;
  /** What `path` answers from now on. */
  answer(path: string, status: number, body?: string): void;
  at(path: string): Received[];
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1 (Hellio must run with HELLIO_WEBHOOKS_ALLOW_PRIVATE=true to reach it). */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answers = new Map<string, { status: number; body: string }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answers.get(path) ?? { status: 200, body: 'ok' };
      res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    answer: (path, status, body = status < 300 ? 'ok' : 'receiver says no') => void answers.set(path, { status, body }),
    at: (path) => received.filter((r) => r.path === path),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * True when one of the request's `webhook-signature` entries is the Standard Webhooks signature of
 * its body with `secret` (`whsec_` + base64 key): HMAC-SHA256 of "id.timestamp.body".
 */
export function signedWith(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id'] ?? '');
  const timestamp = String(r.headers['webhook-timestamp'] ?? '');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest('base64'));
  return String(r.headers['webhook-signature'] ?? '')
    .split(' ')
    .map((s) => Buffer.from(s.replace(/^v1,/, '')))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}
