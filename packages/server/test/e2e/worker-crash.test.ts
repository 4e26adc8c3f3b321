import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.ts';
import { killed, startWorker } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { until } from '../support/wait.ts';

/**
 * A `hellio worker` process is killed (SIGKILL) in the middle of delivering 1,000 SMS; another one
 * takes over the dead one's claims once their lease expires (HELLIO_JOB_LEASE_MS shortens it from
 * the default 150 s). Nothing is lost and nothing is sent twice.
 */
describe.each(BACKENDS)('a worker killed mid-delivery on %s', (backend) => {
  let h: Harness;
  let db: Db;

  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    db = openDb(h.config);
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
  });

  it('loses no message, sends none twice, and finishes every job', async () => {
    const N = 1_000;
    const a = await h.account({ balance: '100.00' });
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const to = Array.from({ length: 100 }, (_, i) => `+1415555${String(3000 + batch * 100 + i)}`);
      const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to, message: `crash ${batch}` } });
      expect(res.statusCode, res.body).toBe(200);
      ids.push(...res.json().messages.map((m: { id: string }) => m.id));
    }
    expect(new Set(ids).size).toBe(N);
    const payloads = ids.map((id) => JSON.stringify({ message_id: id }));

    const statuses = async () => {
      const rows = await db.db.selectFrom('messages').select(['id', 'status']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.status]));
    };
    const jobs = () => db.db.selectFrom('jobs').selectAll().where('payload', 'in', payloads).execute();

    // 32 jobs at a time, so the kill lands mid-delivery: with the default (1,000) the first claim
    // takes them all and the simulator answers them within milliseconds. The SMPP crash test runs
    // with the default, against an SMSC that answers late.
    const env = { ...h.database.env, HELLIO_LOG_LEVEL: 'warn', HELLIO_JOB_LEASE_MS: '2000', HELLIO_WORKER_CONCURRENCY: '32' };
    const started: Array<ReturnType<typeof startWorker>> = [];
    const second = { current: null as ReturnType<typeof startWorker> | null };
    const sentCount = async () => {
      const r = await db.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'in', ids)
        .where('status', 'in', ['sent', 'delivered'])
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    try {
      // Kill a worker as soon as it has sent something: most of its work is in flight or to do.
      // A batch's jobs settle together, so a kill can fall between a commit and the next claim,
      // with nothing held: then another worker is started and killed, up to five times.
      let leftJobs: Awaited<ReturnType<typeof jobs>> = [];
      for (let tries = 1; ; tries++) {
        const w = startWorker(env);
        started.push(w);
        const before = await sentCount();
        await until(
          'the worker to send something',
          async () => {
            if (w.child.exitCode !== null) throw new Error(`the worker exited early:\n${w.output()}`);
            if ((await sentCount()) <= before) return false;
            // …and is holding claims right now, so that the kill leaves some behind.
            const held = await db.db.selectFrom('jobs').select('id').where('payload', 'in', payloads).where('status', '=', 'running').limit(1).execute();
            return held.length > 0;
          },
          { timeoutMs: 20_000, everyMs: 5 },
        );
        await killed(w.child, 'SIGKILL');
        leftJobs = await jobs();
        if (leftJobs.some((j) => j.status === 'running') || tries === 5) break;
      }

      // What the dead worker left behind.
      const orphaned = leftJobs.filter((j) => j.status === 'running');
      // The simulator's receipts are jobs written with each `sent` step (docs/reliability.md): the
      // messages the dead worker left `sent` still get theirs from the next worker.
      const leftSent = [...(await statuses()).values()].filter((st) => st === 'sent').length;
      if (leftSent > 0) console.info(`${leftSent} messages were left "sent" by the crash`);
      expect(leftJobs).toHaveLength(N);
      // The kill landed mid-job (claims held by the dead worker) and left work for the next one.
      expect(orphaned.length).toBeGreaterThan(0);
      expect(leftJobs.filter((j) => j.status !== 'done').length).toBeGreaterThan(0);
      for (const j of orphaned) expect(j.locked_until!).toBeLessThanOrEqual(Date.now() + 2_000);

      second.current = startWorker(env);
      const s = second.current;
      await until(
        'the second worker to finish everything',
        async () => {
          if (s.child.exitCode !== null) throw new Error(`the second worker exited early:\n${s.output()}`);
          const js = await jobs();
          if (js.some((j) => j.status !== 'done')) return false;
          const st = await statuses();
          return [...st].every(([, status]) => status === 'delivered');
        },
        {
          timeoutMs: 25_000,
          everyMs: 100,
          last: async () => {
            const counts: Record<string, number> = {};
            for (const j of await jobs()) counts[`job:${j.status}`] = (counts[`job:${j.status}`] ?? 0) + 1;
            for (const st of (await statuses()).values()) counts[st] = (counts[st] ?? 0) + 1;
            return { counts, output: s.output().slice(-3000) };
          },
        },
      );
      await killed(s.child, 'SIGTERM');
      expect(s.child.exitCode, s.output()).toBe(0);

      // Every job done; the dead worker's claims were taken over (a second attempt).
      const finalJobs = await jobs();
      expect(finalJobs.filter((j) => j.status !== 'done')).toEqual([]);
      const byId = new Map(finalJobs.map((j) => [j.id, j]));
      for (const j of orphaned) expect(byId.get(j.id)!.attempts).toBe(j.attempts + 1);

      // Every message final: delivered, those left "sent" by the crash included.
      const finalStatuses = await statuses();
      expect(finalStatuses.size).toBe(N);
      const counts: Record<string, number> = {};
      for (const st of finalStatuses.values()) counts[st] = (counts[st] ?? 0) + 1;
      expect(counts).toEqual({ delivered: N });
      // Each receipt job ran once to its end.
      const receiptJobs = await db.db.selectFrom('jobs').select(['status']).where('kind', '=', 'sms.simulated_receipt').execute();
      // One per message (each one part), made once: with the step that moved the message to `sent`.
      expect(receiptJobs).toHaveLength(N);
      expect(receiptJobs.filter((j) => j.status !== 'done')).toEqual([]);

      // No transition happened twice: one event per status per message, in lifecycle order.
      const events = await db.db.selectFrom('message_events').select(['message_id', 'status']).where('message_id', 'in', ids).orderBy('id').execute();
      const timelines = new Map<string, string[]>();
      for (const e of events) timelines.set(e.message_id, [...(timelines.get(e.message_id) ?? []), e.status]);
      const wrong = ids.filter((id) => {
        const t = timelines.get(id) ?? [];
        return t.join() !== 'queued,sending,sent,delivered';
      });
      expect(wrong.map((id) => [id, timelines.get(id)])).toEqual([]);

      // Each message's network ids were recorded once; each phone got its text (at least once).
      const refs = await db.db.selectFrom('provider_refs').select('message_id').where('message_id', 'in', ids).execute();
      expect(refs).toHaveLength(N);
      expect(new Set(refs.map((r) => r.message_id)).size).toBe(N);
      const inbox = await db.db.selectFrom('sandbox_inbox').select('message_id').where('message_id', 'in', ids).execute();
      expect(new Set(inbox.map((r) => r.message_id)).size).toBe(N);

      // Nothing refunded, and the wallet matches its ledger.
      const ledger = await h.rt.store.wallet.ledger(a.id);
      expect(ledger.filter((l) => l.kind === 'refund')).toEqual([]);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
    } finally {
      for (const w of started) await killed(w.child, 'SIGKILL');
      if (second.current) await killed(second.current.child, 'SIGKILL');
    }
  }, 60_000);
});
