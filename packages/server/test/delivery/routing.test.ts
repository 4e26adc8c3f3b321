import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChannels } from '../../src/providers/channels.ts';
import type { SmsProvider, SmsReceipt, SmsSubmit, SmsSubmitResult } from '../../src/providers/sms/sms-provider.ts';
import { connectionless } from '../../src/providers/provider-state.ts';
import { RetryLater } from '../../src/queue/job-definition.ts';
import { deliveryHandlers } from '../../src/workers/deliver.ts';
import { setRoute } from '../../src/modules/messages/routing.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

/** A provider whose answer the test sets; it records what it was given. */
class ScriptedProvider implements SmsProvider {
  readonly submitted: SmsSubmit[] = [];
  answer: SmsSubmitResult = { ok: true, providerMessageIds: [] };
  constructor(readonly name: string) {}
  onReceipt(_h: (r: SmsReceipt) => void): void {}
  state() {
    return connectionless('simulator');
  }
  async submit(msg: SmsSubmit): Promise<SmsSubmitResult> {
    this.submitted.push(msg);
    return this.answer.ok ? { ok: true, providerMessageIds: [`${this.name}-${this.submitted.length}-${msg.messageId}`] } : this.answer;
  }
  async close(): Promise<void> {}
}

describe.each(BACKENDS)('SMS routing and failover on %s', (backend) => {
  let h: Harness;
  const alpha = new ScriptedProvider('alpha');
  const beta = new ScriptedProvider('beta');
  const dflt = new ScriptedProvider('default');
  const sandbox = new ScriptedProvider('sandbox');
  let deliver: (messageId: string) => Promise<void>;
  let handler: ReturnType<typeof deliveryHandlers>['deliver.sms'];
  /** A direct handle on the same database, for the jobs. */
  let db: Db;

  beforeAll(async () => {
    h = await createHarness(backend);
    db = openDb(h.config);
    const channels = makeChannels({
      sms: [alpha, beta, dflt],
      defaultSms: 'default',
      smsSandbox: sandbox,
      voice: [...h.rt.channels.voice.values()],
      defaultVoice: h.rt.channels.defaultVoice,
      voiceSandbox: h.rt.channels.voiceSandbox,
      emailLive: h.rt.channels.email(false),
      emailSandbox: h.rt.channels.email(true),
    });
    const def = (handler = deliveryHandlers({ store: h.rt.store, channels, clock: h.rt.clock })['deliver.sms']);
    deliver = (id) => def.handle({ message_id: id }, { attempt: 1, jobId: 'job_test', maxAttempts: 30, claim: { id: 'job_test', lockedBy: 'test', attempts: 1 } });
    const known = () => ['alpha', 'beta', 'default'];
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '44', provider: 'alpha', fallback: 'beta' });
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '447', provider: 'beta', fallback: null });
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '33', provider: 'alpha', fallback: null });
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
  });

  const reset = () => {
    for (const p of [alpha, beta, dflt, sandbox]) {
      p.submitted.length = 0;
      p.answer = { ok: true, providerMessageIds: [] };
    }
  };
  async function accept(to: string, test = false): Promise<{ id: string; key: string }> {
    const a = await h.account({ test });
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to, message: 'hi' } });
    return { id: res.json().messages[0].id, key: a.key };
  }
  const message = async (key: string, id: string) => (await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(key) })).json();
  const provider = async (id: string) => (await h.rt.store.delivery.getMessage(id))!.provider;

  it('uses the default provider when no route matches', async () => {
    reset();
    const { id } = await accept('+14155552671');
    await deliver(id);
    expect(dflt.submitted).toHaveLength(1);
    expect(await provider(id)).toBe('default');
  });

  it('follows the longest matching prefix', async () => {
    reset();
    const uk = await accept('+442071838750'); // 44 → alpha
    const ukMobile = await accept('+447911123456'); // 447 → beta
    await deliver(uk.id);
    await deliver(ukMobile.id);
    expect(await provider(uk.id)).toBe('alpha');
    expect(await provider(ukMobile.id)).toBe('beta');
  });

  it('fails over to the fallback when the first provider cannot take the message now', async () => {
    reset();
    alpha.answer = { ok: false, retryable: true, error: 'throttled', code: 'ESME_RTHROTTLED', retryAfterMs: 1000 };
    const { id, key } = await accept('+442071838750');
    await deliver(id);
    expect(alpha.submitted).toHaveLength(1);
    expect(beta.submitted).toHaveLength(1);
    expect(await provider(id)).toBe('beta');
    expect((await message(key, id)).status).toBe('sent');
  });

  const jobOf = (messageId: string) => db.db.selectFrom('jobs').selectAll().where('payload', '=', JSON.stringify({ message_id: messageId })).executeTakeFirstOrThrow();
  /** Runs the message's own job as a worker would (claimed, attempt `attempt` of `maxAttempts`). */
  async function runJob(messageId: string, attempt: number, maxAttempts: number) {
    const job = await jobOf(messageId);
    await db.db.updateTable('jobs').set({ status: 'running', locked_by: 'test', attempts: attempt }).where('id', '=', job.id).execute();
    return handler.handle({ message_id: messageId }, { attempt, jobId: job.id, maxAttempts, claim: { id: job.id, lockedBy: 'test', attempts: attempt } });
  }

  it('retries later, with the first provider\'s hint, when every provider of the route fails for now', async () => {
    reset();
    alpha.answer = { ok: false, retryable: true, error: 'throttled', code: 'ESME_RTHROTTLED', retryAfterMs: 60_000 };
    beta.answer = { ok: false, retryable: true, error: 'connection refused' };
    const { id, key } = await accept('+442071838750');
    const before = Date.now();
    await runJob(id, 1, 30);
    // The job is due again no sooner than the hint, and the timeline says so, with both answers.
    const job = await jobOf(id);
    expect(job).toMatchObject({ status: 'pending', locked_by: null, last_error: 'alpha: throttled' });
    expect(job.run_at).toBeGreaterThanOrEqual(before + 60_000);
    const m = await message(key, id);
    expect(m).toMatchObject({ status: 'sending', error: null });
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'retrying']);
    expect(m.events[2]).toMatchObject({
      detail: 'alpha: ESME_RTHROTTLED throttled; beta: connection refused',
      attempt: 1,
      next_attempt_at: new Date(job.run_at).toISOString(),
    });
  });

  it('leaves the last attempt\'s failure to the worker, which gives up; a lost claim records nothing', async () => {
    reset();
    alpha.answer = { ok: false, retryable: true, error: 'throttled', retryAfterMs: 1500 };
    beta.answer = { ok: false, retryable: true, error: 'connection refused' };
    const { id, key } = await accept('+442071838750');
    const err = await runJob(id, 3, 3).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLater);
    expect((err as RetryLater).retryAfterMs).toBe(1500);
    // A run whose claim is not the job's (its lease ran out, another worker has it) schedules nothing and writes no entry.
    await deliver(id);
    const m = await message(key, id);
    expect(m.status).toBe('sending');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending']);
  });

  it('does not fail over on a permanent refusal: the message fails and is refunded', async () => {
    reset();
    alpha.answer = { ok: false, retryable: false, error: 'invalid destination', code: 'ESME_RINVDSTADR' };
    const { id, key } = await accept('+442071838750');
    await deliver(id);
    expect(beta.submitted).toHaveLength(0);
    const m = await message(key, id);
    expect(m.status).toBe('failed');
    expect(m.error).toContain('ESME_RINVDSTADR');
  });

  it('always gives sandbox messages to the sandbox simulator, whatever the routes', async () => {
    reset();
    const { id } = await accept('+442071838750', true);
    await deliver(id);
    expect(sandbox.submitted).toHaveLength(1);
    expect(alpha.submitted).toHaveLength(0);
  });

  it('refuses routes to providers it does not know', async () => {
    await expect(setRoute(h.rt.ctx, () => ['alpha'], { channel: 'sms', prefix: '49', provider: 'nope', fallback: null })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(setRoute(h.rt.ctx, () => ['alpha'], { channel: 'sms', prefix: '+49', provider: 'alpha', fallback: null })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(setRoute(h.rt.ctx, () => ['alpha'], { channel: 'sms', prefix: '49', provider: 'alpha', fallback: 'alpha' })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
