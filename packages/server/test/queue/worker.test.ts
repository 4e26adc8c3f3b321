import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { MovableClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { type JobDefinition, PermanentFailure, RetryLater, retryDelayMs } from '../../src/queue/job-definition.ts';
import { Worker, type WorkerLogger } from '../../src/queue/worker.ts';
import { type JobRow, JobsRepo } from '../../src/store/repos/jobs.ts';
import type { Store } from '../../src/store/store.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const quiet: WorkerLogger = { info() {}, warn() {}, error() {} };

/** A job kind no other test (and no delivery job) uses, so workers only ever see their own jobs. */
const kindOf = (name: string) => `test.${name}.${randomBytes(4).toString('hex')}`;

function definition(kind: string, handle: JobDefinition['handle'], over: Partial<JobDefinition> = {}): JobDefinition {
  return { kind, timeoutMs: 5_000, maxAttempts: 3, backoff: { baseMs: 50, maxMs: 200 }, handle, ...over };
}

function jobRow(kind: string, payload: unknown, over: Partial<JobRow> = {}): JobRow {
  const now = Date.now();
  return {
    id: newId('job'),
    kind,
    payload: JSON.stringify(payload),
    status: 'pending',
    run_at: now,
    attempts: 0,
    max_attempts: 10,
    locked_until: null,
    locked_by: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    group_key: null,
    ...over,
  };
}

async function insert(store: Store, kind: string, payload: unknown = {}, over: Partial<JobRow> = {}): Promise<JobRow> {
  const row = jobRow(kind, payload, over);
  await store.jobs.insertMany([row]);
  return row;
}

const worker = (store: Store, defs: JobDefinition[], over: Partial<ConstructorParameters<typeof Worker>[0]> = {}) =>
  new Worker({ store, definitions: defs, logger: quiet, pollMs: 10, ...over });

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

describe('retryDelayMs', () => {
  const def = { backoff: { baseMs: 100, maxMs: 10_000 } };

  it('doubles with each attempt, jittered within [exp/2, exp], capped at maxMs', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const exp = Math.min(10_000, 100 * 2 ** (attempt - 1));
      expect(retryDelayMs(def, attempt, undefined, () => 0)).toBe(exp / 2);
      expect(retryDelayMs(def, attempt, undefined, () => 0.999_999)).toBe(Math.round(exp / 2 + 0.999_999 * (exp / 2)));
      expect(retryDelayMs(def, attempt, undefined, () => 0.5)).toBe(Math.round(exp * 0.75));
      for (let i = 0; i < 50; i++) {
        const d = retryDelayMs(def, attempt);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
    // The lower bound itself grows exponentially until the cap.
    expect([1, 2, 3, 4].map((a) => retryDelayMs(def, a, undefined, () => 0))).toEqual([50, 100, 200, 400]);
    expect(retryDelayMs(def, 8, undefined, () => 0)).toBe(5_000); // 100 × 2^7 = 12 800 → capped at 10 000
    expect(retryDelayMs(def, 1_000, undefined, () => 0.999_999)).toBeLessThanOrEqual(10_000);
    // attempt 0 (never ran) counts as the first.
    expect(retryDelayMs(def, 0, undefined, () => 0)).toBe(50);
  });

  it("never comes back sooner than the other side's hint", () => {
    expect(retryDelayMs(def, 1, 7_000, () => 0)).toBe(7_000);
    expect(retryDelayMs(def, 1, 7_000, () => 0.999_999)).toBe(7_000);
    // A hint below the backoff does not shorten it.
    expect(retryDelayMs(def, 5, 10, () => 0)).toBe(800);
    // A hint above the cap is still honoured.
    expect(retryDelayMs(def, 30, 60_000, () => 0.5)).toBe(60_000);
  });
});

describe('HELLIO_JOB_LEASE_MS', () => {
  it('is optional and validated', () => {
    expect(loadConfig({}).jobLeaseMs).toBeNull();
    expect(loadConfig({ HELLIO_JOB_LEASE_MS: '' }).jobLeaseMs).toBeNull();
    expect(loadConfig({ HELLIO_JOB_LEASE_MS: '5000' }).jobLeaseMs).toBe(5_000);
    for (const bad of ['999', '1e4', '-5', 'soon', '86400001']) {
      expect(() => loadConfig({ HELLIO_JOB_LEASE_MS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ HELLIO_JOB_LEASE_MS: bad }), bad).toThrow(/HELLIO_JOB_LEASE_MS/);
    }
  });
});

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let h: Harness;
  /** A second runtime (its own connection or pool) on the same database: another process, in effect. */
  let h2: Harness;
  let store: Store;

  beforeAll(async () => {
    h = await createHarness(backend);
    h2 = await createHarness(backend, { database: h.database });
    store = h.rt.store;
  });
  afterAll(async () => {
    await h2?.close();
    await h?.close();
  });

  it('lets the kinds take turns at claiming first, so one backlog never keeps another waiting', async () => {
    const [a, b] = [kindOf('turn-a'), kindOf('turn-b')];
    for (let i = 0; i < 3; i++) {
      await insert(store, a);
      await insert(store, b);
    }
    const claim = (turn: number) => store.jobs.claim({ workerId: 'turns', kinds: [a, b], limit: 2, leaseMs: 60_000, now: Date.now(), turn });
    expect((await claim(0)).map((j) => j.kind)).toEqual([a, a]);
    expect((await claim(1)).map((j) => j.kind)).toEqual([b, b]);
    // A worker counts the turn up with every claim it makes (its claims run in a transaction on
    // SQLite, through that transaction's own repository: the turn cannot live in the repository).
    const seen = vi.spyOn(JobsRepo.prototype, 'claim');
    const w = worker(store, [definition(a, async () => {}), definition(b, async () => {})]);
    await w.tick();
    await w.tick();
    expect(seen.mock.calls.map(([opts]) => opts.turn)).toEqual([0, 1]);
    seen.mockRestore();
    await w.drain();
  });

  it('runs a job once and marks it done', async () => {
    const kind = kindOf('once');
    const calls: Array<{ payload: unknown; attempt: number; jobId: string }> = [];
    const w = worker(store, [definition(kind, async (payload, ctx) => void calls.push({ payload, ...ctx }))]);
    const job = await insert(store, kind, { hello: 'world' });
    await w.drain();
    await w.drain();
    // maxAttempts: the lower of the definition's (3) and the row's (10).
    expect(calls).toEqual([{ payload: { hello: 'world' }, attempt: 1, jobId: job.id, maxAttempts: 3, claim: { id: job.id, lockedBy: w.id, attempts: 1 } }]);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1, locked_by: null, locked_until: null, last_error: null });
  });

  it('retries a throwing handler later and later, keeps the error, then fails it and gives up once', async () => {
    const kind = kindOf('retry');
    const attempts: number[] = [];
    const gaveUp: Error[] = [];
    const def = definition(
      kind,
      async (_p, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error(`boom ${ctx.attempt}`);
      },
      { maxAttempts: 3, backoff: { baseMs: 200, maxMs: 10_000 }, giveUp: async (_p, err) => void gaveUp.push(err) },
    );
    const w = worker(store, [def]);
    const job = await insert(store, kind);

    const t0 = Date.now();
    await w.drain();
    const t1 = Date.now();
    let row = (await store.jobs.get(job.id))!;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'boom 1', locked_by: null, locked_until: null });
    // First retry: base × 2^0 = 200 ms, jittered into [100, 200].
    expect(row.run_at).toBeGreaterThanOrEqual(t0 + 100);
    expect(row.run_at).toBeLessThanOrEqual(t1 + 200);
    expect(attempts).toEqual([1]);
    expect(gaveUp).toEqual([]);

    // Not due yet: nothing runs.
    if (Date.now() < row.run_at - 30) {
      await w.drain();
      expect(attempts).toEqual([1]);
    }

    const runAts = [row.run_at];
    row = await until('the job to fail', async () => {
      await w.drain();
      const r = (await store.jobs.get(job.id))!;
      if (r.status === 'pending' && r.run_at !== runAts[runAts.length - 1]) runAts.push(r.run_at);
      return r.status === 'failed' ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3', locked_by: null });
    expect(attempts).toEqual([1, 2, 3]);
    expect(gaveUp.map((e) => e.message)).toEqual(['boom 3']);
    // Each retry was scheduled after the one before.
    expect(runAts.length).toBe(2);
    expect(runAts[1]!).toBeGreaterThan(runAts[0]!);

    // A failed job stays failed.
    await w.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(gaveUp).toHaveLength(1);
  });

  it('fails a PermanentFailure at once and gives up', async () => {
    const kind = kindOf('permanent');
    let calls = 0;
    const gaveUp: Error[] = [];
    const w = worker(store, [
      definition(
        kind,
        async () => {
          calls++;
          throw new PermanentFailure('no such mailbox');
        },
        { maxAttempts: 5, giveUp: async (_p, err) => void gaveUp.push(err) },
      ),
    ]);
    const job = await insert(store, kind);
    await w.drain();
    await w.drain();
    expect(calls).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'no such mailbox', locked_by: null });
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toBeInstanceOf(PermanentFailure);
  });

  it("waits at least a RetryLater's hint before the next attempt", async () => {
    const kind = kindOf('hint');
    const w = worker(store, [
      definition(kind, async () => {
        throw new RetryLater('throttled', 5_000);
      }, { backoff: { baseMs: 10, maxMs: 20 } }),
    ]);
    const job = await insert(store, kind);
    const t0 = Date.now();
    await w.drain();
    const t1 = Date.now();
    const row = (await store.jobs.get(job.id))!;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'throttled' });
    expect(row.run_at).toBeGreaterThanOrEqual(t0 + 5_000);
    expect(row.run_at).toBeLessThanOrEqual(t1 + 5_000);
  });

  it('keeps to an exact RetryLater delay, above or below what the backoff would give', async () => {
    const kind = kindOf('exact');
    let delay = 60_000;
    const w = worker(store, [
      definition(kind, async () => {
        throw new RetryLater('decided', delay, true);
      }, { backoff: { baseMs: 5_000, maxMs: 5_000 } }),
    ]);
    const job = await insert(store, kind);
    let t0 = Date.now();
    await w.drain();
    let row = (await store.jobs.get(job.id))!;
    expect(row.run_at - t0).toBeGreaterThanOrEqual(60_000);
    expect(row.run_at - Date.now()).toBeLessThanOrEqual(60_000);
    // Shorter than the backoff's 2.5–5 s: kept too.
    delay = 300;
    const second = await insert(store, kind);
    t0 = Date.now();
    await w.drain();
    row = (await store.jobs.get(second.id))!;
    expect(row.run_at - t0).toBeGreaterThanOrEqual(300);
    expect(row.run_at - Date.now()).toBeLessThanOrEqual(300);
  });

  it('runs at most groupConcurrency jobs of one group at once, other groups beside it', async () => {
    const kind = kindOf('grouped');
    const plainKind = kindOf('plain');
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    const release = gate();
    const seen: string[] = [];
    const handle: JobDefinition['handle'] = async (payload) => {
      const g = (payload as { g: string }).g;
      seen.push(g);
      running.set(g, (running.get(g) ?? 0) + 1);
      most.set(g, Math.max(most.get(g) ?? 0, running.get(g)!));
      // The slow group's jobs hold their slot until the test lets them go.
      if (g === 'slow') await release.promise;
      running.set(g, running.get(g)! - 1);
    };
    const w = worker(store, [definition(kind, handle, { groupConcurrency: 2 }), definition(plainKind, handle)], { concurrency: 8 });
    // The slow group's jobs are the oldest: a plain FIFO claim would give it every slot.
    for (let i = 0; i < 10; i++) await insert(store, kind, { g: 'slow' }, { group_key: 'slow', run_at: Date.now() - 10_000 });
    for (let i = 0; i < 4; i++) await insert(store, kind, { g: 'fast' }, { group_key: 'fast' });
    for (let i = 0; i < 3; i++) await insert(store, plainKind, { g: 'plain' });
    w.start();
    try {
      await until('the fast group and the plain jobs to finish while the slow group waits', () =>
        seen.filter((g) => g === 'fast').length === 4 && seen.filter((g) => g === 'plain').length === 3 && running.get('fast') === 0,
      );
      expect(running.get('slow')).toBe(2);
      release.open();
      await until('every slow job', () => seen.filter((g) => g === 'slow').length === 10 && running.get('slow') === 0);
    } finally {
      release.open();
      await w.stop();
    }
    expect(most.get('slow')).toBe(2);
    expect(most.get('fast')).toBeLessThanOrEqual(2);
  });

  it('claims the next job of a full group as soon as one of its jobs ends, without waiting for a poll', async () => {
    const kind = kindOf('groupwake');
    let running = 0;
    let most = 0;
    let done = 0;
    const w = worker(
      store,
      [
        definition(
          kind,
          async () => {
            most = Math.max(most, ++running);
            await sleep(20);
            running--;
            done++;
          },
          { groupConcurrency: 2 },
        ),
      ],
      // A poll far longer than the test, and many free slots: only the group's own wake can move it.
      { concurrency: 50, pollMs: 60_000 },
    );
    for (let i = 0; i < 10; i++) await insert(store, kind, {}, { group_key: 'one-endpoint' });
    w.start();
    try {
      await until('all ten jobs of the group', () => done === 10, { timeoutMs: 5_000 });
    } finally {
      await w.stop();
    }
    expect(most).toBe(2);
  });

  it("runs at most a kind's own concurrency at once, claims it again as soon as it has room, and other kinds beside it", async () => {
    const capped = kindOf('capped');
    const plainKind = kindOf('uncapped');
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const handle: JobDefinition['handle'] = async (payload) => {
      const k = (payload as { k: string }).k;
      if (k === 'capped') {
        running++;
        most = Math.max(most, running);
      }
      await sleep(30);
      if (k === 'capped') running--;
      done.push(k);
    };
    // A poll far longer than the test: only the wake on a capped job's end can keep it moving.
    const w = worker(store, [definition(capped, handle, { concurrency: 2 }), definition(plainKind, handle)], { concurrency: 50, pollMs: 60_000 });
    for (let i = 0; i < 8; i++) await insert(store, capped, { k: 'capped' });
    for (let i = 0; i < 5; i++) await insert(store, plainKind, { k: 'plain' });
    w.start();
    try {
      await until('every job', () => done.length === 13, { timeoutMs: 5_000 });
    } finally {
      await w.stop();
    }
    expect(most).toBe(2);
    // The uncapped jobs did not wait behind the capped ones.
    expect(done.slice(0, 7).filter((k) => k === 'plain')).toHaveLength(5);
  });

  it("gives up after the job row's max_attempts when it is lower than the definition's", async () => {
    const kind = kindOf('rowmax');
    const gaveUp: Error[] = [];
    const w = worker(store, [
      definition(kind, async () => {
        throw new RetryLater('busy', 10);
      }, { maxAttempts: 30, giveUp: async (_p, err) => void gaveUp.push(err) }),
    ]);
    const job = await insert(store, kind, {}, { max_attempts: 1 });
    await w.drain();
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'busy' });
    expect(gaveUp.map((e) => e.message)).toEqual(['busy']);
  });

  it('leaves a give-up that failed to a later claim instead of losing it', async () => {
    const kind = kindOf('giveupfails');
    let giveUps = 0;
    const def = definition(
      kind,
      async () => {
        throw new PermanentFailure('nope');
      },
      {
        giveUp: async () => {
          giveUps++;
          if (giveUps === 1) throw new Error('database hiccup');
        },
      },
    );
    // A short lease so the unsettled claim expires within the test.
    const w = worker(store, [def], { leaseMs: 200 });
    const job = await insert(store, kind);
    await w.drain();
    expect(giveUps).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'running', attempts: 1 });
    const row = await until('the give-up to be retried', async () => {
      await w.drain();
      const r = (await store.jobs.get(job.id))!;
      return r.status === 'failed' ? r : undefined;
    });
    expect(giveUps).toBe(2);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_error: 'nope' });
  });

  it('does not claim a scheduled job before it is due, by its own clock', async () => {
    const kind = kindOf('scheduled');
    const clock = new MovableClock();
    const ran: number[] = [];
    const w = worker(store, [definition(kind, async () => void ran.push(clock.now()))], { pollMs: 20, clock });
    // An hour ahead: the worker's clock, not a real wait, brings it due.
    const runAt = clock.now() + 3_600_000;
    const job = await insert(store, kind, {}, { run_at: runAt });

    await w.drain();
    expect(ran).toEqual([]);
    // Nor does a bare claim from anyone else just before its time.
    expect(await store.jobs.claim({ workerId: 'early', kinds: [kind], limit: 10, leaseMs: 1_000, now: runAt - 1 })).toEqual([]);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'pending', attempts: 0, locked_by: null });

    w.start();
    try {
      // While it is not due, a running worker leaves it alone, poll after poll.
      for (let i = 0; i < 5; i++) {
        await sleep(50);
        expect(ran).toEqual([]);
        expect((await store.jobs.get(job.id))!.status).toBe('pending');
      }
      clock.advance(runAt - clock.now());
      await until('the scheduled job to run', async () => (await store.jobs.get(job.id))!.status === 'done');
    } finally {
      await w.stop();
    }
    expect(ran).toHaveLength(1);
    expect(ran[0]!).toBeGreaterThanOrEqual(runAt);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
  });


  it('abandons a run that exceeds its timeout and retries it; a last timed-out attempt is given up', async () => {
    const kindA = kindOf('timeout');
    const kindB = kindOf('timeout-last');
    const attemptsA: number[] = [];
    const gaveUpB: Error[] = [];
    const never = new Promise<void>(() => {});
    const w = worker(store, [
      definition(
        kindA,
        async (_p, ctx) => {
          attemptsA.push(ctx.attempt);
          if (ctx.attempt === 1) await never;
        },
        { timeoutMs: 100, backoff: { baseMs: 20, maxMs: 40 } },
      ),
      definition(kindB, () => never, { timeoutMs: 100, maxAttempts: 2, backoff: { baseMs: 20, maxMs: 40 }, giveUp: async (_p, e) => void gaveUpB.push(e) }),
    ]);
    const a = await insert(store, kindA);
    const b = await insert(store, kindB);
    await until('both jobs to settle for good', async () => {
      await w.drain();
      const [ra, rb] = [(await store.jobs.get(a.id))!, (await store.jobs.get(b.id))!];
      return ra.status === 'done' && rb.status === 'failed';
    });
    expect(attemptsA).toEqual([1, 2]);
    expect(await store.jobs.get(a.id)).toMatchObject({ status: 'done', attempts: 2, last_error: 'timed out after 100 ms' });
    expect(await store.jobs.get(b.id)).toMatchObject({ status: 'failed', attempts: 2, last_error: 'timed out after 100 ms' });
    expect(gaveUpB).toHaveLength(1);
    expect(gaveUpB[0]!.name).toBe('Timeout');
  });

  /** 200 jobs, every execution recorded with who ran it; each handler sleeps a little so workers overlap. */
  async function race(workerStores: Store[]) {
    const kind = kindOf('race');
    const runs: Array<{ n: number; by: number }> = [];
    const workers = workerStores.map(
      (s, by) =>
        new Worker({
          store: s,
          logger: quiet,
          concurrency: 8,
          pollMs: 5,
          definitions: [
            definition(kind, async (payload) => {
              runs.push({ n: (payload as { n: number }).n, by });
              await sleep(1 + Math.random() * 4);
            }),
          ],
        }),
    );
    const rows = Array.from({ length: 200 }, (_, n) => jobRow(kind, { n }));
    await store.jobs.insertMany(rows);
    for (const w of workers) w.start();
    try {
      await until('200 executions', () => runs.length >= 200, { timeoutMs: 20_000 });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const perJob = new Map<number, number>();
    for (const r of runs) perJob.set(r.n, (perJob.get(r.n) ?? 0) + 1);
    expect([...perJob.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(perJob.size).toBe(200);
    expect(runs).toHaveLength(200);
    // Both workers took part (otherwise this proved nothing about two of them).
    for (let by = 0; by < workers.length; by++) expect(runs.filter((r) => r.by === by).length).toBeGreaterThan(0);
    const final = await Promise.all(rows.map((r) => store.jobs.get(r.id)));
    expect(final.filter((r) => r?.status !== 'done' || r.attempts !== 1)).toEqual([]);
  }

  it('runs each of 200 jobs exactly once with two workers on one store', async () => {
    await race([store, store]);
  });

  it('runs each of 200 jobs exactly once with two workers on two runtimes (separate connections)', async () => {
    await race([h.rt.store, h2.rt.store]);
  });

  it('never hands one job to two concurrent claimers', async () => {
    const kind = kindOf('claims');
    const rows = Array.from({ length: 200 }, (_, n) => jobRow(kind, { n }));
    await store.jobs.insertMany(rows);
    const claimed: string[] = [];
    // 12 claimers across both runtimes, all at once, until nothing is left.
    const claimer = async (s: Store, i: number) => {
      for (;;) {
        const got = await s.jobs.claim({ workerId: `claimer-${i}`, kinds: [kind], limit: 7, leaseMs: 60_000, now: Date.now() });
        if (got.length === 0) return;
        for (const j of got) {
          expect(j.locked_by).toBe(`claimer-${i}`);
          claimed.push(j.id);
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => claimer(i % 2 ? h2.rt.store : store, i)));
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
    const final = await Promise.all(rows.map((r) => store.jobs.get(r.id)));
    expect(final.filter((r) => r?.status !== 'running' || r.attempts !== 1)).toEqual([]);
  });

  it("lets another worker take a job over once a dead claim's lease expires, and refuses the late settle", async () => {
    const kind = kindOf('lease');
    const runs: number[] = [];
    const w = worker(store, [definition(kind, async (_p, ctx) => void runs.push(ctx.attempt))]);
    const job = await insert(store, kind);

    // A worker claims it with a short lease, then dies (never settles).
    const [claimed] = await store.jobs.claim({ workerId: 'dead-worker', kinds: [kind], limit: 10, leaseMs: 400, now: Date.now() });
    expect(claimed).toMatchObject({ id: job.id, status: 'running', attempts: 1, locked_by: 'dead-worker' });
    const leaseEnd = claimed!.locked_until!;

    // Before the lease ends, nobody else runs it.
    await w.drain();
    if (Date.now() < leaseEnd) {
      expect(runs).toEqual([]);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'running', locked_by: 'dead-worker' });
    }

    await until('the job to be taken over and done', async () => {
      await w.drain();
      return (await store.jobs.get(job.id))!.status === 'done';
    });
    expect(runs).toEqual([2]);
    const done = (await store.jobs.get(job.id))!;
    expect(done).toMatchObject({ status: 'done', attempts: 2, locked_by: null, last_error: null });

    // The dead worker comes back and reports: refused, whatever it says.
    const stale = { id: job.id, lockedBy: 'dead-worker', attempts: 1 };
    expect(await store.jobs.settle(stale, { status: 'failed', error: 'late' }, Date.now())).toBe(false);
    expect(await store.jobs.settle(stale, { status: 'pending', runAt: Date.now(), error: 'late' }, Date.now())).toBe(false);
    expect(await store.jobs.settle(stale, { status: 'done' }, Date.now())).toBe(false);
    expect(await store.jobs.get(job.id)).toEqual(done);
    await w.drain();
    expect(runs).toEqual([2]);
  });

  it('renews the claim of a long job (a call) while it runs, without stretching the lease of the other kinds', async () => {
    const long = kindOf('long');
    const short = kindOf('short');
    const runs: Array<{ by: string; attempt: number }> = [];
    const release = gate();
    const entered = gate();
    // A's lease is 300 ms; the long job runs for many of them.
    const a = worker(
      store,
      [
        definition(
          long,
          async (_p, ctx) => {
            runs.push({ by: 'A', attempt: ctx.attempt });
            entered.open();
            await release.promise;
          },
          { timeoutMs: 3_600_000, renewsLease: true },
        ),
      ],
      { leaseMs: 300 },
    );
    const b = worker(store, [definition(long, async (_p, ctx) => void runs.push({ by: 'B', attempt: ctx.attempt }))], { pollMs: 20 });
    const job = await insert(store, long);
    expect(await a.tick()).toBe(1);
    await entered.promise;
    b.start();
    await sleep(1_200);
    // Four leases later B has not taken it: A renewed its claim.
    expect(runs).toEqual([{ by: 'A', attempt: 1 }]);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'running', locked_by: a.id });
    release.open();
    await until('A to finish the job', async () => (await store.jobs.get(job.id))!.status === 'done');
    await b.stop();
    expect(runs).toEqual([{ by: 'A', attempt: 1 }]);

    // A worker with a one-hour renewing kind still leases its other kinds for their timeout + 30 s.
    const mixed = worker(store, [definition(long, async () => {}, { timeoutMs: 3_600_000, renewsLease: true }), definition(short, async () => {}, { timeoutMs: 5_000 })]);
    const shortJob = await insert(store, short);
    // On the prototype: on SQLite the claim runs in a transaction, through that transaction's repository.
    const hold = vi.spyOn(JobsRepo.prototype, 'claim');
    await mixed.tick();
    expect(hold.mock.calls[0]![0].leaseMs).toBe(35_000);
    hold.mockRestore();
    await until('the short job to be done', async () => (await store.jobs.get(shortJob.id))!.status === 'done');
  });

  it('keeps every claim in hand while its run lasts, so a lease shorter than the run never hands the job to another worker', async () => {
    const kind = kindOf('heartbeat');
    const runs: Array<{ by: string; attempt: number }> = [];
    const release = gate();
    const entered = gate();
    // A's lease is 300 ms and the kind does not ask for renewals; the run lasts many leases.
    const a = worker(
      store,
      [
        definition(kind, async (_p, ctx) => {
          runs.push({ by: 'A', attempt: ctx.attempt });
          entered.open();
          await release.promise;
        }),
      ],
      { leaseMs: 300 },
    );
    const b = worker(store, [definition(kind, async (_p, ctx) => void runs.push({ by: 'B', attempt: ctx.attempt }))], { pollMs: 20 });
    const renew = vi.spyOn(store.jobs, 'renewMany');
    const job = await insert(store, kind);
    try {
      expect(await a.tick()).toBe(1);
      await entered.promise;
      b.start();
      // Wait for A's heartbeat to have renewed the claim several times (each renewal is one lease on).
      await until('three renewals of A', () => renew.mock.calls.filter((c) => c[0] === a.id).length >= 4);
      expect(runs).toEqual([{ by: 'A', attempt: 1 }]);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'running', locked_by: a.id, attempts: 1 });
      release.open();
      await until('A to finish the job', async () => (await store.jobs.get(job.id))!.status === 'done');
      await b.stop();
      expect(runs).toEqual([{ by: 'A', attempt: 1 }]);
    } finally {
      renew.mockRestore();
      release.open();
      await a.stop();
      await b.stop();
    }
  });

  it('gives a run past its time limit as long again to finish: one that finishes then is not run again', async () => {
    const kind = kindOf('overtime');
    const runs: number[] = [];
    const overtime = gate();
    const logger: WorkerLogger = { ...quiet, warn: (_o, msg) => void (msg.includes('past its time limit') && overtime.open()) };
    const w = worker(
      store,
      [
        definition(
          kind,
          async (_p, ctx) => {
            runs.push(ctx.attempt);
            // Still at work when the limit passes (a submit_sm awaiting its answer), done in the grace.
            await overtime.promise;
          },
          { timeoutMs: 100, backoff: { baseMs: 10, maxMs: 10 } },
        ),
      ],
      { logger },
    );
    const job = await insert(store, kind);
    await w.drain();
    expect(runs).toEqual([1]);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1, last_error: null });
  });

  it('fences a slow Worker whose lease ran out: its late settle is refused and the job is not rerun', async () => {
    const kind = kindOf('fence');
    const slow = gate();
    const entered = gate();
    const runs: Array<{ by: string; attempt: number }> = [];
    // Worker A (the second runtime) holds the job far longer than its lease.
    const a = worker(
      h2.rt.store,
      [
        definition(
          kind,
          async (_p, ctx) => {
            runs.push({ by: 'A', attempt: ctx.attempt });
            entered.open();
            await slow.promise;
          },
          { timeoutMs: 20_000, backoff: { baseMs: 10, maxMs: 10 } },
        ),
      ],
      { leaseMs: 300 },
    );
    const b = worker(store, [definition(kind, async (_p, ctx) => void runs.push({ by: 'B', attempt: ctx.attempt }))], { pollMs: 20 });
    const settle = vi.spyOn(h2.rt.store.jobs, 'settle');
    // A live worker's heartbeat keeps its claims; this one's renewals do not reach the database
    // (a blocked event loop, a lost connection), so its lease runs out while its run goes on.
    const renew = vi.spyOn(h2.rt.store.jobs, 'renewMany').mockResolvedValue(0);
    try {
      const job = await insert(store, kind);
      expect(await a.tick()).toBe(1);
      await entered.promise;
      b.start();
      await until('B to take the job over', async () => (await store.jobs.get(job.id))!.status === 'done');
      await b.stop();
      const done = (await store.jobs.get(job.id))!;
      expect(done).toMatchObject({ status: 'done', attempts: 2, last_error: null });

      // A's run now fails; it tries to schedule a retry with its stale claim.
      slow.fail(new Error('too late'));
      await a.stop();
      expect(settle).toHaveBeenCalledTimes(1);
      expect(settle.mock.calls[0]![0]).toEqual({ id: job.id, lockedBy: a.id, attempts: 1 });
      expect(settle.mock.calls[0]![1]).toMatchObject({ status: 'pending', error: 'too late' });
      await expect(settle.mock.results[0]!.value).resolves.toBe(false);
      expect(await store.jobs.get(job.id)).toEqual(done);
      expect(runs).toEqual([
        { by: 'A', attempt: 1 },
        { by: 'B', attempt: 2 },
      ]);
    } finally {
      settle.mockRestore();
      renew.mockRestore();
      slow.open();
      await a.stop();
      await b.stop();
    }
  });

  it('stopping with a grace gives the claims of unfinished jobs back: due now, attempt not counted, taken at once by another worker', async () => {
    const kind = kindOf('release');
    const stuck = gate();
    const entered = gate();
    const a = worker(store, [definition(kind, async () => {
      entered.open();
      await stuck.promise;
    })], { leaseMs: 60_000 });
    try {
      const job = await insert(store, kind);
      expect(await a.tick()).toBe(1);
      await entered.promise;
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'running', attempts: 1, locked_by: a.id });
      // The job outlives the grace: its claim is released though the lease has a minute to run.
      expect(await a.stop({ graceMs: 50 })).toBe(1);
      const released = (await store.jobs.get(job.id))!;
      expect(released).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, locked_until: null });
      expect(released.run_at).toBeLessThanOrEqual(Date.now());
      const runs: number[] = [];
      const b = worker(store, [definition(kind, async (_p, ctx) => void runs.push(ctx.attempt))]);
      await b.drain();
      expect(runs).toEqual([1]);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
      // The first run's late end cannot undo that: its claim is gone.
      stuck.open();
      await sleep(20);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
    } finally {
      stuck.open();
    }
  });

  it('with retakeAt, a given-back job waits for that moment (the stopping process’s deadline, while its handler may still run)', async () => {
    const kind = kindOf('retake');
    const stuck = gate();
    const entered = gate();
    const a = worker(store, [definition(kind, async () => {
      entered.open();
      await stuck.promise;
    })], { leaseMs: 60_000 });
    try {
      const job = await insert(store, kind);
      expect(await a.tick()).toBe(1);
      await entered.promise;
      const retakeAt = Date.now() + 30_000;
      expect(await a.stop({ graceMs: 20, retakeAt })).toBe(1);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, run_at: retakeAt });
      const runs: number[] = [];
      const b = worker(store, [definition(kind, async (_p, ctx) => void runs.push(ctx.attempt))]);
      await b.drain();
      expect(runs).toEqual([]);
    } finally {
      stuck.open();
    }
  });

  it('a job failing for a passing reason while the worker stops with a grace goes back to the queue at once; a permanent failure does not', async () => {
    const kind = kindOf('stopfail');
    const go = gate();
    const entered = gate();
    let count = 0;
    const a = worker(store, [definition(kind, async (p) => {
      if (++count === 2) entered.open();
      await go.promise;
      if ((p as { permanent: boolean }).permanent) throw new PermanentFailure('refused');
      throw new Error('link closed');
    }, { backoff: { baseMs: 60_000, maxMs: 60_000 } })]);
    const passing = await insert(store, kind, { permanent: false });
    const permanent = await insert(store, kind, { permanent: true });
    expect(await a.tick()).toBe(2);
    await entered.promise;
    const stopped = a.stop({ graceMs: 5_000 });
    go.open();
    expect(await stopped).toBe(0);
    const p = (await store.jobs.get(passing.id))!;
    expect(p).toMatchObject({ status: 'pending', attempts: 0, locked_by: null });
    expect(p.run_at).toBeLessThanOrEqual(Date.now());
    expect(await store.jobs.get(permanent.id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('release leaves a claim alone once it is lost or settled', async () => {
    const kind = kindOf('release-lost');
    const job = await insert(store, kind);
    const [claimed] = await store.jobs.claim({ workerId: 'w1', kinds: [kind], limit: 1, leaseMs: 60_000, now: Date.now() });
    expect(claimed!.id).toBe(job.id);
    expect(await store.jobs.release([{ id: job.id, lockedBy: 'w2', attempts: 1 }], Date.now())).toBe(0);
    expect(await store.jobs.settle({ id: job.id, lockedBy: 'w1', attempts: 1 }, { status: 'done' }, Date.now())).toBe(true);
    expect(await store.jobs.release([{ id: job.id, lockedBy: 'w1', attempts: 1 }], Date.now())).toBe(0);
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});
