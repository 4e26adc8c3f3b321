import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_ENDPOINT_CONCURRENCY } from '../../src/queue/catalogue.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { killed, startWorker, type WorkerChild } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/wait.ts';

/**
 * A `hellio worker` is killed (SIGKILL) while its webhook requests are in flight to a slow
 * receiver; a second worker takes over once the leases expire. Every event arrives at least once
 * and verifies; only those whose requests the kill cut off arrive twice.
 */
describe.each(BACKENDS)('a worker killed mid-webhook on %s', (backend) => {
  let h: Harness;
  let db: Db;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    db = openDb(h.config);
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
    await receiver?.close();
  });

  it('loses no event', async () => {
    const a = await h.account();
    const res = await h.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url: receiver.url('/crash'), events: ['message.queued'] } });
    expect(res.statusCode, res.body).toBe(200);
    const { id: endpointId, secret } = res.json();
    receiver.always('/crash', { delayMs: 250 });
    const to = Array.from({ length: 40 }, (_, i) => `+1415558${String(1000 + i)}`);
    const sent = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to, message: 'crash' } });
    expect(sent.statusCode, sent.body).toBe(200);
    const events = await db.db.selectFrom('events').select('id').where('account_id', '=', a.id).where('type', '=', 'message.queued').execute();
    expect(events).toHaveLength(40);
    const deliveries = () => db.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).execute();

    const env = { ...h.database.env, HELLIO_LOG_LEVEL: 'warn', HELLIO_JOB_LEASE_MS: '2000', HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' };
    const first = startWorker(env);
    let second: WorkerChild | null = null;
    try {
      // Kill it once some requests have been answered, with others in flight: those are held by
      // the worker until answered (250 ms), so the kill is sure to find claims in hand — a batch
      // of answers settles its jobs together, and a kill right after that would find none.
      await until('the first webhooks to arrive, and more in flight', () => {
        if (first.child.exitCode !== null) throw new Error(`the worker exited early:\n${first.output()}`);
        return receiver.at('/crash').length >= 6 && receiver.inFlightAt('/crash') > 0;
      }, { timeoutMs: 20_000, everyMs: 5 });
      await killed(first.child, 'SIGKILL');
      const left = await deliveries();
      expect(left.filter((d) => d.status === 'pending').length).toBeGreaterThan(0);
      const running = await db.db.selectFrom('jobs').select('id').where('kind', '=', 'webhook.deliver').where('status', '=', 'running').execute();
      expect(running.length).toBeGreaterThan(0);

      second = startWorker(env);
      const s = second;
      await until('every delivery to succeed', async () => {
        if (s.child.exitCode !== null) throw new Error(`the second worker exited early:\n${s.output()}`);
        return (await deliveries()).every((d) => d.status === 'succeeded');
      }, { timeoutMs: 40_000, everyMs: 100, last: async () => (await deliveries()).map((d) => d.status) });
      await killed(s.child, 'SIGTERM');

      const got = receiver.at('/crash');
      for (const w of got) expect(new Webhook(secret).verify(w.body, w.headers as Record<string, string>)).toMatchObject({ type: 'message.queued' });
      const ids = got.map((w) => String(w.headers['webhook-id']));
      // At least once: every event arrived.
      expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
      // Twice only for what the kill cut off: at most the endpoint's requests in flight then.
      const twice = ids.length - new Set(ids).size;
      expect(twice).toBeLessThanOrEqual(WEBHOOK_ENDPOINT_CONCURRENCY);
      const jobs = await db.db.selectFrom('jobs').select('status').where('kind', '=', 'webhook.deliver').execute();
      expect(jobs.every((j) => j.status === 'done')).toBe(true);
    } finally {
      await killed(first.child, 'SIGKILL');
      if (second) await killed(second.child, 'SIGKILL');
    }
  }, 90_000);
});
