import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { createServer } from '../../src/main.ts';
import { setLowBalanceAlert } from '../../src/modules/billing/wallet.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';
import { until } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const TOKEN = 'metrics-test-token-0123456789abcdef';

/** One sample of the text exposition: `name{a="b",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the exposition's samples (comments and blank lines skipped); a line that fits no sample fails the test. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the sample with exactly these labels; 0 when the series is absent (a counter not yet moved). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want);
  expect(found.length, `${name}${JSON.stringify(labels)} appears more than once`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? 0;
}

const has = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe.each(BACKENDS)('GET /metrics on %s', (backend) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  const clock = new MovableClock();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, {
      clock,
      env: { HELLIO_METRICS_TOKEN: TOKEN, HELLIO_TRUST_PROXY: '127.0.0.1', HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  /** Scrapes from loopback (app.inject's address) and parses the answer. */
  async function scrape(): Promise<Sample[]> {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode, res.body).toBe(200);
    return parseExposition(res.body);
  }

  const post = (key: string, url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: bearer(key), payload });
  const sms = async (key: string, to: string | string[], extra: object = {}) => {
    const res = await post(key, '/sms/send', { from: 'HELLIO', to, message: 'metrics', ...extra });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('serves the text exposition over a real connection, with process and event-loop metrics', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toContain('# TYPE hellio_messages_accepted_total counter');
    expect(text).toContain('# TYPE hellio_http_request_duration_seconds histogram');
    const samples = parseExposition(text);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(has(samples, name), name).toBe(true);
    }
    expect(valueOf(samples, 'hellio_scrape_store_up')).toBe(1);
    // Through the trusted proxy (HELLIO_TRUST_PROXY=127.0.0.1), the client is X-Forwarded-For's.
    const url = `http://127.0.0.1:${port}/metrics`;
    const outside = await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(outside.status).toBe(401);
    expect(await outside.json()).toMatchObject({ code: 'missing_credentials' });
    const wrong = await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid user credentials', detail: 'Invalid user credentials' });
    const right = await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('hellio_messages_accepted_total');
  });

  it('counts messages accepted per channel, and nothing for a refused request', async () => {
    const a = await h.account();
    const broke = await h.account({ balance: '0' });
    const before = await scrape();
    await sms(a.key, ['+14155550101', '+14155550102', '+14155550103']);
    const email = await post(a.key, '/send', { from: 'news@example.com', to: 'someone@example.org', subject: 'Hi', html: '<p>Hi</p>' });
    expect(email.statusCode, email.body).toBe(200);
    const refused = await post(broke.key, '/sms/send', { from: 'HELLIO', to: '+14155550104', message: 'no money' });
    expect(refused.statusCode).toBe(402);
    const after = await scrape();
    const delta = (channel: string) => valueOf(after, 'hellio_messages_accepted_total', { channel }) - valueOf(before, 'hellio_messages_accepted_total', { channel });
    expect([delta('sms'), delta('email'), delta('voice')]).toEqual([3, 1, 0]);
  });

  it('counts voice calls as the voice channel: accepted, and finished with their final status', async () => {
    const a = await h.account();
    const before = await scrape();
    const call = await post(a.key, '/voice/send', { to: '+14155550190', text: 'metrics' });
    expect(call.statusCode, call.body).toBe(200);
    // No worker runs here: the call is still queued, and its cancel ends it at once.
    const canceled = await post(a.key, `/voice/${call.json().id}/cancel`, {});
    expect(canceled.json().status).toBe('canceled');
    const after = await scrape();
    expect(valueOf(after, 'hellio_messages_accepted_total', { channel: 'voice' }) - valueOf(before, 'hellio_messages_accepted_total', { channel: 'voice' })).toBe(1);
    expect(valueOf(after, 'hellio_messages_finished_total', { channel: 'voice', status: 'canceled' }) - valueOf(before, 'hellio_messages_finished_total', { channel: 'voice', status: 'canceled' })).toBe(1);
  });

  it('counts what a transaction signals once it commits, and nothing of one that rolls back', async () => {
    const before = await scrape();
    await expect(
      h.rt.store.transaction(async (tx) => {
        tx.signals.messagesAccepted('email', 5);
        await tx.ping();
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(valueOf(await scrape(), 'hellio_messages_accepted_total', { channel: 'email' })).toBe(valueOf(before, 'hellio_messages_accepted_total', { channel: 'email' }));
    await h.rt.store.transaction(async (tx) => {
      // Nested: joins the outer transaction, held with it.
      await tx.transaction(async (inner) => inner.signals.messagesAccepted('email', 2));
      // Not scraped: a scrape reads the database, whose one SQLite connection this transaction holds.
      const counter = parseExposition(await h.rt.metrics.registry.getSingleMetricAsString('hellio_messages_accepted_total'));
      expect(valueOf(counter, 'hellio_messages_accepted_total', { channel: 'email' })).toBe(valueOf(before, 'hellio_messages_accepted_total', { channel: 'email' }));
    });
    expect(valueOf(await scrape(), 'hellio_messages_accepted_total', { channel: 'email' }) - valueOf(before, 'hellio_messages_accepted_total', { channel: 'email' })).toBe(2);
  });

  it('shows the queue per kind: waiting, due, running, and how long the oldest due job has waited', async () => {
    // The worker is not running: the four deliveries above wait, and a scheduled one is not due.
    const a = await h.account();
    await sms(a.key, '+14155550105', { scheduled_at: new Date(clock.now() + 3_600_000).toISOString() });
    let s = await scrape();
    expect(valueOf(s, 'hellio_jobs_waiting', { kind: 'deliver.sms' })).toBe(4);
    expect(valueOf(s, 'hellio_jobs_due', { kind: 'deliver.sms' })).toBe(3);
    expect(valueOf(s, 'hellio_jobs_waiting', { kind: 'deliver.email' })).toBe(1);
    expect(valueOf(s, 'hellio_jobs_running', { kind: 'deliver.sms' })).toBe(0);
    // Every kind of the catalogue is shown, idle ones at zero.
    expect(valueOf(s, 'hellio_jobs_waiting', { kind: 'webhook.deliver' })).toBe(0);
    expect(has(s, 'hellio_jobs_oldest_due_age_seconds', { kind: 'voice.call' })).toBe(true);
    const started = Date.now();
    clock.advance(90_000);
    s = await scrape();
    const age = valueOf(s, 'hellio_jobs_oldest_due_age_seconds', { kind: 'deliver.sms' });
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThanOrEqual(90 + Math.ceil((Date.now() - started) / 1000) + 5);
    expect(valueOf(s, 'hellio_jobs_oldest_due_age_seconds', { kind: 'webhook.deliver' })).toBe(0);
  });

  it('counts messages finished per channel and status once the simulator has answered', async () => {
    const a = await h.account();
    await sms(a.key, [SMS_MAGIC.undelivered, SMS_MAGIC.rejected]);
    const before = await scrape();
    const worker = h.rt.createWorker({ pollMs: 10 });
    await worker.drain();
    // The simulator's receipts come 0.2–1.5 s after the hand-over, as jobs on the clock.
    clock.advance(2_000);
    await worker.drain();
    const after = await scrape();
    const delta = (channel: string, status: string) =>
      valueOf(after, 'hellio_messages_finished_total', { channel, status }) - valueOf(before, 'hellio_messages_finished_total', { channel, status });
    expect({ delivered: delta('sms', 'delivered'), undelivered: delta('sms', 'undelivered'), failed: delta('sms', 'failed'), email: delta('email', 'delivered') }).toEqual({
      delivered: 3,
      undelivered: 1,
      failed: 1,
      email: 1,
    });
    // The scheduled message still waits; nothing else is due.
    expect(valueOf(after, 'hellio_jobs_waiting', { kind: 'deliver.sms' })).toBe(1);
    expect(valueOf(after, 'hellio_jobs_due', { kind: 'deliver.sms' })).toBe(0);
    expect(valueOf(after, 'hellio_jobs_oldest_due_age_seconds', { kind: 'deliver.sms' })).toBe(0);
  });

  it('counts webhook attempts by outcome', async () => {
    const a = await h.account();
    receiver.always('/fails', { status: 500 });
    for (const path of ['/ok', '/fails']) {
      const res = await post(a.key, '/webhooks', { url: receiver.url(path), events: ['message.queued'] });
      expect(res.statusCode, res.body).toBe(200);
    }
    const before = await scrape();
    await sms(a.key, '+14155550106');
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const after = await scrape();
    const delta = (outcome: string) => valueOf(after, 'hellio_webhook_attempts_total', { outcome }) - valueOf(before, 'hellio_webhook_attempts_total', { outcome });
    expect({ succeeded: delta('succeeded'), retrying: delta('retrying'), failed: delta('failed') }).toEqual({ succeeded: 1, retrying: 1, failed: 0 });
    expect(receiver.at('/ok')).toHaveLength(1);
    expect(receiver.at('/fails')).toHaveLength(1);
  });

  it('counts HTTP requests by method, route pattern and status, never by the raw URL', async () => {
    const a = await h.account();
    const before = await scrape();
    for (const id of ['msg_metricsnope1', 'msg_metricsnope2']) {
      expect((await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(a.key) })).statusCode).toBe(404);
    }
    expect((await h.app.inject({ method: 'GET', url: '/no/such/metrics-path' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) })).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    const after = parseExposition(res.body);
    const count = (s: Sample[], route: string, status: string, method = 'GET') =>
      valueOf(s, 'hellio_http_request_duration_seconds_count', { method, route, status_code: status });
    expect(count(after, '/messages/:id', '404') - count(before, '/messages/:id', '404')).toBe(2);
    expect(count(after, 'unmatched', '404') - count(before, 'unmatched', '404')).toBe(1);
    expect(count(after, '/balance', '200') - count(before, '/balance', '200')).toBe(1);
    expect(count(after, '/balance', '200', 'POST')).toBe(0);
    // The scrape before this one was answered (and counted) before this one was read.
    expect(count(after, '/metrics', '200')).toBeGreaterThanOrEqual(count(before, '/metrics', '200') + 1);
    expect(res.body).not.toContain('msg_metricsnope');
    expect(res.body).not.toContain('metrics-path');
  });

  it('shows active wallets below their alert threshold, and empty ones', async () => {
    const before = await scrape();
    const low = await h.account({ balance: '5.00' });
    await h.account({ balance: '0' });
    await h.account({ balance: '0', status: 'suspended' });
    await setLowBalanceAlert(h.rt.ctx, low.id, 10_000_000);
    const after = await scrape();
    expect(valueOf(after, 'hellio_wallets_below_alert') - valueOf(before, 'hellio_wallets_below_alert')).toBe(1);
    expect(valueOf(after, 'hellio_wallets_empty') - valueOf(before, 'hellio_wallets_empty')).toBe(1);
  });

  describe('who may scrape', () => {
    const scrapeFrom = (remoteAddress: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

    it('answers loopback and private addresses without a token', async () => {
      for (const address of ['127.0.0.1', '::1', '10.0.0.7', '172.16.0.3', '192.168.1.20', 'fd12:3456::1', '::ffff:192.168.1.20']) {
        const res = await scrapeFrom(address);
        expect(res.statusCode, address).toBe(200);
        expect(res.body).toContain('hellio_jobs_waiting');
      }
    });

    it('refuses other addresses without the right token, in the SPEC error body', async () => {
      for (const address of ['203.0.113.7', '8.8.8.8', '100.64.0.1', '169.254.169.254', '2001:4860::1']) {
        const res = await scrapeFrom(address);
        expect(res.statusCode, address).toBe(401);
        expect(res.json()).toMatchObject({ code: 'missing_credentials', message: expect.stringContaining('HELLIO_METRICS_TOKEN') });
        expect(res.body).not.toContain('hellio_');
      }
      for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
        const res = await scrapeFrom('203.0.113.7', { authorization });
        expect(res.statusCode, authorization).toBe(401);
        expect(res.json().code).toBe('invalid_credentials');
      }
      // X-Forwarded-For from an address that is not a trusted proxy is not believed.
      const spoofed = await scrapeFrom('203.0.113.7', { 'x-forwarded-for': '10.0.0.1' });
      expect(spoofed.statusCode).toBe(401);
      // From the trusted proxy, the forwarded client decides.
      expect((await scrapeFrom('127.0.0.1', { 'x-forwarded-for': '198.51.100.4' })).statusCode).toBe(401);
      expect((await scrapeFrom('127.0.0.1', { 'x-forwarded-for': '10.9.8.7' })).statusCode).toBe(200);
    });

    it('answers any address with the token', async () => {
      for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
        const res = await scrapeFrom('203.0.113.7', { authorization });
        expect(res.statusCode, authorization).toBe(200);
        expect(res.body).toContain('hellio_messages_accepted_total');
      }
    });

    it('without HELLIO_METRICS_TOKEN, refuses every address outside private networks', async () => {
      const app = await createServer({ ...h.rt, config: { ...h.rt.config, metricsToken: null } });
      try {
        for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
          const res = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7', headers });
          expect(res.statusCode).toBe(403);
          expect(res.json()).toMatchObject({ code: 'ip_not_allowed' });
        }
        expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.1.1' })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });
});

// Link state is this process's memory, not the store's: one backend is enough.
describe('provider links in /metrics', () => {
  let h: Harness;
  let smsc: TestSmsc;

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    // The SMTP pool connects lazily: a closed port is never dialled here.
    h = await createHarness('sqlite', { env: { HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${smsc.port}`, HELLIO_SMTP_URL: 'smtp://127.0.0.1:9' } });
  });
  afterAll(async () => {
    await h?.close();
    await smsc?.close();
  });

  const scrape = async () => parseExposition((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
  const smpp = { channel: 'sms', provider: 'smpp', kind: 'smpp' };
  const smtp = { channel: 'email', provider: 'smtp', kind: 'smtp' };

  it('shows the SMPP link going up and down, and the SMTP pool', async () => {
    // Not opened yet (as in an API process, which leaves SMPP to the workers): no link to judge.
    let s = await scrape();
    expect(has(s, 'hellio_provider_link_up', smpp)).toBe(false);
    // Connectionless adapters have no link to report.
    expect(has(s, 'hellio_provider_link_up', { provider: 'simulator' })).toBe(false);
    expect(has(s, 'hellio_provider_in_flight', smtp)).toBe(true);
    expect(valueOf(s, 'hellio_provider_queued', smtp)).toBe(0);
    await h.rt.channels.sms.get('smpp')!.connect!();
    s = await scrape();
    expect(valueOf(s, 'hellio_provider_link_up', smpp)).toBe(1);
    smsc.dropConnections();
    await until('the link seen down', async () => valueOf(await scrape(), 'hellio_provider_link_up', smpp) === 0);
  });
});
