import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.ts';
import { killed, type RunningServer, startServer } from '../support/cli.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const N = 300;

/**
 * `hellio start` (API and worker in one process) is SIGKILLed right after accepting 300 SMS,
 * while some are `sent` and awaiting the simulator's receipt; started again on the same database,
 * it brings every one of them to `delivered` (docs/reliability.md, "Every message reaches a
 * final status"): the receipts were jobs, not timers of the dead process.
 */
describe.each(BACKENDS)('hellio start killed after accepting, then restarted, on %s', (backend) => {
  let h: Harness;
  let db: Db;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    h = await createHarness(backend);
    db = openDb(h.config);
  });
  afterAll(async () => {
    for (const s of servers) await killed(s.child, 'SIGKILL');
    await db?.db.destroy();
    await h?.close();
  });

  it('brings every accepted message to delivered', async () => {
    const a = await h.account({ balance: '100.00' });
    // A short lease, so the restarted process takes the dead one's claims over quickly.
    const env = { ...h.database.env, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000', HELLIO_JOB_LEASE_MS: '2000' };
    const first = await startServer(env, 180_000);
    servers.push(first);
    const ids: string[] = [];
    for (let batch = 0; batch < N / 100; batch++) {
      const to = Array.from({ length: 100 }, (_, i) => `+1415557${String(1000 + batch * 100 + i)}`);
      const res = await fetch(`${first.url}/sms/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'HELLIO', to, message: `restart ${batch}` }),
      });
      expect(res.status).toBe(200);
      ids.push(...((await res.json()) as { messages: Array<{ id: string }> }).messages.map((m) => m.id));
    }
    const statuses = async () => {
      const rows = await db.db.selectFrom('messages').select(['id', 'status']).where('id', 'in', ids).execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    };
    // Kill it as soon as something was handed over: the rest is in flight, sent or still queued.
    await until('a message to be sent', async () => ((await statuses()).sent ?? 0) + ((await statuses()).delivered ?? 0) > 0, { timeoutMs: 30_000, everyMs: 5 });
    await killed(first.child, 'SIGKILL');
    const atKill = await statuses();
    console.info(`${backend}: at the kill ${JSON.stringify(atKill)}`);
    expect(atKill.delivered ?? 0).toBeLessThan(N);

    const second = await startServer(env, 180_000);
    servers.push(second);
    await until('every message to be delivered', async () => (await statuses()).delivered === N, {
      timeoutMs: 60_000,
      everyMs: 200,
      last: statuses,
    });
    await second.stop();

    // One `sent` and one `delivered` step each (guarded transitions), one receipt job each, all done.
    const events = await db.db.selectFrom('message_events').select(['message_id', 'status']).where('message_id', 'in', ids).orderBy('id').execute();
    const timelines = new Map<string, string[]>();
    for (const e of events) timelines.set(e.message_id, [...(timelines.get(e.message_id) ?? []), e.status]);
    expect(ids.filter((id) => timelines.get(id)?.join() !== 'queued,sending,sent,delivered')).toEqual([]);
    const refs = await db.db.selectFrom('provider_refs').select('provider_message_id').where('message_id', 'in', ids).execute();
    expect(refs).toHaveLength(N);
    const receiptJobs = await db.db
      .selectFrom('jobs')
      .select('status')
      .where('kind', '=', 'sms.simulated_receipt')
      .where(
        'payload',
        'in',
        refs.map((r) => JSON.stringify({ provider: 'simulator', provider_message_id: r.provider_message_id, status: 'delivered', detail: 'DELIVRD' })),
      )
      .execute();
    expect(receiptJobs.map((j) => j.status)).toEqual(Array.from({ length: N }, () => 'done'));
    // Nothing refunded; the wallet equals its ledger.
    expect((await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'refund')).toEqual([]);
    expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
  }, 400_000);
});
