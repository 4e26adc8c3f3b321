import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body. */
  json: { type: string; timestamp: string; data: any };
  receivedAt: number;
}

/** How the receiver answers one request; the default is 200 "ok" at once. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/**
 * A real HTTP server standing in for a customer's webhook endpoint. Each path is its own
 * endpoint; `plan(path, ...)` queues the answers for the next requests to it (then 200s again).
 * It records every request, and how many were in flight at once per path.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly plans = new Map<string, Answer[]>();
  private readonly defaults = new Map<string, Answer>();
  private readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  private server!: Server;
  port = 0;

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const path = req.url ?? '/';
        const n = (r.inFlight.get(path) ?? 0) + 1;
        r.inFlight.set(path, n);
        r.maxInFlight.set(path, Math.max(n, r.maxInFlight.get(path) ?? 0));
        const body = Buffer.concat(chunks).toString('utf8');
        let json: ReceivedWebhook['json'];
        try {
          json = JSON.parse(body);
        } catch {
          json = { type: '(not json)', timestamp: '', data: null };
        }
        const answer = r.plans.get(path)?.shift() ?? r.defaults.get(path) ?? {};
        if (answer.delayMs) await sleep(answer.delayMs);
        r.inFlight.set(path, (r.inFlight.get(path) ?? 1) - 1);
        // Recorded when answered, so a request cut off by the sender's timeout is still seen.
        r.received.push({ path, headers: req.headers, body, json, receivedAt: Date.now() });
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? 'ok');
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.port = (r.server.address() as AddressInfo).port;
    return r;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next answers of `path`, in order. */
  plan(path: string, ...answers: Answer[]): void {
    this.plans.set(path, [...(this.plans.get(path) ?? []), ...answers]);
  }

  /** How `path` answers once its plan is used up. */
  always(path: string, answer: Answer): void {
    this.defaults.set(path, answer);
  }

  /** Requests of `path` received and not yet answered. */
  inFlightAt(path: string): number {
    return this.inFlight.get(path) ?? 0;
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((w) => w.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
