import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';
import { until } from '../support/wait.ts';
import { keepEvents } from '../support/events.ts';

/**
 * OTP end to end through a real SMSC: the API accepts the send, the worker submits the text over
 * SMPP, the code is read from the submit_sm the SMSC received, and the API verifies it.
 */
describe.each(BACKENDS)('OTP over SMPP on %s', (backend) => {
  let h: Harness;
  let smsc: TestSmsc;

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, {
      env: {
        HELLIO_SMPP_URL: smsc.url,
        HELLIO_OTP_PUMPING_MIN_SENDS: '6',
        HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '50',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await smsc?.close();
  });

  const post = (key: string, url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: bearer(key), payload });
  const get = (key: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(key) });

  /** Runs the worker, then reads the code from the last submit_sm to `to`, as the phone would show it. */
  async function codeAtSmsc(to: string): Promise<{ code: string; text: string; sourceAddr: string; messageId: string }> {
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const submit = [...smsc.submits].reverse().find((s) => `+${s.destAddr}` === to || s.destAddr === to);
    if (!submit) throw new Error(`the SMSC received nothing for ${to}`);
    const text = submit.payload.toString('latin1');
    const code = text.match(/\d{4,10}/)?.[0];
    if (!code) throw new Error(`no code in "${text}"`);
    return { code, text, sourceAddr: submit.sourceAddr, messageId: submit.messageId! };
  }

  it('delivers the code over SMPP; the code read at the SMSC verifies, once', async () => {
    const a = await h.account();
    const to = '+14155550123';
    const sent = await post(a.key, '/otp/send', { to });
    expect(sent.statusCode).toBe(200);
    const { id, message_id } = sent.json();

    const at = await codeAtSmsc(to);
    expect(at.text).toBe(`Your verification code is ${at.code}`);
    expect(at.code).toMatch(/^\d{6}$/);
    expect(at.sourceAddr).toBe('Verify');

    // The report shows the message with the code hidden, through to the receipt.
    await smsc.sendReceipt(at.messageId, 'DELIVRD');
    const message = await until('delivered', async () => {
      const m = (await get(a.key, `/messages/${message_id}`)).json();
      return m.status === 'delivered' ? m : undefined;
    });
    expect(message.body).toBe('Your verification code is ******');
    expect(message.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);

    expect((await post(a.key, '/otp/verify', { to, code: at.code })).json()).toEqual({ id, status: 'approved', attempts_remaining: 4 });
    expectError(await post(a.key, '/otp/verify', { id, code: at.code }), 409, 'otp_already_approved');
  });

  it('bounds brute force: five wrong codes, then even the code the SMSC carried is refused', async () => {
    const a = await h.account();
    const to = '+14155550124';
    const { id } = (await post(a.key, '/otp/send', { to, length: 4 })).json();
    const { code } = await codeAtSmsc(to);
    expect(code).toMatch(/^\d{4}$/);
    const guesses = ['0000', '1111', '2222', '3333', '4444', '5555', '6666'].filter((g) => g !== code).slice(0, 5);
    const answers = [];
    for (const g of guesses) answers.push((await post(a.key, '/otp/verify', { id, code: g })).json());
    expect(answers.map((r) => [r.status, r.attempts_remaining])).toEqual([
      ['pending', 4],
      ['pending', 3],
      ['pending', 2],
      ['pending', 1],
      ['max_attempts_reached', 0],
    ]);
    expect((await post(a.key, '/otp/verify', { id, code })).json()).toEqual({ id, status: 'max_attempts_reached', attempts_remaining: 0 });
  });

  it('the pumping defence pauses a prefix of unverified sends, explains itself, and sends nothing more there', async () => {
    const a: TestAccount = await h.account();
    await keepEvents(h.rt, a.id);
    const number = (i: number) => `+4474001231${String(i).padStart(2, '0')}`; // prefix "447400"
    for (let i = 0; i < 5; i++) expect((await post(a.key, '/otp/send', { to: number(i) })).statusCode).toBe(200);
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const submitted = () => smsc.submits.filter((s) => s.destAddr.includes('447400')).length;
    expect(submitted()).toBe(5);

    const refused = await post(a.key, '/otp/send', { to: number(5) });
    const err = expectError(refused, 429, 'otp_prefix_blocked');
    expect(err.message).toContain('+447400…');
    expect(err.message).toContain('6 codes sent');
    expect(err.message).toContain('0 verified (0%)');
    expect(err.message).toContain('suspected SMS pumping');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);

    const [event] = await h.rt.store.events.list(a.id, { type: 'otp.prefix_blocked', limit: 1 });
    expect(JSON.parse(event!.payload)).toMatchObject({ type: 'otp.prefix_blocked', data: { prefix: '+447400', sends: 6, approvals: 0 } });
    expectError(await post(a.key, '/otp/send', { to: number(6) }), 429, 'otp_prefix_blocked');
    await h.rt.createWorker({ pollMs: 10 }).drain();
    expect(submitted()).toBe(5);
  });
});
