import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { RouteEntry } from '../../src/http/types.ts';
import { createHarness } from './harness.ts';
import { expectError, expectRequestId, type InjectedResponse } from './http-assert.ts';

/**
 * The app's route table as a fresh app registers it (SQLite, in a throwaway directory), read
 * before any test is collected, so that suites can generate one test per route.
 */
export async function loadRouteTable(env: Record<string, string>): Promise<RouteEntry[]> {
  const h = await createHarness('sqlite', { env });
  try {
    return h.app.routeTable.map((r) => ({ ...r }));
  } finally {
    await h.close();
  }
}

/** "GET /messages/:id" */
export const routeName = (r: Pick<RouteEntry, 'method' | 'url'>): string => `${r.method} ${r.url}`;

/** The names of a route's path parameters, in order: "/webhooks/:id/deliveries/:delivery_id/retry" → ["id", "delivery_id"]. */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** The URL with each path parameter replaced by its value (every one must be given). */
export function fillPath(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`fillPath: no value for :${name} of ${url}`);
    return encodeURIComponent(v);
  });
}

/**
 * A HEAD answer is its GET twin's without the body: same status, content type and length (the
 * length of the body it leaves out), no body, and its own request id.
 */
export function expectHeadLike(head: InjectedResponse, get: InjectedResponse): void {
  expect(head.statusCode).toBe(get.statusCode);
  expect(head.body).toBe('');
  expect(head.headers['content-type']).toBe(get.headers['content-type']);
  expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
  expectRequestId(head);
}

/** A free port on 127.0.0.1, closed again: connections to it are refused (webhook endpoints whose deliveries fail at once). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

/**
 * The request headers that carry `key` in a route's credential form: Bearer, or Twilio's HTTP
 * Basic with the SID of the key's account (`accountSidOf` tells it), or Kannel's X-Kannel-*
 * headers with the key's id (`keyIdOf`). No key: no credential at all.
 */
export function credentialHeaders(
  route: Pick<RouteEntry, 'credentials'>,
  key: string | null,
  owners: { accountSidOf(key: string): string; keyIdOf(key: string): string },
): Record<string, string> {
  if (key === null) return {};
  switch (route.credentials) {
    case 'twilio':
      return { authorization: `Basic ${Buffer.from(`${owners.accountSidOf(key)}:${key}`).toString('base64')}` };
    case 'kannel':
      return { 'x-kannel-username': owners.keyIdOf(key), 'x-kannel-password': key };
    default:
      return { authorization: `Bearer ${key}` };
  }
}

/**
 * How each compatibility API says the pipeline's refusals (docs/compat-twilio.md,
 * docs/compat-kannel.md): Twilio's `{code, message, more_info, status}` with its numeric codes,
 * Kannel's plain-text answers. Used by the security suite in place of the SPEC's error body.
 */
export const COMPAT_REFUSALS: Record<'twilio' | 'kannel', Record<string, { status: number; code?: number; text?: string }>> = {
  twilio: {
    missing_credentials: { status: 401, code: 20003 },
    invalid_credentials: { status: 401, code: 20003 },
    account_not_active: { status: 403, code: 20005 },
    insufficient_scope: { status: 403, code: 20403 },
    not_found: { status: 404, code: 20404 },
  },
  kannel: {
    missing_credentials: { status: 403, text: 'Authorization failed for sendsms' },
    invalid_credentials: { status: 403, text: 'Authorization failed for sendsms' },
    account_not_active: { status: 403, text: 'Authorization failed for sendsms' },
    insufficient_scope: { status: 403, text: 'Authorization failed for sendsms' },
  },
};

/**
 * Asserts a refusal in the route's own dialect: the SPEC's error body on Hellio's routes, Twilio's
 * body and code, or Kannel's text. Answers a comparable form of the body.
 */
export function expectRefusal(route: Pick<RouteEntry, 'credentials'>, res: InjectedResponse, status: number, code: string): unknown {
  if (route.credentials === 'bearer') return expectError(res, status, code);
  const want = COMPAT_REFUSALS[route.credentials][code];
  if (!want) throw new Error(`no ${route.credentials} equivalent listed for ${code}`);
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status: want.status });
  expectRequestId(res);
  if (want.text !== undefined) {
    expect(res.body).toBe(want.text);
    return res.body;
  }
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'more_info', 'status']);
  expect(body).toMatchObject({ code: want.code, status: want.status, more_info: `https://www.twilio.com/docs/errors/${want.code}` });
  expect(typeof body.message).toBe('string');
  return body;
}
