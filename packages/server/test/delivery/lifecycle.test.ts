import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMicros } from '../../src/lib/money.ts';
import { beginSending, markSent } from '../../src/modules/messages/lifecycle.ts';
import { applyReceipt } from '../../src/modules/messages/receipts.ts';
import { EMAIL_MAGIC } from '../../src/providers/email/email-simulator.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import { JOB_POLICIES } from '../../src/queue/catalogue.ts';
import { retryDelayMs } from '../../src/queue/job-definition.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';
import { keepEvents } from '../support/events.ts';

const DELIVERED_TO = '+14155552671';
const FINAL = ['delivered', 'failed', 'undelivered', 'bounced', 'canceled'];

interface MessageView {
  id: string;
  status: string;
  price: string;
  sandbox: boolean;
  error: string | null;
  events: Array<{ status: string; detail: string | null; attempt: number | null; next_attempt_at: string | null; created_at: string }>;
}

describe.each(BACKENDS)('delivery lifecycle on %s', (backend) => {
  let h: Harness;
  let worker: Worker;
  /** A direct handle on the same database, for what the API does not show (jobs). */
  let db: Db;

  beforeAll(async () => {
    // The tests poll GET /messages/{id}; the default 120 requests/minute per key would throttle them.
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    db = openDb(h.config);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.db.destroy();
    await h?.close();
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const message = async (key: string, id: string): Promise<MessageView> => {
    const res = await api(key, 'GET', `/messages/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Polls GET /messages/{id} until each message is final; retries wait 2.5–5 s, so allow 20 s. */
  const finalOf = async (key: string, ids: string[]): Promise<Map<string, MessageView>> => {
    const out = new Map<string, MessageView>();
    await until(
      `${ids.length} message(s) to reach a final status`,
      async () => {
        for (const id of ids) {
          if (out.has(id)) continue;
          const m = await message(key, id);
          if (FINAL.includes(m.status)) out.set(id, m);
        }
        return out.size === ids.length;
      },
      { timeoutMs: 20_000, everyMs: 50, last: () => ids.filter((id) => !out.has(id)) },
    );
    return out;
  };
  const timeline = (m: MessageView) => m.events.map((e) => e.status);
  /**
   * The `retrying` entry of a failed attempt: the provider's answer, the attempt's number, and a
   * next try due on the delivery backoff (5 s, half of it jitter, after the first attempt); the
   * retry (the `sent` step that follows) came no sooner.
   */
  const expectRetried = (m: MessageView, detail: string | RegExp) => {
    const i = m.events.findIndex((e) => e.status === 'retrying');
    const entry = m.events[i]!;
    expect(entry).toMatchObject({ attempt: 1, detail });
    const delay = Date.parse(entry.next_attempt_at!) - Date.parse(entry.created_at);
    expect(delay).toBeGreaterThanOrEqual(2_500);
    expect(delay).toBeLessThanOrEqual(5_000);
    expect(m.events[i + 1]!.status).toBe('sent');
    expect(Date.parse(m.events[i + 1]!.created_at)).toBeGreaterThanOrEqual(Date.parse(entry.next_attempt_at!));
    // The status steps carry neither field.
    for (const e of m.events) if (e !== entry) expect(e).toMatchObject({ attempt: null, next_attempt_at: null });
  };
  /** The message's webhook events, oldest first: their types, and `data` of the last one. */
  const webhookEventsOf = async (accountId: string, messageId: string) => {
    const rows = (await h.rt.store.events.list(accountId, { limit: 1000 })).reverse();
    const mine = rows.map((r) => JSON.parse(r.payload) as { type: string; data: { id?: string } }).filter((e) => e.data.id === messageId);
    return { types: mine.map((e) => e.type), last: mine.at(-1)!.data };
  };
  const balanceOf = async (key: string) => parseMicros((await api(key, 'GET', '/balance')).json().balance)!;
  const jobOf = (messageId: string) =>
    db.db.selectFrom('jobs').selectAll().where('payload', '=', JSON.stringify({ message_id: messageId })).executeTakeFirstOrThrow();
  const inboxOf = async (recipient: string, messageId: string) =>
    (await h.rt.store.delivery.inbox({ recipient, limit: 1000 })).filter((e) => e.message_id === messageId);
  const refunds = async (accountId: string) => (await h.rt.store.wallet.ledger(accountId)).filter((l) => l.kind === 'refund');
  /** The wallet and its ledger agree. */
  const expectBalanced = async (a: TestAccount) => {
    const balance = await balanceOf(a.key);
    expect(balance).toBe(await h.rt.store.wallet.ledgerSum(a.id));
    return balance;
  };

  async function sendSms(a: TestAccount, to: string | string[], message: string, extra: Record<string, unknown> = {}) {
    const res = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to, message, ...extra });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { campaign_id: string | null; messages: Array<{ id: string; to: string; status: string; price: string }>; total_price: string };
  }
  async function sendEmail(a: TestAccount, to: string, text: string, extra: Record<string, unknown> = {}) {
    const res = await api(a.key, 'POST', '/send', { from: 'News <news@example.com>', to, subject: 'hello', text, ...extra });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string; status: string };
  }

  it('SMS: every simulator fate ends in its status, with its exact timeline, refunds and campaign counts', async () => {
    const a = await h.account({ balance: '50.00' });
    await keepEvents(h.rt, a.id);
    const start = await balanceOf(a.key);
    const text = `fates ${randomBytes(4).toString('hex')}`;
    const numbers = [DELIVERED_TO, SMS_MAGIC.rejected, SMS_MAGIC.undelivered, SMS_MAGIC.expired, SMS_MAGIC.flaky];
    const sent = await sendSms(a, numbers, text);
    expect(sent.campaign_id).toMatch(/^cmp_/);
    const idOf = Object.fromEntries(sent.messages.map((m) => [m.to, m.id])) as Record<string, string>;
    const priceOf = Object.fromEntries(sent.messages.map((m) => [m.id, parseMicros(m.price)!])) as Record<string, number>;
    const total = parseMicros(sent.total_price)!;
    expect(total).toBeGreaterThan(0);
    expect(await balanceOf(a.key)).toBe(start - total);

    const final = await finalOf(a.key, Object.values(idOf));
    const of = (n: string) => final.get(idOf[n]!)!;

    expect(of(DELIVERED_TO)).toMatchObject({ status: 'delivered', error: null });
    expect(timeline(of(DELIVERED_TO))).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(of(DELIVERED_TO).events[2]!.detail).toMatch(/^accepted by simulator \(id sim-[0-9a-f]+\)$/);
    expect(of(DELIVERED_TO).events.every((e) => e.attempt === null && e.next_attempt_at === null)).toBe(true);
    expect(of(DELIVERED_TO).events[3]!.detail).toBe('receipt: DELIVRD');

    expect(of(SMS_MAGIC.rejected).status).toBe('failed');
    expect(of(SMS_MAGIC.rejected).error).toMatch(/invalid destination/);
    expect(timeline(of(SMS_MAGIC.rejected))).toEqual(['queued', 'sending', 'failed']);

    expect(of(SMS_MAGIC.undelivered).status).toBe('undelivered');
    expect(timeline(of(SMS_MAGIC.undelivered))).toEqual(['queued', 'sending', 'sent', 'undelivered']);
    expect(of(SMS_MAGIC.undelivered).events[3]!.detail).toBe('receipt: UNDELIV');

    expect(of(SMS_MAGIC.expired).status).toBe('failed');
    expect(timeline(of(SMS_MAGIC.expired))).toEqual(['queued', 'sending', 'sent', 'failed']);
    expect(of(SMS_MAGIC.expired).events[3]!.detail).toBe('receipt: EXPIRED');

    // The flaky number: the failed attempt is in the timeline with the network's answer (the
    // status stays `sending`: no second "sending" step), then the retry is sent and delivered.
    const flaky = of(SMS_MAGIC.flaky);
    expect(flaky).toMatchObject({ status: 'delivered', error: null });
    expect(timeline(flaky)).toEqual(['queued', 'sending', 'retrying', 'sent', 'delivered']);
    expectRetried(flaky, 'simulator: ESME_RSYSERR simulated temporary network error');
    expect(flaky.events[3]!.detail).toMatch(/^accepted by simulator \(id sim-[0-9a-f]+\)$/);
    expect(flaky.events[4]!.detail).toBe('receipt: DELIVRD');
    const flakyJob = await jobOf(idOf[SMS_MAGIC.flaky]!);
    expect(flakyJob).toMatchObject({ status: 'done', attempts: 2 });
    expect(flakyJob.last_error).toMatch(/temporary network error/);
    // A retry is no webhook event, and the events' `data` is still the message as GET /messages/{id} shows it.
    const flakyEvents = await webhookEventsOf(a.id, flaky.id);
    expect(flakyEvents.types).toEqual(['message.queued', 'message.sent', 'message.delivered']);
    const { events: _flakyTimeline, ...flakyShown } = flaky;
    expect(flakyEvents.last).toEqual(flakyShown);
    for (const n of [DELIVERED_TO, SMS_MAGIC.rejected, SMS_MAGIC.undelivered, SMS_MAGIC.expired]) {
      expect(await jobOf(idOf[n]!), n).toMatchObject({ status: 'done', attempts: 1 });
    }

    // Refunds: exactly the failed ones (never reached a network or expired there), each its price.
    const refunded = await refunds(a.id);
    expect(refunded.map((l) => l.reference).sort()).toEqual([idOf[SMS_MAGIC.rejected], idOf[SMS_MAGIC.expired]].sort());
    for (const l of refunded) expect(l.amount_micros).toBe(priceOf[l.reference!]);
    const back = priceOf[idOf[SMS_MAGIC.rejected]!]! + priceOf[idOf[SMS_MAGIC.expired]!]!;
    expect(await expectBalanced(a)).toBe(start - total + back);

    const campaign = (await api(a.key, 'GET', `/campaigns/${sent.campaign_id}`)).json();
    expect(campaign.status_counts).toEqual({
      scheduled: 0,
      queued: 0,
      sending: 0,
      sent: 0,
      delivered: 2,
      failed: 2,
      undelivered: 1,
      bounced: 0,
      complained: 0,
      canceled: 0,
      suppressed: 0,
      received: 0,
    });

    // What the phones got: the text, once, for every number the network took; nothing for the rejected one.
    for (const n of [DELIVERED_TO, SMS_MAGIC.undelivered, SMS_MAGIC.expired, SMS_MAGIC.flaky]) {
      const got = await inboxOf(n, idOf[n]!);
      expect(got, n).toHaveLength(1);
      expect(got[0]).toMatchObject({ channel: 'sms', sender: 'HELLIO', recipient: n, body: text });
    }
    expect(await inboxOf(SMS_MAGIC.rejected, idOf[SMS_MAGIC.rejected]!)).toEqual([]);
  });

  it('email: delivered, bounced (refunded) and greylisted-then-delivered', async () => {
    const a = await h.account({ balance: '20.00' });
    await keepEvents(h.rt, a.id);
    const start = await balanceOf(a.key);
    const tag = randomBytes(4).toString('hex');
    const normal = await sendEmail(a, 'reader@example.net', `normal ${tag}`);
    const bounce = await sendEmail(a, EMAIL_MAGIC.bounce, `bounce ${tag}`);
    const grey = await sendEmail(a, `Grey <${EMAIL_MAGIC.greylist}>`, `grey ${tag}`);
    for (const r of [normal, bounce, grey]) expect(r.status).toBe('queued');
    const final = await finalOf(a.key, [normal.id, bounce.id, grey.id]);

    expect(final.get(normal.id)!.status).toBe('delivered');
    expect(timeline(final.get(normal.id)!)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    // The receiving server's reply: on the hand-over (with the message's id) and on the delivery.
    expect(final.get(normal.id)!.events[2]!.detail).toMatch(/^accepted by simulator \(id <.+@simulator\.hellio\.dev>\): 250 /);
    expect(final.get(normal.id)!.events[3]!.detail).toMatch(/^250 /);

    expect(final.get(bounce.id)!.status).toBe('bounced');
    expect(final.get(bounce.id)!.error).toMatch(/550/);
    expect(timeline(final.get(bounce.id)!)).toEqual(['queued', 'sending', 'bounced']);

    // Greylisted: the 451 is in the timeline as the first attempt's answer, then the retry's 250.
    const greyed = final.get(grey.id)!;
    expect(greyed).toMatchObject({ status: 'delivered', error: null });
    expect(timeline(greyed)).toEqual(['queued', 'sending', 'retrying', 'sent', 'delivered']);
    expectRetried(greyed, 'simulator: 451 4.7.1 greylisted, try again later');
    expect(greyed.events[3]!.detail).toMatch(/^accepted by simulator \(id <.+>\): 250 /);
    expect(greyed.events[4]!.detail).toMatch(/^250 /);
    const greyEvents = await webhookEventsOf(a.id, grey.id);
    expect(greyEvents.types).toEqual(['message.queued', 'message.sent', 'message.delivered']);
    const { events: _greyTimeline, ...greyShown } = greyed;
    expect(greyEvents.last).toEqual(greyShown);
    const greyJob = await jobOf(grey.id);
    expect(greyJob).toMatchObject({ status: 'done', attempts: 2 });
    expect(greyJob.last_error).toMatch(/451/);

    const refunded = await refunds(a.id);
    expect(refunded).toHaveLength(1);
    expect(refunded[0]).toMatchObject({ reference: bounce.id, amount_micros: parseMicros(final.get(bounce.id)!.price) });
    const charged = [normal, bounce, grey].reduce((s, r) => s + parseMicros(final.get(r.id)!.price)!, 0);
    expect(await expectBalanced(a)).toBe(start - charged + parseMicros(final.get(bounce.id)!.price)!);

    expect(await inboxOf('reader@example.net', normal.id)).toMatchObject([{ channel: 'email', subject: 'hello', body: `normal ${tag}` }]);
    expect(await inboxOf(EMAIL_MAGIC.greylist, grey.id)).toMatchObject([{ body: `grey ${tag}` }]);
    expect(await inboxOf(EMAIL_MAGIC.bounce, bounce.id)).toEqual([]);
  });

  it('sandbox (cs_test_) messages go through the simulators and are never charged or refunded', async () => {
    const a = await h.account({ test: true, balance: '5.00' });
    expect(a.key).toMatch(/^cs_test_/);
    const start = await balanceOf(a.key);
    const ledgerBefore = await h.rt.store.wallet.ledger(a.id);
    const text = `sandbox ${randomBytes(4).toString('hex')}`;
    const sms = await sendSms(a, [DELIVERED_TO, SMS_MAGIC.rejected, SMS_MAGIC.expired], text);
    const email = await sendEmail(a, EMAIL_MAGIC.bounce, text);
    expect(await balanceOf(a.key)).toBe(start);

    const ids = [...sms.messages.map((m) => m.id), email.id];
    const final = await finalOf(a.key, ids);
    const statusOf = (to: string) => final.get(sms.messages.find((m) => m.to === to)!.id)!.status;
    expect(statusOf(DELIVERED_TO)).toBe('delivered');
    expect(statusOf(SMS_MAGIC.rejected)).toBe('failed');
    expect(statusOf(SMS_MAGIC.expired)).toBe('failed');
    expect(final.get(email.id)!.status).toBe('bounced');
    for (const m of final.values()) expect(m.sandbox).toBe(true);

    expect(await h.rt.store.wallet.ledger(a.id)).toEqual(ledgerBefore);
    expect(await refunds(a.id)).toEqual([]);
    expect(await expectBalanced(a)).toBe(start);
    const delivered = sms.messages.find((m) => m.to === DELIVERED_TO)!.id;
    expect(await inboxOf(DELIVERED_TO, delivered)).toMatchObject([{ body: text }]);
  });

  it('holds a scheduled message until its time, then delivers it', async () => {
    const a = await h.account();
    const scheduledAt = Date.now() + 1_500;
    const text = `later ${randomBytes(4).toString('hex')}`;
    const sent = await sendSms(a, DELIVERED_TO, text, { scheduled_at: new Date(scheduledAt).toISOString() });
    const id = sent.messages[0]!.id;
    expect(sent.messages[0]!.status).toBe('scheduled');

    let looked = 0;
    while (Date.now() < scheduledAt - 150) {
      const m = await message(a.key, id);
      expect(m.status).toBe('scheduled');
      expect(timeline(m)).toEqual(['scheduled']);
      looked++;
      await sleep(100);
    }
    expect(looked).toBeGreaterThan(0);
    expect(await inboxOf(DELIVERED_TO, id)).toEqual([]);

    const m = (await finalOf(a.key, [id])).get(id)!;
    expect(m.status).toBe('delivered');
    expect(timeline(m)).toEqual(['scheduled', 'sending', 'sent', 'delivered']);
    // Nothing moved before its time (event times straight from the database: epoch ms).
    const events = await h.rt.store.messages.events(id);
    expect(events[1]!.created_at).toBeGreaterThanOrEqual(scheduledAt);
    expect(await inboxOf(DELIVERED_TO, id)).toMatchObject([{ body: text }]);
  });

  it('fails and refunds a message whose retries ran out (the give-up path)', async () => {
    const a = await h.account();
    const start = await balanceOf(a.key);
    // Scheduled far ahead so the worker leaves it alone until the job is made due with one attempt.
    const sent = await sendSms(a, SMS_MAGIC.flaky, 'one try only', { scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    const id = sent.messages[0]!.id;
    await db.db
      .updateTable('jobs')
      .set({ run_at: Date.now(), max_attempts: 1 })
      .where('payload', '=', JSON.stringify({ message_id: id }))
      .execute();
    const m = (await finalOf(a.key, [id])).get(id)!;
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/^gave up: simulator: simulated temporary network error/);
    expect(timeline(m)).toEqual(['scheduled', 'sending', 'failed']);
    // The job is settled in the worker's next transaction, a moment after the message failed.
    await until('the job settled as failed', async () => (await jobOf(id)).status === 'failed', { last: () => jobOf(id) });
    expect(await jobOf(id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await refunds(a.id)).map((l) => [l.reference, l.amount_micros])).toEqual([[id, parseMicros(sent.messages[0]!.price)]]);
    expect(await expectBalanced(a)).toBe(start);
  });

  it('retries a temporarily failing delivery for about a day before giving up', async () => {
    const a = await h.account();
    const sent = await sendSms(a, DELIVERED_TO, 'policy', { scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    const job = await jobOf(sent.messages[0]!.id);
    const def = JOB_POLICIES['deliver.sms'];
    const attempts = Math.min(def.maxAttempts, job.max_attempts); // what the worker allows
    let shortest = 0;
    let longest = 0;
    for (let n = 1; n < attempts; n++) {
      shortest += retryDelayMs(def, n, undefined, () => 0);
      longest += retryDelayMs(def, n, undefined, () => 0.999_999);
    }
    const hour = 3_600_000;
    // docs/simulators.md: "5 s doubling to a 1 h cap, about a day in all".
    expect(def.backoff).toEqual({ baseMs: 5_000, maxMs: hour });
    expect(shortest).toBeGreaterThanOrEqual(8 * hour);
    expect(longest).toBeLessThanOrEqual(36 * hour);
  });

  it('applies a delivery receipt once: a repeated or late receipt changes nothing', async () => {
    const a = await h.account();
    const start = await balanceOf(a.key);
    // Scheduled an hour ahead: the worker leaves these alone; the test plays the network.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const two = await sendSms(a, '+14155550101', 'two parts', { scheduled_at: later });
    const one = await sendSms(a, '+14155550102', 'one part', { scheduled_at: later });
    const [twoId, oneId] = [two.messages[0]!.id, one.messages[0]!.id];
    const net = `testnet-${randomBytes(3).toString('hex')}`;
    const store = h.rt.store;

    expect(await beginSending(store, twoId, Date.now())).toMatchObject({ id: twoId, status: 'sending' });
    await markSent(store, twoId, net, [`${net}-a1`, `${net}-a2`], Date.now());
    expect(await beginSending(store, oneId, Date.now())).toMatchObject({ id: oneId });
    await markSent(store, oneId, net, [`${net}-b1`], Date.now());
    // Marking sent again (a job that ran twice) writes nothing more.
    await markSent(store, oneId, net, [`${net}-b1-again`], Date.now());
    expect(await beginSending(store, oneId, Date.now())).toBeNull();

    const delivered = (part: string) => ({ providerMessageId: part, status: 'delivered' as const, detail: 'DELIVRD' });
    await applyReceipt(store, net, delivered(`${net}-a1`), Date.now());
    await applyReceipt(store, net, delivered(`${net}-a1`), Date.now());
    expect((await message(a.key, twoId)).status).toBe('sent'); // one part of two
    await applyReceipt(store, net, delivered(`${net}-a2`), Date.now());
    const afterDelivered = await message(a.key, twoId);
    expect(afterDelivered.status).toBe('delivered');
    await applyReceipt(store, net, delivered(`${net}-a2`), Date.now());
    await applyReceipt(store, net, { providerMessageId: `${net}-a2`, status: 'failed', detail: 'EXPIRED' }, Date.now());
    await applyReceipt(store, net, { providerMessageId: `${net}-unknown`, status: 'failed', detail: 'EXPIRED' }, Date.now());
    await applyReceipt(store, 'other-network', { providerMessageId: `${net}-a1`, status: 'failed', detail: 'EXPIRED' }, Date.now());
    expect(await message(a.key, twoId)).toEqual(afterDelivered);
    expect(timeline(afterDelivered)).toEqual(['scheduled', 'sending', 'sent', 'delivered']);

    // A failing receipt, twice: failed and refunded once.
    const expired = { providerMessageId: `${net}-b1`, status: 'failed' as const, detail: 'EXPIRED' };
    await applyReceipt(store, net, expired, Date.now());
    const afterFailed = await message(a.key, oneId);
    await applyReceipt(store, net, expired, Date.now());
    await applyReceipt(store, net, { ...expired, status: 'delivered', detail: 'DELIVRD' }, Date.now());
    expect(await message(a.key, oneId)).toEqual(afterFailed);
    expect(afterFailed.status).toBe('failed');
    expect(timeline(afterFailed)).toEqual(['scheduled', 'sending', 'sent', 'failed']);
    expect((await store.delivery.refsOf(oneId)).map((r) => r.provider_message_id)).toEqual([`${net}-b1`]);
    const refunded = await refunds(a.id);
    expect(refunded.map((l) => [l.reference, l.amount_micros])).toEqual([[oneId, parseMicros(one.messages[0]!.price)]]);
    expect(await expectBalanced(a)).toBe(start - parseMicros(two.total_price)!);
  });

  it('`hellio sandbox inbox --to … --json` prints what the phone received', async () => {
    const a = await h.account();
    const text = `cli ${randomBytes(4).toString('hex')}`;
    const id = (await sendSms(a, DELIVERED_TO, text)).messages[0]!.id;
    expect((await finalOf(a.key, [id])).get(id)!.status).toBe('delivered');
    const r = await hellio(['sandbox', 'inbox', '--to', DELIVERED_TO, '--json'], { ...h.database.env, HELLIO_LOG_LEVEL: 'warn' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { data: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(['data']);
    expect(out.data.every((d) => d.to === DELIVERED_TO)).toBe(true);
    expect(out.data.find((d) => d.message_id === id)).toMatchObject({ channel: 'sms', from: 'HELLIO', to: DELIVERED_TO, body: text, subject: null });
    // A number that was refused received nothing.
    const none = await h.rt.store.delivery.inbox({ recipient: SMS_MAGIC.rejected, limit: 1000 });
    expect(none).toEqual([]);
  }, 60_000);
});
