import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killed, startWorker, type WorkerChild } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const TOKEN = 'worker-metrics-token-0123456789abcdef';

/** `name{labels} value` of the exposition, exactly these labels; undefined when absent. */
function valueIn(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")/g)].map((x) => x[1]).sort().join(',');
    if (got === wanted) return Number(m[3]);
  }
  return undefined;
}

/**
 * A `hellio worker` process with HELLIO_WORKER_METRICS_PORT serves /metrics itself: the messages
 * it finishes are counted in its own process, which the API process cannot show.
 */
describe.each(BACKENDS)('hellio worker serves /metrics on %s', (backend) => {
  let h: Harness;
  let w: WorkerChild;
  let port: number;

  beforeAll(async () => {
    h = await createHarness(backend);
    port = await freePort();
    w = startWorker({ ...h.database.env, HELLIO_LOG_LEVEL: 'warn', HELLIO_WORKER_METRICS_PORT: String(port), HELLIO_METRICS_TOKEN: TOKEN, HELLIO_TRUST_PROXY: '127.0.0.1', HOST: '127.0.0.1' });
  });
  afterAll(async () => {
    if (w) await killed(w.child, 'SIGTERM');
    await h?.close();
  });

  const scrape = async (headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}/metrics`, { headers });

  it('counts the messages it finished, and keeps the same access rule', async () => {
    await until('the worker listening', async () => (await scrape().catch(() => null))?.status === 200, { timeoutMs: 30_000, last: () => w.output() });
    const a = await h.account();
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to: ['+14155550111', '+14155550112'], message: 'hi' } });
    expect(res.statusCode, res.body).toBe(200);
    const text = await until(
      'two SMS delivered, as the worker counts them',
      async () => {
        const body = await (await scrape()).text();
        return valueIn(body, 'hellio_messages_finished_total', { channel: 'sms', status: 'delivered' }) === 2 && body;
      },
      { timeoutMs: 30_000 },
    );
    // The API process accepted them; the worker accepted nothing.
    expect(valueIn(text, 'hellio_messages_accepted_total', { channel: 'sms' })).toBe(0);
    expect(valueIn(text, 'hellio_jobs_due', { kind: 'deliver.sms' })).toBe(0);
    expect(valueIn(text, 'nodejs_eventloop_lag_seconds', {})).toBeGreaterThanOrEqual(0);
    // Through the trusted proxy, a client outside private networks needs the token.
    const outside = { 'x-forwarded-for': '203.0.113.5' };
    const refused = await scrape(outside);
    expect(refused.status).toBe(401);
    expect((await refused.json()).code).toBe('missing_credentials');
    expect((await scrape({ ...outside, authorization: 'Bearer nope' })).status).toBe(401);
    expect((await scrape({ ...outside, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const nothing = await fetch(`http://127.0.0.1:${port}/sms/send`);
    expect(nothing.status).toBe(404);
    expect((await nothing.json()).code).toBe('route_not_found');
  }, 60_000);
});
