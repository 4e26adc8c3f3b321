import { RECURRING } from '../../src/queue/catalogue.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const DAY = 86_400_000;
/** Simulated days: past the longest default period of what this traffic writes (30 days), with room to see it flat. */
const DAYS = 40;
const PER_DAY = 8;
/** When in the day the simulated receipts are let come in (they are due within seconds). */
const RECEIPTS_AFTER_MS = 60_000;

/** The tables this traffic makes grow, with their default retention in days. */
const GOVERNED = { jobs: 7, idempotency_keys: 1, sandbox_inbox: 7, events: 30, webhook_deliveries: 30, webhook_attempts: 30 } as const;
type Governed = keyof typeof GOVERNED;

/**
 * "A week of traffic at the default retention keeps the database size flat", measured in rows:
 * the same traffic every simulated day (SMS with Idempotency-Keys, a webhook per message, the
 * sandbox inbox), the recurring purge running as the worker finds it due, and the row counts of
 * every table that grows with traffic stop growing once its retention period has passed. Message
 * rows stay (their metadata is kept for reports) but their bodies are redacted after 30 days.
 */
describe.each(BACKENDS)('a steady flow of traffic at the default retention on %s', (backend) => {
  const clock = new MovableClock();
  let h: Harness;
  let db: Db;
  let a: TestAccount;
  let worker: Worker;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { clock, env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    db = openDb(h.config);
    a = await h.account({ balance: '1000.00' });
    worker = h.rt.createWorker({ pollMs: 20 });
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.db.destroy();
    await h?.close();
    await receiver?.close();
  });

  const count = async (table: Governed | 'messages'): Promise<number> =>
    Number((await (db.db as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const withBodies = async () =>
    Number((await db.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('body', 'is not', null).executeTakeFirstOrThrow()).n);

  it('keeps the row counts of every growing table flat once its period has passed', { timeout: 240_000 }, async () => {
    const hook = await h.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url: receiver.url('/hooks'), events: ['message.sent'] } });
    expect(hook.statusCode, hook.body).toBe(200);
    expect(await h.rt.createRecurringDriver().ensure()).toBe(RECURRING.length);

    const history: Array<Record<Governed | 'messages' | 'bodies', number>> = [];
    for (let day = 0; day < DAYS; day++) {
      for (let i = 0; i < PER_DAY; i++) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/sms/send',
          headers: { ...bearer(a.key), 'idempotency-key': `d${day}-m${i}` },
          payload: { from: 'HELLIO', to: '+14155552671', message: `day ${day}, message ${i}` },
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      // The day's deliveries and their webhooks (a delivery's outcome, and so its webhook job,
      // may commit just after its job ends: drain until none is left)…
      await until('the day to be delivered', async () => {
        await worker.drain();
        return (await h.rt.store.jobs.countLive('deliver.sms')) + (await h.rt.store.jobs.countLive('webhook.deliver')) === 0;
      });
      // …and their simulated receipts, due a moment later (so that the purge's run meets the same jobs every day).
      // The clock also runs with real time: the receipts' jobs end a minute after the day's start,
      // so the purge six days on (cutoff: seven days before it) finds them inside the period as
      // long as those six days take under a minute of real time — not only 5 s, which a loaded
      // machine exceeded, purging some of them a day early.
      clock.advance(RECEIPTS_AFTER_MS);
      await until('the day\'s receipts', async () => {
        await worker.drain();
        return (await h.rt.store.jobs.countLive('sms.simulated_receipt')) + (await h.rt.store.jobs.countLive('webhook.deliver')) === 0;
      });
      // Today's keys are held (yesterday's are gone: a day's TTL)…
      if (day > 0) expect(await count('idempotency_keys')).toBe(PER_DAY);
      // …then the next day, when the purge's run is due.
      clock.advance(DAY - RECEIPTS_AFTER_MS);
      await worker.drain();
      const row = { messages: await count('messages'), bodies: await withBodies() } as Record<Governed | 'messages' | 'bodies', number>;
      for (const t of Object.keys(GOVERNED) as Governed[]) row[t] = await count(t);
      history.push(row);
    }

    // Every message is still there (metadata for reports)…
    expect(history.at(-1)!.messages).toBe(DAYS * PER_DAY);
    // …every other growing table levels off once its period has passed: the same count every day.
    for (const [table, days] of Object.entries(GOVERNED) as Array<[Governed, number]>) {
      const tail = history.slice(days + 1).map((r) => r[table]);
      expect(tail.length, table).toBeGreaterThanOrEqual(DAYS - 31);
      expect(Math.max(...tail) - Math.min(...tail), `${table}: ${tail.join(',')}`).toBeLessThanOrEqual(1);
      // And it holds about the period's traffic, not all of it.
      expect(history.at(-1)![table], table).toBeLessThan(history[days]![table]! + PER_DAY * 2 + 2);
    }
    // Bodies go after 30 days. Counted a day after each day's sends, the messages of 30 days
    // before are past the period: 29 days of messages hold a body, every day alike.
    const bodies = history.slice(31).map((r) => r.bodies);
    expect(Math.max(...bodies) - Math.min(...bodies)).toBe(0);
    expect(history.at(-1)!.bodies).toBe(29 * PER_DAY);
    // The webhooks were sent: the events existed while someone read them.
    expect(receiver.received.length).toBe(DAYS * PER_DAY);
  });
});
