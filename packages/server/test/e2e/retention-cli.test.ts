/**
 * Retention from the outside: `hellio retention …` run as the real binary beside an app on the
 * same database, and `hellio worker` processes keeping the recurring purge job on the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, hellio, killed, startWorker, type WorkerChild } from '../support/cli.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const STEP_TIMEOUT = 90_000;

function json(r: CliResult): any {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

describe.each(BACKENDS)('hellio retention on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  const cli = (...args: string[]) => hellio(['--json', 'retention', ...args], h.database.env);

  beforeAll(async () => {
    h = await createHarness(backend);
    a = await h.account();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("bodies: the default, an account's own days, never, back to the default; refuses nonsense and unknown accounts", { timeout: STEP_TIMEOUT }, async () => {
    expect(json(await cli('bodies', '--account', a.id))).toEqual({ account: a.id, body_retention_days: null, effective_days: 30 });
    expect(json(await cli('bodies', '--account', a.id, '--days', '5'))).toEqual({ account: a.id, body_retention_days: 5, effective_days: 5 });
    expect(json(await cli('bodies', '--account', a.id))).toEqual({ account: a.id, body_retention_days: 5, effective_days: 5 });
    expect(json(await cli('bodies', '--account', a.id, '--days', 'never'))).toEqual({ account: a.id, body_retention_days: 0, effective_days: 0 });
    expect(json(await cli('bodies', '--account', a.id, '--days', 'default'))).toEqual({ account: a.id, body_retention_days: null, effective_days: 30 });
    for (const bad of ['1.5', '99999999']) {
      const refused = await cli('bodies', '--account', a.id, '--days', bad);
      expect(refused.code, bad).not.toBe(0);
      expect(JSON.parse(refused.stderr).code, bad).toBe('validation_failed');
    }
    const missing = await cli('bodies', '--account', 'acc_00000000000000000000000000', '--days', '3');
    expect(JSON.parse(missing.stderr).code).toBe('not_found');
  });

  it('purge runs now and reports what it did', { timeout: STEP_TIMEOUT }, async () => {
    expect(json(await cli('purge'))).toMatchObject({ redacted: 0, more: false, deleted: expect.any(Object) });
  });

  it('two worker processes keep exactly one purge job on the queue', { timeout: STEP_TIMEOUT }, async () => {
    const env = { ...h.database.env, HELLIO_LOG_LEVEL: 'warn' };
    const workers: WorkerChild[] = [startWorker(env), startWorker(env)];
    try {
      const live = () => h.rt.store.jobs.countLive('retention.purge');
      const ran = async () => (await h.rt.store.jobs.countByKind('retention.purge')) - (await live());
      // Each process checks at start; the first run is due at once, and schedules the next.
      await until('the first purge run', async () => (await ran()) >= 1, { timeoutMs: 60_000 });
      expect(await live()).toBe(1);
    } finally {
      for (const w of workers) await killed(w.child, 'SIGTERM');
    }
    expect(await h.rt.store.jobs.countLive('retention.purge')).toBe(1);
  });
});
