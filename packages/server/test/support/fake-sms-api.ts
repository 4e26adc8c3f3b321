/**
 * An HTTP SMS provider for tests (node:http on 127.0.0.1, a random port): checks the auth
 * header, records every request, parses JSON and form bodies the way a provider would, and
 * answers JSON with a message id unless told otherwise.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSmsRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  /** Parsed per content-type: JSON value, a form's fields, or null when it did not parse. */
  body: unknown;
}

/** How to answer one request. */
export interface FakeSmsReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string goes out as is; anything else as JSON. */
  body?: unknown;
  /** Answer only after this long (still recorded at once). */
  delayMs?: number;
  /** Cut the connection instead of answering. */
  destroy?: boolean;
}

export interface FakeSmsApi {
  /** Base URL, e.g. http://127.0.0.1:40123 — append any path. */
  readonly url: string;
  readonly requests: FakeSmsRequest[];
  /** The one header (lower-case name) and value a request must carry; otherwise 401. */
  auth: { header: string; value: string } | null;
  /** Decides the answer to a request that passed the auth check; undefined = the default. */
  onRequest: (req: FakeSmsRequest, index: number) => FakeSmsReply | undefined;
  close(): Promise<void>;
}

function parseBody(contentType: string, raw: string): unknown {
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return null;
}

function send(res: ServerResponse, reply: FakeSmsReply): void {
  const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers = { 'content-type': 'application/json', ...reply.headers };
  res.writeHead(reply.status ?? 200, headers).end(body);
}

export async function startFakeSmsApi(opts: { auth?: { header: string; value: string } } = {}): Promise<FakeSmsApi> {
  const requests: FakeSmsRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1;

  const api: FakeSmsApi = {
    url: '',
    requests,
    auth: opts.auth ?? null,
    onRequest: () => undefined,
    close: async () => {},
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'] ?? '';
      const rec: FakeSmsRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body: parseBody(contentType, raw) };
      const index = requests.push(rec) - 1;

      let reply: FakeSmsReply | undefined;
      if (api.auth && req.headers[api.auth.header] !== api.auth.value) {
        reply = { status: 401, body: { error: 'unauthorized' } };
      } else if (rec.body === null) {
        // Like a real API: a body it cannot read is the client's fault.
        reply = { status: 400, body: { error: 'unreadable body', contentType } };
      } else {
        reply = api.onRequest(rec, index) ?? { status: 200, body: { messages: [{ id: `fake-${nextId++}`, status: '0' }] } };
      }
      const r = reply;
      if (r.destroy) {
        req.socket.destroy();
        return;
      }
      if (!r.delayMs) return send(res, r);
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) send(res, r);
      }, r.delayMs);
      timers.add(t);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(api, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        // Keep-alive sockets from fetch's pool would otherwise hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return api;
}
