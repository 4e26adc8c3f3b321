import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isPublicAddress } from '../../lib/public-address.ts';
import type { WebhookResponse, WebhookSender } from './webhook-sender.ts';

export interface HttpWebhookSenderOptions {
  /** Resolves a host name to its addresses (HELLIO_DNS_SERVERS or the system resolver). */
  resolve(hostname: string): Promise<string[]>;
  /** HELLIO_WEBHOOKS_ALLOW_PRIVATE: let endpoints on loopback and private networks through. */
  allowPrivate: boolean;
  timeoutMs: number;
  userAgent?: string;
}

const EXCERPT_CHARS = 500;
// A receiver's answer is read to the end so the connection can be reused, up to this much.
const MAX_BODY_BYTES = 64 * 1024;

class Blocked extends Error {
  override name = 'Blocked';
}

/**
 * Webhooks over node:http(s) with an SSRF guard. The host is resolved by our own lookup, every
 * address is checked, and the connection goes to the address that was checked — so a name that
 * resolves to a public address at creation and to 127.0.0.1 later (DNS rebinding) is refused at
 * delivery. Redirects are not followed (a 3xx is an answer, and not a 2xx). Connections are kept
 * alive per host, which matters for a busy endpoint.
 */
export class HttpWebhookSender implements WebhookSender {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly opts: HttpWebhookSenderOptions) {}

  /** Resolves and vets a host: its public addresses (all of them must be public), or throws Blocked. */
  private async addressesOf(hostname: string): Promise<string[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = await this.opts.resolve(host);
      } catch (err) {
        throw new Blocked(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (addresses.length === 0) throw new Blocked(`${host} does not resolve`);
    }
    if (!this.opts.allowPrivate) {
      const inner = addresses.find((a) => !isPublicAddress(a));
      if (inner !== undefined) throw new Blocked(`${host} resolves to ${inner}, which is not a public address`);
    }
    return addresses;
  }

  private static parse(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Blocked('not a valid URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Blocked('must be an http or https URL');
    if (u.username || u.password) throw new Blocked('must not carry credentials');
    return u;
  }

  async checkTarget(url: string): Promise<string | null> {
    try {
      await this.addressesOf(HttpWebhookSender.parse(url).hostname);
      return null;
    } catch (err) {
      if (err instanceof Blocked) return err.message;
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
      u = HttpWebhookSender.parse(url);
      addresses = await this.addressesOf(u.hostname);
    } catch (err) {
      if (err instanceof Blocked) return { kind: 'no_answer', durationMs: elapsed(), error: `blocked: ${err.message}` };
      throw err;
    }
    // The connection may only go to an address vetted above; Node calls this instead of DNS.
    const lookup: LookupFunction = (_host, options, cb) => {
      const address = addresses[0]!;
      const family = isIP(address);
      if ((options as { all?: boolean }).all) (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
      else cb(null, address, family);
    };
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
          lookup,
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
