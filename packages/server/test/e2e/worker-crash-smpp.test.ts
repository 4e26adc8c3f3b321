import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.ts';
import { killed, startWorker, type WorkerChild } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { type ReceivedSubmit, startSmsc, type TestSmsc } from '../support/smsc.ts';
import { until } from '../support/wait.ts';

const MESSAGES = 200;
/** How many messages the first worker must have got to `sent` before it is killed. */
const SENT_BEFORE_KILL = 25;
const LEASE_MS = 2_000;

const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once the child has exited (at once if it already has). */
async function exited(child: ChildProcess): Promise<void> {
  if (gone(child)) return;
  await once(child, 'exit');
}

/**
 * A `hellio worker` process delivering SMS over SMPP to a real (test) SMSC is SIGKILLed while
 * submit_sm are outstanding; a second worker takes over the dead one's claims once their lease
 * expires (HELLIO_JOB_LEASE_MS). From the SMSC's side every message arrives, and only the messages
 * caught mid-hand-over (`sending` at the kill) may arrive twice (at least once, docs/delivery.md);
 * in the database each message changes status once per state, receipts for ids the dead worker
 * got still map (provider_refs are durable), and nothing is lost or refunded.
 */
describe.each(BACKENDS)('a worker killed mid-SMPP-delivery on %s', (backend) => {
  let smsc: TestSmsc;
  let h: Harness;
  let db: Db;
  const children: WorkerChild[] = [];

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000', HELLIO_SMPP_URL: smsc.url } });
    db = openDb(h.config);
  });
  afterAll(async () => {
    // Whatever happened in the test, no worker outlives it.
    for (const w of children) await killed(w.child, 'SIGKILL');
    await smsc?.close();
    await db?.db.destroy();
    await h?.close();
  });

  it('every message reaches the SMSC, only the in-flight ones twice, and each is sent and delivered once', async () => {
    const a = await h.account({ balance: '100.00' });
    const ids: string[] = [];
    const recipients: string[] = [];
    for (let batch = 0; batch < MESSAGES / 100; batch++) {
      const to = Array.from({ length: 100 }, (_, i) => `+1415556${String(4000 + batch * 100 + i)}`);
      const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to, message: `smpp crash ${batch}` } });
      expect(res.statusCode, res.body).toBe(200);
      ids.push(...res.json().messages.map((m: { id: string }) => m.id));
      recipients.push(...to);
    }
    expect(new Set(ids).size).toBe(MESSAGES);
    // One destination per message: what the SMSC saw maps back to the message.
    const messageOfDest = new Map(recipients.map((to, i) => [to.replace(/^\+/, ''), ids[i]!]));
    const destOfMessage = new Map([...messageOfDest].map(([dest, id]) => [id, dest]));
    const payloads = ids.map((id) => JSON.stringify({ message_id: id }));

    const statuses = async () => {
      const rows = await db.db.selectFrom('messages').select(['id', 'status']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.status]));
    };
    const jobs = () => db.db.selectFrom('jobs').selectAll().where('payload', 'in', payloads).execute();
    const countStatus = async () => {
      const counts: Record<string, number> = {};
      for (const j of await jobs()) counts[`job:${j.status}`] = (counts[`job:${j.status}`] ?? 0) + 1;
      for (const st of (await statuses()).values()) counts[st] = (counts[st] ?? 0) + 1;
      return { ...counts, smscSubmits: smsc.submits.length, smscInFlight: smsc.inFlight, binds: smsc.binds.length };
    };

    const env = { ...h.database.env, HELLIO_SMPP_URL: smsc.url, HELLIO_LOG_LEVEL: 'warn', HELLIO_JOB_LEASE_MS: String(LEASE_MS) };

    // The SMSC answers every submit_sm 20–50 ms late, so the worker always has submits outstanding.
    // Once enough messages are `sent`, the next submit from the first worker kills it on the spot:
    // that submit (and any that still arrive from it) is never answered, so the kill is certain to
    // land with submits in flight, while others may have been answered but not yet recorded.
    let phase: 'A' | 'killed' | 'B' = 'A';
    let enoughSent = false;
    const owner: Array<'A' | 'B'> = [];
    let first: WorkerChild | null = null;
    smsc.onSubmit = (_s, index) => {
      owner[index] = phase === 'B' ? 'B' : 'A';
      if (phase === 'A' && enoughSent) {
        phase = 'killed';
        first!.child.kill('SIGKILL');
      }
      if (phase === 'killed') return { hold: true };
      return { delayMs: 20 + (index % 4) * 10 };
    };

    first = startWorker(env);
    children.push(first);
    const a1 = first;
    await until(
      'the first worker to be killed mid-delivery',
      async () => {
        if (phase !== 'A') return true;
        if (gone(a1.child)) throw new Error(`the first worker exited early:\n${a1.output()}`);
        const r = await db.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', ids)
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        enoughSent = Number(r.n) >= SENT_BEFORE_KILL;
        return false;
      },
      { timeoutMs: 15_000, everyMs: 5, last: countStatus },
    );
    await exited(a1.child);
    expect(a1.child.signalCode).toBe('SIGKILL');
    // The held submits keep the SMSC's count of outstanding ones above zero until it has seen the
    // dead worker's connection close: from then on, every submit it records comes from the second.
    await until('the SMSC to see the dead worker’s connection close', () => smsc.inFlight === 0, { timeoutMs: 5_000, last: countStatus });
    const fromA = smsc.submits.length;

    // What the dead worker left behind: the kill landed mid-delivery.
    const leftJobs = await jobs();
    expect(leftJobs).toHaveLength(MESSAGES);
    const orphaned = leftJobs.filter((j) => j.status === 'running');
    expect(orphaned.length).toBeGreaterThan(0);
    for (const j of orphaned) expect(j.locked_until!).toBeLessThanOrEqual(Date.now() + LEASE_MS);
    const atKill = await statuses();
    const sentAtKill = new Set([...atKill].filter(([, s]) => s === 'sent').map(([id]) => id));
    const sendingAtKill = new Set([...atKill].filter(([, s]) => s === 'sending').map(([id]) => id));
    expect(sentAtKill.size).toBeGreaterThanOrEqual(SENT_BEFORE_KILL);
    expect(sendingAtKill.size).toBeGreaterThan(0);
    expect([...atKill.values()].every((s) => ['queued', 'sending', 'sent'].includes(s))).toBe(true);
    // The dead worker's last submit (the one that triggered the kill, or a later one) was never
    // answered: its message was caught `sending`.
    expect(sendingAtKill.has(messageOfDest.get(smsc.submits[fromA - 1]!.destAddr)!)).toBe(true);

    phase = 'B';
    const second = startWorker(env);
    children.push(second);
    await until(
      'the second worker to finish every job and send every message',
      async () => {
        if (gone(second.child)) throw new Error(`the second worker exited early:\n${second.output()}`);
        if ((await jobs()).some((j) => j.status !== 'done')) return false;
        return [...(await statuses()).values()].every((s) => s === 'sent');
      },
      { timeoutMs: 15_000, everyMs: 50, last: countStatus },
    );
    // Receipts go out on the bound session, which is now the second worker's.
    expect(smsc.binds.filter((b) => b.ok)).toHaveLength(2);

    // The SMSC reports every submit it took as delivered: the dead worker's ones too, on the
    // second worker's session. Ids the dead worker never learned (or never recorded) map to nothing.
    const accepted = smsc.submits.filter((s): s is ReceivedSubmit & { messageId: string } => s.messageId !== null);
    expect(new Set(accepted.map((s) => s.messageId)).size).toBe(accepted.length);
    for (let i = 0; i < accepted.length; i += 25) {
      const acks = await Promise.all(accepted.slice(i, i + 25).map((s) => smsc.sendReceipt(s.messageId, 'DELIVRD')));
      expect(acks.every((st) => st === 0)).toBe(true);
    }
    await until('every message to be delivered', async () => [...(await statuses()).values()].every((s) => s === 'delivered'), {
      timeoutMs: 10_000,
      everyMs: 50,
      last: countStatus,
    });
    await killed(second.child, 'SIGTERM');
    expect(second.child.exitCode, second.output()).toBe(0);

    // Nothing lost: every job done, the dead worker's claims taken over once.
    const finalJobs = await jobs();
    expect(finalJobs.filter((j) => j.status !== 'done')).toEqual([]);
    const byId = new Map(finalJobs.map((j) => [j.id, j]));
    for (const j of orphaned) expect(byId.get(j.id)!.attempts).toBe(j.attempts + 1);
    const finalStatuses = await statuses();
    expect(finalStatuses.size).toBe(MESSAGES);
    expect([...finalStatuses.values()].every((s) => s === 'delivered')).toBe(true);

    // Each status changed once: exactly one `sent` and one `delivered` per message, in order.
    const events = await db.db.selectFrom('message_events').select(['message_id', 'status']).where('message_id', 'in', ids).orderBy('id').execute();
    const timelines = new Map<string, string[]>();
    for (const e of events) timelines.set(e.message_id, [...(timelines.get(e.message_id) ?? []), e.status]);
    const wrong = ids.filter((id) => (timelines.get(id) ?? []).join() !== 'queued,sending,sent,delivered');
    expect(wrong.map((id) => [id, timelines.get(id)])).toEqual([]);

    // From the SMSC's point of view: every destination at least once; twice only for a message
    // caught `sending` by the kill (once from each worker); never twice from one worker.
    // (No submit from the dead worker was recorded after the split point.)
    expect(owner.slice(fromA).filter((o) => o !== 'B')).toEqual([]);
    const seen = new Map<string, { A: number; B: number }>();
    smsc.submits.forEach((s, i) => {
      const c = seen.get(s.destAddr) ?? { A: 0, B: 0 };
      c[i < fromA ? 'A' : 'B']++;
      seen.set(s.destAddr, c);
    });
    expect([...seen.keys()].filter((d) => !messageOfDest.has(d))).toEqual([]);
    expect([...messageOfDest.keys()].filter((d) => !seen.has(d))).toEqual([]);
    expect([...seen].filter(([, c]) => c.A > 1 || c.B > 1)).toEqual([]);
    const twice = [...seen].filter(([, c]) => c.A + c.B > 1).map(([d]) => messageOfDest.get(d)!);
    expect(twice.filter((id) => !sendingAtKill.has(id))).toEqual([]);
    // The submit the kill interrupted was retried: the at-least-once path really ran.
    expect(twice.length).toBeGreaterThan(0);
    // Messages already `sent` at the kill were never sent again.
    for (const id of sentAtKill) expect(seen.get(destOfMessage.get(id)!)).toEqual({ A: 1, B: 0 });

    // Receipts: one network id per message, each one the SMSC gave for that message's destination,
    // each delivered. Those the dead worker recorded still map, though its session is gone.
    const refs = await db.db.selectFrom('provider_refs').selectAll().where('message_id', 'in', ids).execute();
    expect(refs).toHaveLength(MESSAGES);
    expect(new Set(refs.map((r) => r.message_id)).size).toBe(MESSAGES);
    const submitOf = new Map(accepted.map((s) => [s.messageId, { dest: s.destAddr, fromA: smsc.submits.indexOf(s) < fromA }]));
    const badRefs = refs.filter(
      (r) => r.provider !== 'smpp' || r.status !== 'delivered' || submitOf.get(r.provider_message_id)?.dest !== destOfMessage.get(r.message_id),
    );
    expect(badRefs).toEqual([]);
    const refsFromA = new Set(refs.filter((r) => submitOf.get(r.provider_message_id)!.fromA).map((r) => r.message_id));
    expect([...sentAtKill].filter((id) => !refsFromA.has(id))).toEqual([]);
    expect(refsFromA.size).toBeGreaterThanOrEqual(SENT_BEFORE_KILL);

    // Nothing refunded, and the wallet matches its ledger.
    const ledger = await h.rt.store.wallet.ledger(a.id);
    expect(ledger.filter((l) => l.kind === 'refund')).toEqual([]);
    expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
  }, 30_000);
});
