import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { beginSendingMany, cancelScheduled, markDeliveredMany, markSent, markSentMany } from '../../src/modules/messages/lifecycle.ts';
import { makeChannels } from '../../src/providers/channels.ts';
import type { SmsProvider, SmsReceipt, SmsSubmit, SmsSubmitResult } from '../../src/providers/sms/sms-provider.ts';
import { connectionless } from '../../src/providers/provider-state.ts';
import { GroupCommit } from '../../src/lib/group-commit.ts';
import type { JobContext } from '../../src/queue/job-definition.ts';
import { settleInTransaction } from '../../src/queue/settle.ts';
import { Worker } from '../../src/queue/worker.ts';
import { JobsRepo } from '../../src/store/repos/jobs.ts';
import { deliveryHandlers } from '../../src/workers/deliver.ts';
import { catalogueDefinitions } from '../../src/queue/handlers.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';
import { keepEvents } from '../support/events.ts';

const quiet = { info() {}, warn() {}, error() {} };

/** Answers every submit at once, after `delayMs`; records what it was given. */
class QuickProvider implements SmsProvider {
  readonly submitted: SmsSubmit[] = [];
  delayMs = 0;
  constructor(readonly name: string) {}
  onReceipt(_h: (r: SmsReceipt) => void): void {}
  state() {
    return connectionless('simulator');
  }
  async submit(msg: SmsSubmit): Promise<SmsSubmitResult> {
    const id = `${this.name}-${this.submitted.push(msg)}`;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return { ok: true, providerMessageIds: [id] };
  }
  async close(): Promise<void> {}
}

