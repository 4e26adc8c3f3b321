import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killed, type RunningServer, startServer } from '../support/cli.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';
import { until } from '../support/wait.ts';

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
 * `hellio start` delivers on a thread of its own (src/main/delivery-thread.ts); the process
 * still shows it as one: /metrics counts the messages the thread finished beside those the API
 * accepted, and shows the SMPP link the thread bound — and an SMSC that goes away shows as down.
 */
describe.each(BACKENDS)('hellio start shows its delivery thread on %s', (backend) => {
  let smsc: TestSmsc;
  let h: Harness;
  let server: RunningServer | null = null;

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, { env: { HELLIO_SMPP_URL: smsc.url } });
  });
  afterAll(async () => {
    if (server) await killed(server.child, 'SIGKILL');
    await smsc?.close().catch(() => undefined);
    await h?.close();
  });

  it('counts what the thread finished and shows its SMPP link', async () => {
    const a = await h.account({ balance: '100.00' });
    server = await startServer({ ...h.database.env, HELLIO_SMPP_URL: smsc.url, HELLIO_RATE_LIMIT_PER_MINUTE: '100000' }, 120_000);
    const scrape = async () => (await fetch(`${server!.url}/metrics`)).text();
    const smpp = { channel: 'sms', provider: 'smpp', kind: 'smpp' };
    await until('the thread bound to the SMSC, as /metrics shows', async () => valueIn(await scrape(), 'hellio_provider_link_up', smpp) === 1, {
      timeoutMs: 30_000,
      last: () => server!.output(),
    });

    const res = await fetch(`${server.url}/sms/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'HELLIO', to: ['+14155550121', '+14155550122'], message: 'thread' }),
    });
    expect(res.status).toBe(200);
    await until('both submitted', () => smsc.submits.filter((s) => s.messageId).length >= 2, { timeoutMs: 30_000, last: () => server!.output() });
    for (const s of smsc.submits) if (s.messageId) expect(await smsc.sendReceipt(s.messageId, 'DELIVRD')).toBe(0);
    const text = await until(
      'both counted as delivered in the process that accepted them',
      async () => {
        const body = await scrape();
        return valueIn(body, 'hellio_messages_finished_total', { channel: 'sms', status: 'delivered' }) === 2 && body;
      },
      { timeoutMs: 30_000 },
    );
    expect(valueIn(text, 'hellio_messages_accepted_total', { channel: 'sms' })).toBe(2);

    // The SMSC goes away (no reconnect can succeed): the thread's view, down, reaches /metrics.
    await smsc.close();
    await until('the link shown down', async () => valueIn(await scrape(), 'hellio_provider_link_up', smpp) === 0, { timeoutMs: 30_000 });

    const exit = killed(server.child, 'SIGTERM');
    await exit;
    expect(server.child.exitCode).toBe(0);
    server = null;
  }, 180_000);
});
