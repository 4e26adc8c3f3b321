/** Traffic for the dashboard's figures: a funded account with approved senders, keys, messages that end well or badly, and TOTP codes. */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Hellio } from './hellio.ts';

/** Statuses a message does not leave. */
const FINAL = ['delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled'];

/** Tops the wallet up, approves the SMS sender HELLIO and the domain example.com, and makes a live and a test key. */
export async function fund(hellio: Hellio, accountId: string, amount = '10.00'): Promise<{ live: string; test: string }> {
  await hellio.cli('wallet', 'topup', '--account', accountId, '--amount', amount);
  await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
  await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'example.com');
  const scopes = 'sms:send,email:send,reports,balance,lookup,email:verify';
  const live = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', scopes, '--name', 'live');
  const test = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', scopes, '--name', 'sandbox', '--test');
  return { live: live.key, test: test.key };
}

/** Sends one SMS per number from HELLIO; answers the message ids. */
export async function sendSms(hellio: Hellio, key: string, to: string[], message = 'Your code is 123456'): Promise<string[]> {
  const ids: string[] = [];
  for (const n of to) {
    const r = await hellio.call<{ messages: { id: string }[] }>('POST', '/sms/send', { key, body: { from: 'HELLIO', to: n, message } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ids.push(r.body.messages[0]!.id);
  }
  return ids;
}

/** Sends one email per address from hello@example.com; answers the message ids. */
export async function sendEmail(hellio: Hellio, key: string, to: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const address of to) {
    const r = await hellio.call<{ id: string }>('POST', '/send', { key, body: { from: 'Hellio <hello@example.com>', to: address, subject: 'Welcome', text: 'Hello from the tests' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ids.push(r.body.id);
  }
  return ids;
}

/** Waits until every message has reached a final status (the simulators answer within seconds); answers the statuses. */
export async function settled(hellio: Hellio, key: string, ids: string[], timeoutMs = 30_000): Promise<Record<string, string>> {
  const statuses: Record<string, string> = {};
  const deadline = Date.now() + timeoutMs;
  // Polled (expect.poll works only inside a test; this also runs in beforeAll).
  for (;;) {
    for (const id of ids) statuses[id] = (await hellio.call<{ status: string }>('GET', `/messages/${id}`, { key })).body.status;
    if (Object.values(statuses).every((s) => FINAL.includes(s))) return statuses;
    if (Date.now() > deadline) throw new Error(`messages not final after ${timeoutMs} ms: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** GET from inside the page, with its session cookie: what the API answers the person looking at it. */
export async function fromPage<T = Record<string, unknown>>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (p) => {
    const r = await fetch(p);
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r.json();
  }, path) as Promise<T>;
}

/** A change from inside the page, with its session cookie and CSRF token. */
export async function changeFromPage<T = Record<string, unknown>>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch('/auth/me')).json();
      const r = await fetch(path, {
        method,
        headers: { 'x-csrf-token': me.csrf_token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  ) as Promise<{ status: number; body: T }>;
}

/** A number as the page prints money ("9.94 USD" → 9.94), to compare with the API's decimal string. */
export function amountIn(text: string | null): number {
  const m = /-?\d[\d,]*(\.\d+)?/.exec(text ?? '');
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  return Number(m[0].replace(/,/g, ''));
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) continue;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s steps) of a base32 secret at `time` (ms), as an authenticator app shows it. */
export function totp(secret: string, time = Date.now()): string {
  const step = Math.floor(time / 1000 / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}