describe('GroupCommit', () => {
  it('writes what arrives together as one batch, and answers each caller with its own result', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.add(i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('cuts batches at maxBatch, and lets a lingering batch wait for company', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, void>(
      async (items) => {
        batches.push(items);
        return items.map(() => undefined);
      },
      { maxBatch: 3, lingerMs: 30 },
    );
    const first = [gc.add(1), gc.add(2)];
    await new Promise((r) => setTimeout(r, 5));
    const second = [gc.add(3), gc.add(4), gc.add(5), gc.add(6)];
    await Promise.all([...first, ...second]);
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    // The two early items waited for the later ones instead of going alone.
    expect(batches[0]).toEqual([1, 2, 3]);
  });

  it("never fails an item for its batch-mate's fault: a failed batch is written again item by item", async () => {
    const writes: number[][] = [];
    const gc = new GroupCommit<number, string>(async (items) => {
      writes.push(items);
      if (items.includes(13)) throw new Error('unlucky');
      return items.map((i) => `ok ${i}`);
    });
    const results = await Promise.allSettled([12, 13, 14].map((i) => gc.add(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['ok 12', 'unlucky', 'ok 14']);
    expect(writes).toEqual([[12, 13, 14], [12], [13], [14]]);
  });
});

describe.each(BACKENDS)('batched delivery writes on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;

  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await h.account({ balance: '100.00' });
    await keepEvents(h.rt, a.id);
  });
  afterAll(async () => h?.close());

  /** A campaign of `n` queued SMS (no worker runs in this file unless a test starts one). */
  async function campaign(n: number, opts: { scheduled?: boolean } = {}) {
    const to = Array.from({ length: n }, (_, i) => `+1415555${String(1000 + i)}`);
    const payload = { from: 'HELLIO', to, message: 'batch', ...(opts.scheduled ? { scheduled_at: new Date(Date.now() + 3_600_000).toISOString() } : {}) };
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { campaign_id: string; messages: Array<{ id: string }> };
    return { campaignId: body.campaign_id, ids: body.messages.map((m) => m.id) };
  }
  /** Takes the jobs earlier tests left due out of the way (as done), so each test sees only its own. */
  async function clearJobs(): Promise<void> {
    const left = await h.rt.store.jobs.claim({ workerId: 'cleanup', kinds: ['deliver.sms'], limit: 10_000, leaseMs: 60_000, now: Date.now() });
    await h.rt.store.jobs.settleMany(
      left.map((j) => ({ id: j.id, lockedBy: 'cleanup', attempts: j.attempts })),
      { status: 'done' },
      Date.now(),
    );
  }
  const timeline = async (id: string) => (await h.rt.store.messages.events(id)).map((e) => e.status);
  const eventsOf = async (type: string) => (await h.rt.store.events.list(a.id, { type, limit: 1000 })).map((e) => JSON.parse(e.payload) as { data: { id: string } });

  it('moves a batch once each — skipping the ones moved or canceled meanwhile — with one event per move and campaign.completed once', async () => {
    const { campaignId, ids } = await campaign(6);
    const sched = await campaign(1, { scheduled: true });
    expect(await cancelScheduled(h.rt.store, a.id, sched.ids[0]!, Date.now())).toBe(true);

    const ready = await beginSendingMany(h.rt.store, [...ids, sched.ids[0]!], Date.now());
    expect([...ready.keys()].sort()).toEqual([...ids].sort());
    // A second claim of the same messages (a retry) finds them `sending`: no second event.
    expect((await beginSendingMany(h.rt.store, ids, Date.now())).size).toBe(6);

    // One of them is recorded `sent` by someone else first (another worker's late commit).
    await markSent(h.rt.store, ids[0]!, 'quick', ['early-0'], Date.now());
    await markSentMany(
      h.rt.store,
      [...ids, sched.ids[0]!].map((id, i) => ({ messageId: id, provider: 'quick', providerIds: [`p-${i}`] })),
      Date.now(),
    );
    await markDeliveredMany(
      h.rt.store,
      ids.map((id) => ({ messageId: id, detail: 'receipt: DELIVRD' })),
      Date.now(),
    );
    for (const id of ids) expect(await timeline(id)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(await timeline(sched.ids[0]!)).toEqual(['scheduled', 'canceled']);
    // The first message kept the ids of the move that happened; the later batch wrote none for it.
    expect((await h.rt.store.delivery.refsOf(ids[0]!)).map((r) => r.provider_message_id)).toEqual(['early-0']);
    expect((await h.rt.store.delivery.refsOf(ids[1]!)).map((r) => r.provider_message_id)).toEqual(['p-1']);

    const sent = (await eventsOf('message.sent')).filter((e) => ids.includes(e.data.id));
    expect(sent.map((e) => e.data.id).sort()).toEqual([...ids].sort());
    const delivered = (await eventsOf('message.delivered')).filter((e) => ids.includes(e.data.id));
    expect(delivered).toHaveLength(6);
    const completed = (await eventsOf('campaign.completed')).filter((e) => e.data.id === campaignId);
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toMatchObject({ status_counts: { delivered: 6 } });
  });

  it('settles a batch of jobs in the transaction of their outcome, refusing the claim that was lost', async () => {
    await clearJobs();
    const { ids } = await campaign(3);
    const jobs = await h.rt.store.jobs.claim({ workerId: 'A', kinds: ['deliver.sms'], limit: 10, leaseMs: 60_000, now: Date.now() });
    expect(jobs.map((j) => JSON.parse(j.payload).message_id).sort()).toEqual([...ids].sort());
    const runs: JobContext[] = jobs.map((j) => ({ attempt: j.attempts, jobId: j.id, maxAttempts: 30, claim: { id: j.id, lockedBy: 'A', attempts: j.attempts } }));
    // A's lease on the last job ran out and B took it over.
    const taken = jobs[2]!;
    await h.rt.store.jobs.settle({ id: taken.id, lockedBy: 'A', attempts: taken.attempts }, { status: 'pending', runAt: 0, error: 'lease expired' }, Date.now());
    const [again] = await h.rt.store.jobs.claim({ workerId: 'B', kinds: ['deliver.sms'], limit: 1, leaseMs: 60_000, now: Date.now() });
    expect(again).toMatchObject({ id: taken.id, locked_by: 'B', attempts: 2 });

    // A transaction that fails after settling settles nothing.
    await expect(
      h.rt.store.transaction(async (tx) => {
        await settleInTransaction(tx, runs, { status: 'done' }, Date.now());
        throw new Error('the outcome could not be written');
      }),
    ).rejects.toThrow(/could not be written/);
    for (const j of jobs.slice(0, 2)) expect(await h.rt.store.jobs.get(j.id)).toMatchObject({ status: 'running', locked_by: 'A' });

    const lost = await h.rt.store.transaction((tx) => settleInTransaction(tx, runs, { status: 'done' }, Date.now()));
    expect(lost.map((r) => r.jobId)).toEqual([taken.id]);
    for (const j of jobs.slice(0, 2)) expect(await h.rt.store.jobs.get(j.id)).toMatchObject({ status: 'done', locked_by: null });
    // B's claim stands.
    expect(await h.rt.store.jobs.get(taken.id)).toMatchObject({ status: 'running', locked_by: 'B', attempts: 2 });
    await h.rt.store.jobs.settle({ id: taken.id, lockedBy: 'B', attempts: 2 }, { status: 'done' }, Date.now());
  });

  it('a worker delivers many SMS in batched commits: each status once, each job settled with its outcome, none settled apart', async () => {
    const quick = new QuickProvider('quick');
    quick.delayMs = 2;
    const channels = makeChannels({
      sms: [quick],
      defaultSms: 'quick',
      smsSandbox: quick,
      voice: [...h.rt.channels.voice.values()],
      defaultVoice: h.rt.channels.defaultVoice,
      voiceSandbox: h.rt.channels.voiceSandbox,
      emailLive: h.rt.channels.email(false),
      emailSandbox: h.rt.channels.email(true),
    });
    await clearJobs();
    const { ids } = await campaign(300);
    const store = h.rt.store;
    // On the prototype: a transaction's store has repositories of its own.
    const settle = vi.spyOn(JobsRepo.prototype, 'settle');
    const settleMany = vi.spyOn(JobsRepo.prototype, 'settleMany');
    const w = new Worker({ store, definitions: catalogueDefinitions(deliveryHandlers({ store, channels, clock: h.rt.clock })), logger: quiet, concurrency: 200, pollMs: 10 });
    let settledApart: number;
    let settledInBatches: number[];
    try {
      w.start();
      await until(
        '300 messages sent',
        async () => {
          const rows = await store.delivery.getMessages(ids);
          return rows.every((m) => m.status === 'sent');
        },
        { last: async () => ({ submitted: quick.submitted.length, statuses: (await store.delivery.getMessages(ids)).map((m) => m.status).slice(0, 5) }) },
      );
      await w.stop();
      settledApart = settle.mock.calls.length;
      settledInBatches = settleMany.mock.calls.map((c) => c[0].length);
    } finally {
      settle.mockRestore();
      settleMany.mockRestore();
      await w.stop();
    }
    expect(quick.submitted).toHaveLength(300);
    expect(new Set(quick.submitted.map((s) => s.to)).size).toBe(300);
    for (const id of ids) expect(await timeline(id)).toEqual(['queued', 'sending', 'sent']);
    // No job was settled on its own: every one went with its batch's outcome, in far fewer commits.
    expect(settledApart).toBe(0);
    expect(settledInBatches.reduce((x, y) => x + y, 0)).toBe(300);
    expect(settledInBatches.length).toBeLessThan(300 / 2);
    const payloads = new Set(ids.map((id) => JSON.stringify({ message_id: id })));
    const jobs = (await store.jobs.claim({ workerId: 'probe', kinds: ['deliver.sms'], limit: 1000, leaseMs: 1, now: Date.now() + 1_000 })).filter((j) =>
      payloads.has(j.payload),
    );
    expect(jobs).toEqual([]);
  });
});
