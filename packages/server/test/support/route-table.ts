import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { RouteEntry } from '../../src/http/types.ts';
import { createHarness } from './harness.ts';
import { expectRequestId, type InjectedResponse } from './http-assert.ts';

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
