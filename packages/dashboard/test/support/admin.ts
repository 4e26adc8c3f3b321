/** Helpers of the admin and auth browser tests: a signed-in API client, the sandbox mailbox, money. */
import { expect } from 'vitest';
import type { Hellio } from './hellio.ts';

/** A person signed in to the API from the test itself (cookie + CSRF token), to check what pages did. */
export interface ApiSession {
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** Signs in with POST /auth/login and keeps the session cookie and CSRF token. */
export async function apiSession(hellio: Hellio, email: string, password: string): Promise<ApiSession> {
  const res = await fetch(`${hellio.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = (await res.json()) as { csrf_token: string };
  return {
    async call(method, path, body) {
      const r = await fetch(hellio.url + path, {
        method,
        headers: { cookie, 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
}

/**
 * Waits for the simulated mailbox of `to` (`hellio sandbox inbox --to`) to hold a link to
 * `/dashboard/<page>?token=…` and answers it: how invitations and resets reach people under `hellio start`.
 */
export async function linkFromInbox(hellio: Hellio, to: string, page: string): Promise<string> {
  const pattern = new RegExp(`https?://\\S+/dashboard/${page}\\?token=[A-Za-z0-9_-]+`);
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const inbox = await hellio.cli<{ data: { body: string }[] }>('sandbox', 'inbox', '--to', to);
        link = inbox.data.map((m) => pattern.exec(m.body)?.[0]).find(Boolean);
        return link;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBeTruthy();
  return link!;
}

/** A decimal string of the API ("12.3400") in micro-units, for exact sums. */
export function micros(amount: string): bigint {
  const [whole, frac = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole!) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
  return amount.startsWith('-') ? -value : value;
}
