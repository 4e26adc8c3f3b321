import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { type GuardOptions, parseTarget, pinnedLookup, TargetBlocked, vettedAddresses } from '../http-guard.ts';
import type { WebhookResponse, WebhookSender } from './webhook-sender.ts';

/** The guard's options (allowPrivate: HELLIO_WEBHOOKS_ALLOW_PRIVATE), the time an answer may take, the User-Agent. */
export interface HttpWebhookSenderOptions extends GuardOptions {
  timeoutMs: number;
  userAgent?: string;
}

const EXCERPT_CHARS = 500;
// A receiver's answer is read to the end so the connection can be reused, up to this much.
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Webhooks over node:http(s) behind the SSRF guard (providers/http-guard.ts): a name that
 * resolves to a public address at creation and to 127.0.0.1 later is refused at delivery.
 * Redirects are not followed (a 3xx is an answer, and not a 2xx). Connections are kept alive
 * per host, which matters for a busy endpoint.
 */
export class HttpWebhookSender implements WebhookSender {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly opts: HttpWebhookSenderOptions) {}

  async checkTarget(url: string): Promise<string | null> {
    try {
      await vettedAddresses(parseTarget(url).hostname, this.opts);
      return null;
    } catch (err) {
      if (err instanceof TargetBlocked) return err.message;
      throw err;
    }
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    return this.send('POST', url, headers, body);
  }

  async get(url: string, headers: Record<string, string>): Promise<WebhookResponse> {
    return this.send('GET', url, headers, null);
  }

  private async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | null): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let u: URL;
    let addresses: string[];
    try {
      u = parseTarget(url);
      addresses = await vettedAddresses(u.hostname, this.opts);
    } catch (err) {
      if (err instanceof TargetBlocked) return { kind: 'no_answer', durationMs: elapsed(), error: `blocked: ${err.message}` };
      throw err;
    }
    const secure = u.protocol === 'https:';
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (r: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = (secure ? https : http).request(
        u,
        {
          method,
          agent: secure ? this.httpsAgent : this.httpAgent,
          // The connection may only go to an address vetted above.
          lookup: pinnedLookup(addresses),
          headers: {
            // A body is JSON unless the caller says otherwise (the compatibility APIs' callbacks are forms).
            ...(body !== null ? { 'content-type': 'application/json' } : {}),
            ...headers,
            ...(body !== null ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
            'user-agent': this.opts.userAgent ?? 'Hellio-Webhooks/1',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_BODY_BYTES) chunks.push(c);
            else res.destroy();
          });
          const answer = () =>
            finish({
              kind: 'answered',
              status: res.statusCode ?? 0,
              durationMs: elapsed(),
              excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS),
              ...retryAfter(res.statusCode, res.headers['retry-after']),
            });
          res.on('end', answer);
          res.on('close', answer);
          res.on('error', answer);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish({ kind: 'no_answer', durationMs: elapsed(), error: `timed out after ${this.opts.timeoutMs} ms` });
      }, this.opts.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'no_answer', durationMs: elapsed(), error: err.code ?? err.message }));
      req.end(body ?? undefined);
    });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Retry-After of a 429 or 503, in seconds or as an HTTP date, in milliseconds. */
function retryAfter(status: number | undefined, header: string | undefined): { retryAfterMs?: number } {
  if ((status !== 429 && status !== 503) || !header) return {};
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: Math.round(seconds * 1000) } : {};
}
