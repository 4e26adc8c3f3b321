import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { JOB_POLICIES, RECURRING } from '../../src/queue/catalogue.ts';
import { RecurringDriver } from '../../src/queue/recurring.ts';
import { retentionHandlers } from '../../src/workers/retention.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';

const PURGE_EVERY_MS = RECURRING.find((r) => r.kind === 'retention.purge')!.everyMs;

/** Recurring jobs (queue/recurring.ts): one live job per kind, whatever the number of worker processes; each run schedules the next. */
describe.each(BACKENDS)('recurring jobs on %s', (backend) => {
  const clock = new MovableClock();
  let h: Harness;
  /** A second runtime on the same database: another worker process. */
  let other: Harness;
  let db: Db;

  beforeAll(async () => {
    h = await createHarness(backend, { clock });
    other = await createHarness(backend, { clock, database: h.database });
    db = openDb(h.config);
  });
  afterAll(async () => {
    await db?.db.destroy();
    await other?.close();
    await h?.close();
  });

  const live = () =>
    db.db.selectFrom('jobs').select(['id', 'status', 'run_at']).where('kind', '=', 'retention.purge').where('status', 'in', ['pending', 'running']).execute();

  it('every recurring kind is a kind of the catalogue with a sensible interval', () => {
    expect(RECURRING.map((r) => r.kind)).toContain('retention.purge');
    for (const r of RECURRING) expect(r.everyMs).toBeGreaterThanOrEqual(1_000);
    // The worker's lease follows the longest time limit: the purge must not stretch it (how soon a dead worker's SMS are taken over).
    const others = Object.entries(JOB_POLICIES).filter(([k, p]) => k !== 'retention.purge' && !p.renewsLease);
    expect(JOB_POLICIES['retention.purge'].timeoutMs).toBeLessThanOrEqual(Math.max(...others.map(([, p]) => p.timeoutMs)));
  });

  it('two processes starting at once make one pending job, and checking again makes none', async () => {
    const drivers = [h.rt.createRecurringDriver(), other.rt.createRecurringDriver(), h.rt.createRecurringDriver(), other.rt.createRecurringDriver()];
    const made = await Promise.all(drivers.map((d) => d.ensure()));
    expect(made.reduce((a, b) => a + b, 0)).toBe(RECURRING.length);
    expect(await live()).toHaveLength(1);
    expect(await Promise.all(drivers.map((d) => d.ensure()))).toEqual([0, 0, 0, 0]);
    expect(await live()).toHaveLength(1);
  });

  it('a run schedules the next one interval later, and two workers draining at once still leave one', async () => {
    const [before] = await live();
    expect(before!.status).toBe('pending');
    const w1 = h.rt.createWorker({ pollMs: 20 });
    const w2 = other.rt.createWorker({ pollMs: 20 });
    await Promise.all([w1.drain(), w2.drain()]);
    const done = await db.db.selectFrom('jobs').select(['status']).where('id', '=', before!.id).executeTakeFirstOrThrow();
    expect(done.status).toBe('done');
    const after = await live();
    expect(after).toHaveLength(1);
    expect(after[0]!.status).toBe('pending');
    expect(after[0]!.run_at).toBeGreaterThan(clock.now() + PURGE_EVERY_MS - 60_000);
    expect(after[0]!.run_at).toBeLessThanOrEqual(clock.now() + PURGE_EVERY_MS);
    // Not due yet: nothing runs.
    expect(await w1.tick()).toBe(0);
    // Due once the interval has passed: it runs once and its successor is scheduled.
    clock.advance(PURGE_EVERY_MS + 1);
    await Promise.all([w1.drain(), w2.drain()]);
    const third = await live();
    expect(third).toHaveLength(1);
    expect(third[0]!.id).not.toBe(after[0]!.id);
    const runs = await db.db.selectFrom('jobs').select('id').where('kind', '=', 'retention.purge').where('status', '=', 'done').execute();
    expect(runs).toHaveLength(2);
  });

  it('a job given up on is replaced by the next check', async () => {
    await db.db.updateTable('jobs').set({ status: 'failed' }).where('kind', '=', 'retention.purge').where('status', '=', 'pending').execute();
    expect(await live()).toHaveLength(0);
    const driver = new RecurringDriver({ store: other.rt.store, clock, onError: (err) => { throw err; } });
    expect(await driver.ensure()).toBe(1);
    expect(await live()).toHaveLength(1);
    expect(await driver.ensure()).toBe(0);
  });

  it('a run whose claim was lost schedules nothing: the run that holds the job does', async () => {
    const [job] = await live();
    // Another worker holds the job (this run's lease expired and it was taken over).
    await db.db.updateTable('jobs').set({ status: 'running', locked_by: 'someone-else', locked_until: clock.now() + 3_600_000, attempts: 2 }).where('id', '=', job!.id).execute();
    const handler = retentionHandlers({ store: h.rt.store, clock }, h.config.retention)['retention.purge'];
    await handler.handle({}, { attempt: 1, jobId: job!.id, maxAttempts: 3, claim: { id: job!.id, lockedBy: 'me', attempts: 1 } });
    const still = await live();
    expect(still).toEqual([{ id: job!.id, status: 'running', run_at: job!.run_at }]);
  });
});
