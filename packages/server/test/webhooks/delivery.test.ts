import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { MovableClock } from '../../src/lib/clock.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import { EMAIL_MAGIC } from '../../src/providers/email/email-simulator.ts';
import { WEBHOOK_ENDPOINT_CONCURRENCY, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_SCHEDULE_MS } from '../../src/queue/catalogue.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { rawSql } from '../support/http-assert.ts';
import { type ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/wait.ts';

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  last_status_code: number | null;
  next_attempt_at: string | null;
  attempts: Array<{ attempt: number; status_code: number | null; error: string | null; next_retry_at: string | null; created_at: string; duration_ms: number; response_excerpt: string | null }>;
}

const verify = (secret: string, w: ReceivedWebhook) => new Webhook(secret).verify(w.body, w.headers as Record<string, string>) as ReceivedWebhook['json'];

/**
 * Webhooks delivered by a real worker to a real local HTTP receiver, verified with the
 * `standardwebhooks` package: the events of SPEC §4, retries, 410, timeouts, Retry-After,
 * rotation, giving up, disabling, and per-endpoint concurrency.
 */
describe.each(BACKENDS)('webhook delivery on %s', (backend) => {
  let h: Harness;
  let db: Db;
  let worker: Worker;
  let receiver: WebhookReceiver;
  // Runs with real time; a test moves it forward instead of waiting for a retry to come due.
  const clock = new MovableClock();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, {
      env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_WEBHOOK_TIMEOUT_MS: '1000', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' },
      clock,
    });
    db = openDb(h.config);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.db.destroy();
    await h?.close();
    await receiver?.close();
  });

  const call = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const endpoint = async (acc: TestAccount, path: string, events: string[]) => {
    const res = await call(acc.key, 'POST', '/webhooks', { url: receiver.url(path), events });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string; secret: string };
  };
  const sms = async (acc: TestAccount, to: string | string[]) => {
    const res = await call(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to, message: 'webhook me' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { campaign_id: string | null; messages: Array<{ id: string }> };
  };
  const deliveries = async (acc: TestAccount, endpointId: string): Promise<Delivery[]> => {
    const res = await call(acc.key, 'GET', `/webhooks/${endpointId}/deliveries?limit=100`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };
  /** Waits until the endpoint's deliveries satisfy `ok`. */
  const deliveriesUntil = (acc: TestAccount, endpointId: string, what: string, ok: (d: Delivery[]) => boolean, timeoutMs = 15_000) =>
    until(what, async () => {
      const d = await deliveries(acc, endpointId);
      return ok(d) ? d : false;
    }, { timeoutMs, everyMs: 50, last: () => deliveries(acc, endpointId) });
  /** Time passes for one delivery: its pending retry becomes due now. */
  const fastForward = (deliveryId: string) =>
    db.db
      .updateTable('jobs')
      .set({ run_at: Date.now() })
      .where('kind', '=', 'webhook.deliver')
      .where('status', '=', 'pending')
      .where('payload', '=', JSON.stringify({ delivery_id: deliveryId }))
      .execute();
  const ofType = (path: string, type: string) => receiver.at(path).filter((w) => w.json.type === type);

  it('a new user: message.queued, .sent and .delivered arrive signed, with the message as the API shows it', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/new-user', ['*']);
    const sent = await sms(a, '+14155552671');
    const id = sent.messages[0]!.id;
    await until('message.delivered to arrive', () => ofType('/new-user', 'message.delivered').length === 1, { timeoutMs: 15_000 });
    const got = receiver.at('/new-user');
    expect(got.map((w) => w.json.type)).toEqual(expect.arrayContaining(['message.queued', 'message.sent', 'message.delivered']));
    for (const w of got) {
      // The third-party verifier accepts every one; the headers are Standard Webhooks'.
      expect(verify(e.secret, w)).toEqual(w.json);
      expect(w.headers['webhook-id']).toMatch(/^ev_[0-9a-z]{26}$/);
      expect(Math.abs(Number(w.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(w.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(w.headers['content-type']).toBe('application/json');
      expect(Date.parse(w.json.timestamp)).not.toBeNaN();
      expect(w.json.data.id).toBe(id);
    }
    const delivered = ofType('/new-user', 'message.delivered')[0]!.json.data;
    const { events: _timeline, ...shown } = (await call(a.key, 'GET', `/messages/${id}`)).json();
    expect(delivered).toEqual(shown);
    expect(ofType('/new-user', 'message.queued')[0]!.json.data.status).toBe('queued');
    // Each event once per endpoint, and the log agrees.
    expect(new Set(got.map((w) => w.headers['webhook-id'])).size).toBe(got.length);
    const log = await deliveriesUntil(a, e.id, 'all deliveries to succeed', (d) => d.length === got.length && d.every((x) => x.status === 'succeeded'));
    expect(log.every((d) => d.attempt_count === 1 && d.attempts[0]!.status_code === 200)).toBe(true);
  });

  it('sends only the subscribed types; failed, bounced and undelivered messages have their own', async () => {
    const a = await h.account();
    await endpoint(a, '/only-failures', ['message.failed', 'message.bounced', 'message.undelivered']);
    await sms(a, [SMS_MAGIC.rejected, SMS_MAGIC.undelivered, '+14155550000']);
    const mail = await call(a.key, 'POST', '/send', { from: 'me@example.com', to: EMAIL_MAGIC.bounce, subject: 'x', text: 'x' });
    expect(mail.statusCode, mail.body).toBe(200);
    await until('three failure events', () => receiver.at('/only-failures').length >= 3, { timeoutMs: 15_000 });
    // Wait for the good message to be delivered, so a wrongly sent message.delivered would have come.
    await until('the good SMS to be delivered', async () => {
      const list = (await call(a.key, 'GET', '/messages?to=%2B14155550000')).json();
      return list.data[0]?.status === 'delivered';
    });
    await worker.drain();
    const types = receiver.at('/only-failures').map((w) => `${w.json.type} ${w.json.data.to}`).sort();
    expect(types).toEqual([`message.bounced ${EMAIL_MAGIC.bounce}`, `message.failed ${SMS_MAGIC.rejected}`, `message.undelivered ${SMS_MAGIC.undelivered}`].sort());
  });

  it('retries a receiver that fails, on the schedule, with the same webhook-id, until it recovers', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/flaky', ['message.queued']);
    receiver.plan('/flaky', { status: 500, body: 'boom' }, { status: 502 });
    await sms(a, '+14155550001');
    // The first retry comes by itself when its time comes (about 5 s): the clock is moved there.
    const [failed] = await deliveriesUntil(a, e.id, 'the first failed attempt', (d) => d[0]?.attempt_count === 1 && d[0].next_attempt_at !== null);
    clock.advance(Math.max(0, Date.parse(failed!.next_attempt_at!) - clock.now()));
    let log = await deliveriesUntil(a, e.id, 'two failed attempts', (d) => d[0]?.attempt_count === 2);
    let [d] = log;
    expect(d!.status).toBe('pending');
    const [first, second] = d!.attempts;
    const gap = Date.parse(second!.created_at) - Date.parse(first!.created_at);
    expect(gap).toBeGreaterThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[0]! * 0.8 - 50);
    expect(Date.parse(first!.next_retry_at!) - Date.parse(first!.created_at)).toBeLessThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[0]! * 1.2);
    expect(first).toMatchObject({ status_code: 500, error: 'HTTP 500', response_excerpt: 'boom' });
    expect(second).toMatchObject({ status_code: 502 });
    // The second retry is scheduled about 5 minutes out.
    const wait = Date.parse(second!.next_retry_at!) - Date.parse(second!.created_at);
    expect(wait).toBeGreaterThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[1]! * 0.8);
    expect(wait).toBeLessThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[1]! * 1.2);
    expect(d!.next_attempt_at).toBe(second!.next_retry_at);
    await fastForward(d!.id);
    log = await deliveriesUntil(a, e.id, 'the delivery to succeed', (x) => x[0]?.status === 'succeeded');
    [d] = log;
    expect(d!.attempts.map((x) => x.status_code)).toEqual([500, 502, 200]);
    expect(d!.attempts[2]!.next_retry_at).toBeNull();
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((w) => w.headers['webhook-id']))).toEqual(new Set([d!.event_id]));
    for (const w of got) expect(verify(e.secret, w).type).toBe('message.queued');
    expect((await call(a.key, 'GET', `/webhooks/${e.id}`)).json().enabled).toBe(true);
  });

  it(`gives up after ${WEBHOOK_MAX_ATTEMPTS} attempts spread over the schedule, and a manual retry sends it again`, async () => {
    const a = await h.account();
    const e = await endpoint(a, '/down', ['message.queued']);
    receiver.always('/down', { status: 500 });
    await sms(a, '+14155550002');
    let d: Delivery | undefined;
    for (let n = 1; n <= WEBHOOK_MAX_ATTEMPTS; n++) {
      [d] = await deliveriesUntil(a, e.id, `attempt ${n}`, (x) => x[0]?.attempt_count === n);
      if (n < WEBHOOK_MAX_ATTEMPTS) await fastForward(d!.id);
    }
    expect(d!.status).toBe('failed');
    expect(d!.next_attempt_at).toBeNull();
    d!.attempts.forEach((x, i) => {
      if (i === WEBHOOK_MAX_ATTEMPTS - 1) return expect(x.next_retry_at).toBeNull();
      const wait = Date.parse(x.next_retry_at!) - Date.parse(x.created_at);
      expect(wait, `wait after attempt ${i + 1}`).toBeGreaterThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[i]! * 0.8);
      expect(wait, `wait after attempt ${i + 1}`).toBeLessThanOrEqual(WEBHOOK_RETRY_SCHEDULE_MS[i]! * 1.2);
    });
    await worker.drain();
    expect(receiver.at('/down')).toHaveLength(WEBHOOK_MAX_ATTEMPTS);

    receiver.always('/down', { status: 204 });
    const retry = await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/${d!.id}/retry`);
    expect(retry.statusCode, retry.body).toBe(200);
    [d] = await deliveriesUntil(a, e.id, 'the manual retry to succeed', (x) => x[0]?.status === 'succeeded');
    expect(d!.attempt_count).toBe(WEBHOOK_MAX_ATTEMPTS + 1);
    expect(verify(e.secret, receiver.at('/down').at(-1)!).type).toBe('message.queued');
  });

  it('410 Gone disables the endpoint at once and records webhook.disabled; nothing more is sent to it', async () => {
    const a = await h.account();
    const gone = await endpoint(a, '/gone', ['message.queued']);
    const watcher = await endpoint(a, '/watcher', ['webhook.disabled']);
    receiver.always('/gone', { status: 410 });
    await sms(a, '+14155550003');
    await until('webhook.disabled to reach the other endpoint', () => receiver.at('/watcher').length === 1, { timeoutMs: 15_000 });
    const disabled = verify(watcher.secret, receiver.at('/watcher')[0]!);
    expect(disabled).toMatchObject({ type: 'webhook.disabled', data: { id: gone.id, enabled: false, disabled_reason: 'the endpoint answered 410 Gone' } });
    expect(disabled.data.secret).toBeUndefined();
    expect((await call(a.key, 'GET', `/webhooks/${gone.id}`)).json()).toMatchObject({ enabled: false, disabled_reason: 'the endpoint answered 410 Gone' });
    const [d] = await deliveries(a, gone.id);
    expect(d).toMatchObject({ status: 'failed', attempt_count: 1, last_status_code: 410, next_attempt_at: null });
    await sms(a, '+14155550004');
    await worker.drain();
    expect(receiver.at('/gone')).toHaveLength(1);
    expect(await deliveries(a, gone.id)).toHaveLength(1);
  });

  it('an endpoint failing for 5 days is disabled, with webhook.disabled', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/failing', ['message.queued']);
    const watcher = await endpoint(a, '/watcher5', ['webhook.disabled']);
    receiver.always('/failing', { status: 503 });
    await sms(a, '+14155550005');
    const [d] = await deliveriesUntil(a, e.id, 'a failed attempt', (x) => x[0]?.attempt_count === 1);
    // Its failures began five days ago (as if nothing had got through since).
    await rawSql(h.database.env, `update webhook_endpoints set failing_since = ${Date.now() - 5 * 86_400_000 - 60_000} where id = '${e.id}'`);
    await fastForward(d!.id);
    await until('webhook.disabled', () => receiver.at('/watcher5').length === 1, { timeoutMs: 15_000 });
    expect(verify(watcher.secret, receiver.at('/watcher5')[0]!).data).toMatchObject({ id: e.id, enabled: false });
    const shown = (await call(a.key, 'GET', `/webhooks/${e.id}`)).json();
    expect(shown.disabled_reason).toMatch(/^every attempt has failed since \d{4}-/);
    expect((await deliveries(a, e.id))[0]).toMatchObject({ status: 'failed', attempt_count: 2 });
    // Re-enabled, it receives again and its run of failures starts afresh.
    receiver.always('/failing', { status: 200 });
    await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: true });
    await sms(a, '+14155550006');
    await until('delivery after re-enabling', () => receiver.at('/failing').filter((w) => w.json.data.to === '+14155550006').length === 1, { timeoutMs: 15_000 });
  });

  it('gives up on an attempt at the timeout and retries it', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/slowpoke', ['message.queued']);
    receiver.plan('/slowpoke', { delayMs: 2500 });
    await sms(a, '+14155550007');
    const [d] = await deliveriesUntil(a, e.id, 'a timed-out attempt', (x) => x[0]?.attempt_count === 1);
    expect(d!.attempts[0]).toMatchObject({ status_code: null, error: 'timed out after 1000 ms', response_excerpt: null });
    expect(d!.attempts[0]!.duration_ms).toBeGreaterThanOrEqual(950);
    expect(d!.status).toBe('pending');
    await fastForward(d!.id);
    await deliveriesUntil(a, e.id, 'the retry to succeed', (x) => x[0]?.status === 'succeeded');
  });

  it('honours Retry-After on 429 (seconds) and 503 (an HTTP date)', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/busy', ['message.queued']);
    receiver.plan('/busy', { status: 429, headers: { 'retry-after': '120' } }, { status: 503, headers: { 'retry-after': new Date(Date.now() + 3 * 3_600_000).toUTCString() } });
    await sms(a, '+14155550008');
    let [d] = await deliveriesUntil(a, e.id, 'a 429', (x) => x[0]?.attempt_count === 1);
    const after429 = Date.parse(d!.attempts[0]!.next_retry_at!) - Date.parse(d!.attempts[0]!.created_at);
    // The schedule alone would retry in ~5 s; the receiver asked for 120.
    expect(after429).toBeGreaterThanOrEqual(120_000);
    expect(after429).toBeLessThan(125_000);
    await fastForward(d!.id);
    [d] = await deliveriesUntil(a, e.id, 'a 503', (x) => x[0]?.attempt_count === 2);
    const after503 = Date.parse(d!.attempts[1]!.next_retry_at!) - Date.parse(d!.attempts[1]!.created_at);
    expect(after503).toBeGreaterThan(3 * 3_600_000 - 10_000);
    expect(after503).toBeLessThan(3 * 3_600_000 + 10_000);
  });

  it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/rotate', ['message.queued']);
    const rotated = (await call(a.key, 'POST', `/webhooks/${e.id}/rotate-secret`)).json();
    await sms(a, '+14155550009');
    await until('the event', () => receiver.at('/rotate').length === 1, { timeoutMs: 15_000 });
    const w = receiver.at('/rotate')[0]!;
    expect(String(w.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // A receiver still holding the old secret and one already on the new one both verify it.
    expect(verify(e.secret, w).type).toBe('message.queued');
    expect(verify(rotated.secret, w).type).toBe('message.queued');
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(w.body, w.headers as Record<string, string>)).toThrow();
    // A tampered body fails with either.
    expect(() => new Webhook(rotated.secret).verify(w.body.replace('queued', 'delivered'), w.headers as Record<string, string>)).toThrow();

    await rawSql(h.database.env, `update webhook_endpoints set previous_secret_until = ${Date.now() - 1000} where id = '${e.id}'`);
    await sms(a, '+14155550010');
    await until('the second event', () => receiver.at('/rotate').length === 2, { timeoutMs: 15_000 });
    const later = receiver.at('/rotate')[1]!;
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(rotated.secret, later).type).toBe('message.queued');
    expect(() => verify(e.secret, later)).toThrow();
  });

  it(`a slow endpoint holds at most ${WEBHOOK_ENDPOINT_CONCURRENCY} requests and delays no other endpoint`, async () => {
    const a = await h.account();
    const slow = await endpoint(a, '/slow', ['message.queued']);
    receiver.always('/slow', { delayMs: 700 });
    const slowEvents = Array.from({ length: 16 }, (_, i) => `+1415556${String(1000 + i)}`);
    await sms(a, slowEvents);
    const b = await h.account();
    const fast = await endpoint(b, '/fast', ['message.queued']);
    await sms(b, Array.from({ length: 10 }, (_, i) => `+1415557${String(1000 + i)}`));
    // Every fast delivery is done while the slow endpoint still works through its backlog.
    await deliveriesUntil(b, fast.id, 'the fast endpoint’s deliveries', (d) => d.length === 10 && d.every((x) => x.status === 'succeeded'));
    const slowLog = await deliveries(a, slow.id);
    expect(slowLog.filter((d) => d.status !== 'succeeded').length).toBeGreaterThan(0);
    await deliveriesUntil(a, slow.id, 'the slow endpoint’s backlog', (d) => d.length === 16 && d.every((x) => x.status === 'succeeded'), 30_000);
    expect(receiver.maxInFlight.get('/slow')).toBeLessThanOrEqual(WEBHOOK_ENDPOINT_CONCURRENCY);
    expect(receiver.maxInFlight.get('/slow')).toBeGreaterThan(1);
  });

  it('campaign.completed fires once, when the last message of a campaign is final', async () => {
    const a = await h.account();
    const e = await endpoint(a, '/campaign', ['campaign.completed']);
    const sent = await sms(a, ['+14155550011', SMS_MAGIC.rejected, SMS_MAGIC.undelivered]);
    await until('campaign.completed', () => receiver.at('/campaign').length === 1, { timeoutMs: 15_000 });
    await worker.drain();
    const got = receiver.at('/campaign');
    expect(got).toHaveLength(1);
    const data = verify(e.secret, got[0]!).data;
    expect(data).toMatchObject({ id: sent.campaign_id, total_messages: 3, status_counts: { delivered: 1, failed: 1, undelivered: 1, queued: 0, sending: 0, sent: 0 } });
    expect(data).toEqual((await call(a.key, 'GET', `/campaigns/${sent.campaign_id}`)).json());
  });

  it('balance.low fires when a debit crosses the alert threshold set with `hellio wallet alert`', async () => {
    const a = await h.account({ balance: '0.0300' });
    const e = await endpoint(a, '/low', ['balance.low']);
    const cli = await hellio(['wallet', 'alert', '--account', a.id, '--below', '0.0200', '--json'], h.database.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({ account: a.id, balance_low: '0.0200', currency: 'USD' });
    const price = async () => (await sms(a, '+14155550012')).messages[0]!;
    await price(); // 0.0300 → 0.0220: above the threshold
    await price(); // → 0.0140: crosses it
    await price(); // → 0.0060: already below, no second alert
    await until('balance.low', () => receiver.at('/low').length >= 1, { timeoutMs: 15_000 });
    await worker.drain();
    expect(receiver.at('/low')).toHaveLength(1);
    expect(verify(e.secret, receiver.at('/low')[0]!).data).toEqual({ account_id: a.id, balance: '0.0140', threshold: '0.0200', currency: 'USD' });
    const off = await hellio(['wallet', 'alert', '--account', a.id, '--below', 'none', '--json'], h.database.env);
    expect(JSON.parse(off.stdout).balance_low).toBeNull();
    const bad = await hellio(['wallet', 'alert', '--account', a.id, '--below', 'lots', '--json'], h.database.env);
    expect(bad.code).not.toBe(0);
  });

  it('a rolled-back send records no event and queues no delivery', async () => {
    const a = await h.account({ balance: '0.0010' });
    const e = await endpoint(a, '/rollback', ['*']);
    const res = await call(a.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155550013', message: 'too poor' });
    expect(res.statusCode).toBe(402);
    await worker.drain();
    expect(await deliveries(a, e.id)).toEqual([]);
    expect(receiver.at('/rollback')).toEqual([]);
  });
});
