import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { parseMicros } from '../../src/lib/money.ts';
import { expireUnreceipted } from '../../src/modules/messages/receipt-timeout.ts';
import { SMS_MAGIC } from '../../src/providers/sms/sms-simulator.ts';
import { Jobs } from '../../src/queue/catalogue.ts';
import { enqueue } from '../../src/queue/enqueue.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { keepEvents } from '../support/events.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

const HOUR = 3_600_000;
const SMS_TIMEOUT = 48 * HOUR;
const EMAIL_TIMEOUT = 2 * HOUR;

/**
 * Every message reaches a final status (docs/reliability.md): the simulator's receipts are jobs
 * committed with the `sent` step, so a process that dies before a receipt loses none; a message
 * whose receipt never comes becomes `undelivered` (receipt_timeout) after its channel's timeout.
 * Time is a MovableClock: receipts and timeouts come due by moving it, never by waiting.
 */
describe.each(BACKENDS)('every message reaches a final status on %s', (backend) => {
  const clock = new MovableClock();
  let h: Harness;
  let db: Db;
  let worker: Worker;

  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000', HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES: String(EMAIL_TIMEOUT / 60_000) } });
    db = openDb(h.config);
    worker = h.rt.createWorker();
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const sendSms = async (a: TestAccount, to: string | string[]) => {
    const res = await api(a.key, 'POST', '/sms/send', { from: 'HELLIO', to, message: 'hello' });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { messages: Array<{ id: string }> }).messages.map((m) => m.id);
  };
  const view = async (a: TestAccount, id: string) => {
    const res = await api(a.key, 'GET', `/messages/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { status: string; error: string | null; events: Array<{ status: string; detail: string | null }> };
  };
  const statusOf = async (a: TestAccount, id: string) => (await view(a, id)).status;
  const receiptJobsOf = async () => db.db.selectFrom('jobs').selectAll().where('kind', '=', 'sms.simulated_receipt').execute();
  const eventTypes = async (accountId: string, messageId: string) =>
    (await h.rt.store.events.list(accountId, { limit: 1000 }))
      .reverse()
      .map((r) => JSON.parse(r.payload) as { type: string; data: { id?: string; status?: string; error?: string | null } })
      .filter((e) => e.data.id === messageId);
  const balanceOf = async (a: TestAccount) => parseMicros((await api(a.key, 'GET', '/balance')).json().balance)!;

  it("stores the simulator's receipt as a job with the sent step, and applies it when due", async () => {
    const a = await h.account();
    const [id] = await sendSms(a, '+14155552671');
    const before = (await receiptJobsOf()).length;
    await worker.drain();
    // Sent; its receipt is a job due within the simulator's delay, not a timer in this process.
    expect(await statusOf(a, id!)).toBe('sent');
    const jobs = (await receiptJobsOf()).slice(before);
    expect(jobs).toHaveLength(1);
    const sentAt = (await db.db.selectFrom('messages').select('updated_at').where('id', '=', id!).executeTakeFirstOrThrow()).updated_at;
    expect(jobs[0]!.status).toBe('pending');
    expect(Number(jobs[0]!.run_at) - Number(sentAt)).toBeGreaterThanOrEqual(200);
    expect(Number(jobs[0]!.run_at) - Number(sentAt)).toBeLessThanOrEqual(1_500);
    const ref = await db.db.selectFrom('provider_refs').select(['provider', 'provider_message_id']).where('message_id', '=', id!).executeTakeFirstOrThrow();
    expect(JSON.parse(jobs[0]!.payload)).toEqual({ provider: 'simulator', provider_message_id: ref.provider_message_id, status: 'delivered', detail: 'DELIVRD' });

    clock.advance(1_600);
    await worker.drain();
    const m = await view(a, id!);
    expect(m.status).toBe('delivered');
    expect(m.events.map((e) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(m.events[3]!.detail).toBe('receipt: DELIVRD');
    expect((await db.db.selectFrom('jobs').select('status').where('id', '=', jobs[0]!.id).executeTakeFirstOrThrow()).status).toBe('done');
  });

  it('a receipt job outlives the process that sent the message: another runtime on the same database applies it', async () => {
    const a = await h.account();
    const [ok, undeliv] = await sendSms(a, ['+14155552671', SMS_MAGIC.undelivered]);
    await worker.drain();
    expect(await statusOf(a, ok!)).toBe('sent');
    // The first runtime is gone for this purpose (its memory held nothing); a second one, as after
    // a restart, runs the due receipts.
    const second = await createHarness(backend, { clock, database: h.database });
    try {
      clock.advance(1_600);
      await second.rt.createWorker().drain();
    } finally {
      await second.close();
    }
    expect(await statusOf(a, ok!)).toBe('delivered');
    const u = await view(a, undeliv!);
    expect(u).toMatchObject({ status: 'undelivered', error: 'receipt: UNDELIV' });
  });

  it('applies a receipt job through pending_receipts when its id is not stored, as an SMPP receipt', async () => {
    const before = await db.db.selectFrom('pending_receipts').selectAll().execute();
    await h.rt.store.transaction((tx) =>
      enqueue(tx, [Jobs.simulatedReceipt({ provider: 'simulator', providerMessageId: 'sim-unknown', status: 'delivered', detail: 'DELIVRD' }, clock.now())], clock.now()),
    );
    await worker.drain();
    const after = await db.db.selectFrom('pending_receipts').selectAll().execute();
    expect(after.length).toBe(before.length + 1);
    expect(after.find((p) => p.provider_message_id === 'sim-unknown')).toMatchObject({ provider: 'simulator', status: 'delivered', detail: 'DELIVRD' });
  });

  it('refuses a receipt job with an unknown status without retrying it', async () => {
    const [row] = await db.db
      .insertInto('jobs')
      .values({
        id: 'job_badreceipt',
        kind: 'sms.simulated_receipt',
        payload: JSON.stringify({ provider: 'simulator', provider_message_id: 'sim-x', status: 'lost', detail: 'X' }),
        status: 'pending',
        run_at: clock.now(),
        attempts: 0,
        max_attempts: 10,
        locked_until: null,
        locked_by: null,
        last_error: null,
        created_at: clock.now(),
        updated_at: clock.now(),
        group_key: null,
      })
      .returningAll()
      .execute();
    await worker.drain();
    const job = await db.db.selectFrom('jobs').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.last_error).toMatch(/unknown receipt status/);
  });

  describe('receipt timeout', () => {
    /** Sends SMS and takes their receipts away, as a network that never answers would. */
    const sentWithoutReceipt = async (a: TestAccount, to: string[]) => {
      const ids = await sendSms(a, to);
      await worker.drain();
      const refs = await db.db.selectFrom('provider_refs').select('provider_message_id').where('message_id', 'in', ids).execute();
      const pids = refs.map((r) => r.provider_message_id);
      await db.db.deleteFrom('jobs').where('kind', '=', 'sms.simulated_receipt').where('status', '=', 'pending').execute();
      for (const id of ids) expect(await statusOf(a, id)).toBe('sent');
      return { ids, pids };
    };
    const sweep = async () => {
      await h.rt.store.transaction((tx) => enqueue(tx, [Jobs.expireReceipts()], clock.now()));
      await worker.drain();
    };

    it('makes a message without a receipt undelivered (receipt_timeout) after the SMS timeout, with its event, unrefunded', async () => {
      const a = await h.account();
      await keepEvents(h.rt, a.id);
      const { ids, pids } = await sentWithoutReceipt(a, ['+14155552671', '+14155552672']);
      const balance = await balanceOf(a);

      clock.advance(SMS_TIMEOUT - 60_000);
      await sweep();
      for (const id of ids) expect(await statusOf(a, id)).toBe('sent');

      clock.advance(120_000);
      await sweep();
      for (const id of ids) {
        const m = await view(a, id);
        expect(m).toMatchObject({ status: 'undelivered', error: 'receipt_timeout' });
        expect(m.events.map((e) => e.status)).toEqual(['queued', 'sending', 'sent', 'undelivered']);
        expect(m.events[3]!.detail).toBe('receipt_timeout: no delivery receipt within 48 h of the hand-over');
        const events = await eventTypes(a.id, id);
        expect(events.map((e) => e.type)).toEqual(['message.queued', 'message.sent', 'message.undelivered']);
        expect(events[2]!.data).toMatchObject({ status: 'undelivered', error: 'receipt_timeout' });
      }
      // undelivered is not refunded: the network took the message.
      expect(await balanceOf(a)).toBe(balance);
      expect((await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'refund')).toEqual([]);
      // The campaign is complete.
      const campaign = await db.db.selectFrom('campaigns').selectAll().where('id', '=', (await db.db.selectFrom('messages').select('campaign_id').where('id', '=', ids[0]!).executeTakeFirstOrThrow()).campaign_id!).executeTakeFirstOrThrow();
      expect(campaign.final_count).toBe(2);

      // A receipt that comes after all is recorded on the part but changes nothing: the status is final.
      await h.rt.store.transaction((tx) =>
        enqueue(tx, [Jobs.simulatedReceipt({ provider: 'simulator', providerMessageId: pids[0]!, status: 'delivered', detail: 'DELIVRD' }, clock.now())], clock.now()),
      );
      await worker.drain();
      expect(await view(a, ids[0]!)).toMatchObject({ status: 'undelivered', error: 'receipt_timeout' });
      expect((await eventTypes(a.id, ids[0]!)).map((e) => e.type)).toEqual(['message.queued', 'message.sent', 'message.undelivered']);
    });

    it('leaves delivered messages and messages with a receipt on time alone', async () => {
      const a = await h.account();
      const [id] = await sendSms(a, '+14155552673');
      await worker.drain();
      clock.advance(1_600);
      await worker.drain();
      expect(await statusOf(a, id!)).toBe('delivered');
      clock.advance(SMS_TIMEOUT + HOUR);
      await sweep();
      expect(await view(a, id!)).toMatchObject({ status: 'delivered', error: null });
    });

    it('times each channel on its own setting: an email left sent expires after HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES', async () => {
      const a = await h.account();
      const res = await api(a.key, 'POST', '/send', { from: 'news@example.com', to: 'x@example.net', subject: 's', text: 't' });
      expect(res.statusCode, res.body).toBe(200);
      const emailId = res.json().id as string;
      // An email is `sent` and `delivered` in one commit (the receiving server's 250); one left
      // `sent` (by a provider that stopped halfway) is what the sweep is for.
      const now = clock.now();
      await h.rt.store.transaction((tx) => tx.delivery.transitionMany([emailId], ['queued'], 'sent', now));
      const { ids: [smsId] } = await sentWithoutReceipt(a, ['+14155552674']);
      clock.advance(EMAIL_TIMEOUT + 60_000);
      await sweep();
      expect(await view(a, emailId)).toMatchObject({ status: 'undelivered', error: 'receipt_timeout' });
      expect((await view(a, emailId)).events.at(-1)!.detail).toBe('receipt_timeout: no delivery receipt within 2 h of the hand-over');
      expect(await statusOf(a, smsId!)).toBe('sent');
      clock.advance(SMS_TIMEOUT);
      await sweep();
      expect(await statusOf(a, smsId!)).toBe('undelivered');
    });

    it('works in batches of the given size, oldest first, until none is left', async () => {
      const a = await h.account();
      const { ids } = await sentWithoutReceipt(a, ['+14155552675', '+14155552676', '+14155552677', '+14155552678', '+14155552679']);
      clock.advance(SMS_TIMEOUT + 60_000);
      const timeouts = h.config.receiptTimeoutMs;
      expect(await expireUnreceipted(h.rt.store, timeouts, clock.now(), 2)).toBe(2);
      expect(await expireUnreceipted(h.rt.store, timeouts, clock.now(), 2)).toBe(2);
      expect(await expireUnreceipted(h.rt.store, timeouts, clock.now(), 2)).toBe(1);
      expect(await expireUnreceipted(h.rt.store, timeouts, clock.now(), 2)).toBe(0);
      for (const id of ids) expect(await statusOf(a, id)).toBe('undelivered');
    });
  });
});
