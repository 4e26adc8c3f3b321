import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChannels } from '../../src/providers/channels.ts';
import type { SmsProvider, SmsReceipt, SmsSubmit, SmsSubmitResult } from '../../src/providers/sms/sms-provider.ts';
import { connectionless } from '../../src/providers/provider-state.ts';
import { RetryLater } from '../../src/queue/job-definition.ts';
import { deliveryHandlers } from '../../src/workers/deliver.ts';
import { setRoute } from '../../src/modules/messages/routing.ts';
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

  beforeAll(async () => {
    h = await createHarness(backend);
    const channels = makeChannels({
      sms: [alpha, beta, dflt],
      defaultSms: 'default',
      smsSandbox: sandbox,
      emailLive: h.rt.channels.email(false),
      emailSandbox: h.rt.channels.email(true),
    });
    const def = deliveryHandlers({ store: h.rt.store, channels, clock: h.rt.clock })['deliver.sms'];
    deliver = (id) => def.handle({ message_id: id }, { attempt: 1, jobId: 'job_test', maxAttempts: 30, claim: { id: 'job_test', lockedBy: 'test', attempts: 1 } });
    const known = ['alpha', 'beta', 'default'];
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '44', provider: 'alpha', fallback: 'beta' });
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '447', provider: 'beta', fallback: null });
    await setRoute(h.rt.ctx, known, { channel: 'sms', prefix: '33', provider: 'alpha', fallback: null });
  });
  afterAll(async () => h?.close());

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

  it('retries later, with the first provider\'s hint, when every provider of the route fails for now', async () => {
    reset();
    alpha.answer = { ok: false, retryable: true, error: 'throttled', retryAfterMs: 1500 };
    beta.answer = { ok: false, retryable: true, error: 'connection refused' };
    const { id, key } = await accept('+442071838750');
    const err = await deliver(id).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLater);
    expect((err as RetryLater).retryAfterMs).toBe(1500);
    expect((await message(key, id)).status).toBe('sending');
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
    await expect(setRoute(h.rt.ctx, ['alpha'], { channel: 'sms', prefix: '49', provider: 'nope', fallback: null })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(setRoute(h.rt.ctx, ['alpha'], { channel: 'sms', prefix: '+49', provider: 'alpha', fallback: null })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(setRoute(h.rt.ctx, ['alpha'], { channel: 'sms', prefix: '49', provider: 'alpha', fallback: 'alpha' })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
