import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { setOtpCountries } from '../../src/modules/otp/admin.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, rawSql } from '../support/http-assert.ts';
import { until } from '../support/wait.ts';
import { keepEvents } from '../support/events.ts';

/**
 * POST /otp/send and POST /otp/verify through the whole app on the simulated network: the code
 * is read from what the simulated phone (or mailbox) received, as a user would read it.
 */

// Limits low enough to reach in a test; each account has its own counters, so tests do not meet.
const ENV = {
  HELLIO_OTP_PER_IP_PER_HOUR: '6',
  HELLIO_OTP_PER_DESTINATION_PER_HOUR: '5',
  HELLIO_OTP_PUMPING_MIN_SENDS: '8',
  HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '50',
  HELLIO_OTP_PUMPING_PREFIX_DIGITS: '6',
  HELLIO_OTP_PUMPING_BLOCK_SECONDS: '600',
};

const ID = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix}_[0-9a-z]{26}$`));
const RFC3339 = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

let serial = 0;
/** A number no other test uses (+1 415 555 …, prefix "141555"). */
const freshNumber = () => `+1415555${String(1000 + serial++).padStart(4, '0')}`;

describe.each(BACKENDS)('OTP on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: ENV });
  });
  afterAll(async () => {
    await h?.close();
  });

  // Each request comes from its own address unless a test names one, so that only the per-address
  // test meets the (low) per-address limit.
  let hosts = 0;
  const post = (key: string, url: string, payload: unknown, opts: { headers?: Record<string, string>; ip?: string } = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(key), ...opts.headers },
      payload: payload as object,
      remoteAddress: opts.ip ?? `10.${Math.floor(++hosts / 65536) % 256}.${Math.floor(hosts / 256) % 256}.${hosts % 256}`,
    });
  const send = (key: string, payload: unknown, opts: { headers?: Record<string, string>; ip?: string } = {}) => post(key, '/otp/send', payload, opts);
  const verify = (key: string, payload: unknown) => post(key, '/otp/verify', payload);
  const get = (key: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(key) });
  const sql = (statement: string) => rawSql(h.database.env, statement);
  /** Moves the last send back past the 30 s cooldown, as if the user had waited. */
  const waitOutCooldown = (id: string) => sql(`update otp_verifications set last_sent_at = last_sent_at - 31000 where id = '${id}'`);
  const expire = (id: string) => sql(`update otp_verifications set expires_at = ${Date.now() - 1000} where id = '${id}'`);

  /** Delivers what is queued and returns the code in the newest text the destination received. */
  async function receivedCode(to: string): Promise<string> {
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const [latest] = await h.rt.store.delivery.inbox({ recipient: to, limit: 1 });
    const code = latest?.body.match(/\d{4,10}/g)?.pop();
    if (!code) throw new Error(`no code reached ${to} (inbox: ${JSON.stringify(latest)})`);
    return code;
  }

  const wrongCode = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

  describe('send and verify', () => {
    // An account per test: the pumping defence watches an account's sends to a prefix.
    let a: TestAccount;
    beforeEach(async () => {
      a = await h.account();
      await keepEvents(h.rt, a.id);
    });

    it('sends a code by SMS, charges it like an SMS, and approves the right code once', async () => {
      const to = freshNumber();
      const before = (await h.rt.store.wallet.balance(a.id))!;
      const res = await send(a.key, { to });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        id: ID('otp'),
        status: 'pending',
        to,
        channel: 'sms',
        sends: 1,
        attempts_remaining: 5,
        message_id: ID('msg'),
        sandbox: false,
        expires_at: RFC3339,
        approved_at: null,
        created_at: RFC3339,
        updated_at: RFC3339,
        price: '0.0080',
        currency: 'USD',
      });
      const ttl = Date.parse(body.expires_at) - Date.parse(body.created_at);
      expect(ttl).toBe(600_000);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(before - 8_000);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(before - 8_000);

      const code = await receivedCode(to);
      expect(code).toMatch(/^\d{6}$/);
      const [received] = await h.rt.store.delivery.inbox({ recipient: to, limit: 1 });
      expect(received!.body).toBe(`Your verification code is ${code}`);
      expect(received!.sender).toBe('Verify');

      const ok = await verify(a.key, { id: body.id, code });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ id: body.id, status: 'approved', attempts_remaining: 4 });

      // The approval is an event, in the shape the API shows a verification.
      const [event] = await h.rt.store.events.list(a.id, { type: 'otp.approved', limit: 5 });
      const payload = JSON.parse(event!.payload);
      expect(payload.data).toMatchObject({ id: body.id, status: 'approved', to, channel: 'sms', approved_at: RFC3339 });
      expect(JSON.stringify(payload)).not.toContain(code);

      // The same code again, by id or by destination: refused.
      expectError(await verify(a.key, { id: body.id, code }), 409, 'otp_already_approved');
      expectError(await verify(a.key, { to, code }), 409, 'otp_already_approved');
      expect((await h.rt.store.events.list(a.id, { type: 'otp.approved', limit: 5 })).length).toBe(1);
    });

    it('shows message bodies with the code redacted in reports and events; the code is stored nowhere in clear', async () => {
      const to = freshNumber();
      const res = await send(a.key, { to, length: 8, template: 'Acme: {code} is your code. Never share {code}.' });
      const { id, message_id } = res.json();
      const code = await receivedCode(to);
      expect(code).toMatch(/^\d{8}$/);
      const [received] = await h.rt.store.delivery.inbox({ recipient: to, limit: 1 });
      expect(received!.body).toBe(`Acme: ${code} is your code. Never share ${code}.`);

      const redacted = 'Acme: ******** is your code. Never share ********.';
      // The simulated network's receipt is a job due a moment after the send; the timeline ends with it.
      const one = await until('the delivery receipt', async () => {
        await h.rt.createWorker({ pollMs: 10 }).drain();
        const m = (await get(a.key, `/messages/${message_id}`)).json();
        return m.status === 'delivered' ? m : undefined;
      });
      expect(one).toMatchObject({ id: message_id, channel: 'sms', body: redacted, reference: id, status: 'delivered', segments: 1, encoding: 'GSM-7' });
      const list = (await get(a.key, `/messages?to=${encodeURIComponent(to)}`)).json();
      expect(list.data.map((m: { body: string }) => m.body)).toEqual([redacted]);
      const events = await h.rt.store.events.list(a.id, { limit: 100 });
      const mine = events.filter((e) => JSON.parse(e.payload).data?.id === message_id);
      expect(mine.map((e) => e.type).sort()).toEqual(['message.delivered', 'message.queued', 'message.sent']);
      for (const e of mine) expect(JSON.parse(e.payload).data.body).toBe(redacted);

      const row = (await h.rt.store.otp.get(a.id, id))!;
      const message = (await h.rt.store.messages.get(a.id, message_id))!;
      for (const stored of [JSON.stringify(row), JSON.stringify(message), ...events.map((e) => e.payload)]) {
        expect(stored).not.toContain(code);
      }
      expect(row.code_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Generated once and kept in the database, since HELLIO_OTP_SECRET is not set here.
      expect(await h.rt.store.secrets.get('otp')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await verify(a.key, { to, code })).json().status).toBe('approved');
    });

    it('bounds wrong guesses: five attempts, then max_attempts_reached even for the right code', async () => {
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      const code = await receivedCode(to);
      const wrong = wrongCode(code);
      for (let left = 4; left >= 1; left--) {
        expect((await verify(a.key, { id, code: wrong })).json()).toEqual({ id, status: 'pending', attempts_remaining: left });
      }
      expect((await verify(a.key, { id, code: wrong })).json()).toEqual({ id, status: 'max_attempts_reached', attempts_remaining: 0 });
      expect((await verify(a.key, { id, code })).json()).toEqual({ id, status: 'max_attempts_reached', attempts_remaining: 0 });
      expect((await h.rt.store.otp.get(a.id, id))!.attempts).toBe(5);
    });

    it('concurrent guesses cannot spend more than five attempts', async () => {
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      const code = await receivedCode(to);
      const answers = await Promise.all(Array.from({ length: 20 }, () => verify(a.key, { id, code: wrongCode(code) })));
      expect(answers.every((r) => r.statusCode === 200)).toBe(true);
      const statuses = answers.map((r) => r.json().status);
      expect(answers.map((r) => r.json().attempts_remaining).sort()).toEqual([...Array(16).fill(0), 1, 2, 3, 4]);
      expect(statuses.filter((s) => s === 'pending')).toHaveLength(4);
      expect(statuses.filter((s) => s === 'max_attempts_reached')).toHaveLength(16);
      expect((await h.rt.store.otp.get(a.id, id))!.attempts).toBe(5);
      expect((await verify(a.key, { id, code })).json().status).toBe('max_attempts_reached');
    });

    it('an expired code answers expired, and the next send starts a new verification', async () => {
      const to = freshNumber();
      const first = (await send(a.key, { to, expires_in: 60 })).json();
      expect(Date.parse(first.expires_at) - Date.parse(first.created_at)).toBe(60_000);
      const code = await receivedCode(to);
      await expire(first.id);
      expect((await verify(a.key, { id: first.id, code })).json()).toEqual({ id: first.id, status: 'expired', attempts_remaining: 5 });
      expect((await verify(a.key, { id: first.id, code })).json().status).toBe('expired');
      const second = (await send(a.key, { to })).json();
      expect(second.id).not.toBe(first.id);
      expect(second.sends).toBe(1);
      expect((await verify(a.key, { to, code: await receivedCode(to) })).json()).toEqual({ id: second.id, status: 'approved', attempts_remaining: 4 });
    });

    it('a resend inside the cooldown is refused with Retry-After and costs nothing', async () => {
      const to = freshNumber();
      const first = (await send(a.key, { to })).json();
      const balance = await h.rt.store.wallet.balance(a.id);
      const res = await send(a.key, { to });
      const err = expectError(res, 429, 'otp_cooldown');
      expect(err.message).toMatch(/in \d+ s/);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(30);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(balance);
      expect((await h.rt.store.otp.get(a.id, first.id))!.sends).toBe(1);
    });

    it('a resend after the cooldown reuses the pending verification with a new code', async () => {
      const to = freshNumber();
      const first = (await send(a.key, { to })).json();
      const oldCode = await receivedCode(to);
      await waitOutCooldown(first.id);
      const again = await send(a.key, { to });
      expect(again.statusCode).toBe(200);
      const second = again.json();
      expect(second).toMatchObject({ id: first.id, status: 'pending', sends: 2 });
      expect(second.message_id).not.toBe(first.message_id);
      const newCode = await receivedCode(to);
      // The superseded code no longer works (unless the new one happens to be equal).
      if (newCode !== oldCode) expect((await verify(a.key, { id: first.id, code: oldCode })).json().status).toBe('pending');
      expect((await verify(a.key, { id: first.id, code: newCode })).json().status).toBe('approved');
    });

    it('sends one verification at most five times', async () => {
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      for (let n = 2; n <= 5; n++) {
        await waitOutCooldown(id);
        expect((await send(a.key, { to })).json()).toMatchObject({ id, sends: n });
      }
      await waitOutCooldown(id);
      const res = await send(a.key, { to });
      const err = expectError(res, 429, 'otp_max_sends');
      expect(err.message).toContain(id);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(30);
      expect(retryAfter).toBeLessThanOrEqual(600);
    });

    it('sends by email from an approved address, and verifies by destination', async () => {
      const to = 'Someone@Example.org';
      const res = await send(a.key, { to, channel: 'email', sender: 'Security <security@example.com>', length: 4 });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ channel: 'email', to: 'someone@example.org', price: '0.0010' });
      const code = await receivedCode('someone@example.org');
      expect(code).toMatch(/^\d{4}$/);
      const [mail] = await h.rt.store.delivery.inbox({ recipient: 'someone@example.org', limit: 1 });
      expect(mail!.subject).toBe('Your verification code');
      expect(mail!.sender).toBe('Security <security@example.com>');
      expect(mail!.body).toContain(`Your verification code is ${code}`);
      const message = (await h.rt.store.messages.get(a.id, body.message_id))!;
      expect(`${message.body}${message.payload}`).not.toContain(code);
      expect(message.body).toContain('****');
      expect((await verify(a.key, { to: 'someone@EXAMPLE.org', code })).json()).toEqual({ id: body.id, status: 'approved', attempts_remaining: 4 });
    });

    it('replays an Idempotency-Key without sending twice', async () => {
      const to = freshNumber();
      const headers = { 'idempotency-key': `otp-${to}` };
      const first = await send(a.key, { to }, { headers });
      expect(first.statusCode).toBe(200);
      const replay = await send(a.key, { to }, { headers });
      expect(replay.statusCode).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());
      expect((await h.rt.store.otp.get(a.id, first.json().id))!.sends).toBe(1);
      expect((await get(a.key, `/messages?to=${encodeURIComponent(to)}`)).json().data).toHaveLength(1);
      expectError(await send(a.key, { to, length: 8 }, { headers }), 422, 'idempotency_key_reused');
    });
  });

  describe('defences', () => {
    it('limits sends per source address', async () => {
      const a = await h.account();
      const ip = '203.0.113.7';
      for (let i = 0; i < 6; i++) expect((await send(a.key, { to: freshNumber() }, { ip })).statusCode).toBe(200);
      const res = await send(a.key, { to: freshNumber() }, { ip });
      const err = expectError(res, 429, 'rate_limited');
      expect(err.message).toContain('203.0.113.7');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await send(a.key, { to: freshNumber() }, { ip: '203.0.113.8' })).statusCode).toBe(200);
    });

    it('limits sends per destination, across verifications', async () => {
      const a = await h.account();
      const to = freshNumber();
      for (let i = 0; i < 5; i++) {
        const res = await send(a.key, { to }, { ip: `198.51.100.${i}` });
        expect(res.statusCode).toBe(200);
        await expire(res.json().id);
      }
      const res = await send(a.key, { to }, { ip: '198.51.100.99' });
      const err = expectError(res, 429, 'rate_limited');
      expect(err.message).toContain(to);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await send(a.key, { to: freshNumber() }, { ip: '198.51.100.99' })).statusCode).toBe(200);
    });

    it('refuses countries outside the account\'s allowed list', async () => {
      const a = await h.account();
      expect((await send(a.key, { to: '+447400123456' })).statusCode).toBe(200);
      await setOtpCountries(h.rt.ctx, a.id, 'us,ca');
      const err = expectError(await send(a.key, { to: '+447400123457' }), 403, 'country_not_allowed');
      expect(err.message).toContain('GB');
      expect(err.message).toContain('CA, US');
      expect((await send(a.key, { to: freshNumber() })).statusCode).toBe(200);
      await setOtpCountries(h.rt.ctx, a.id, 'all');
      expect((await send(a.key, { to: '+447400123458' })).statusCode).toBe(200);
    });

    it('pauses a prefix whose sends climb while verifications stay low, and says why', async () => {
      const a = await h.account();
      await keepEvents(h.rt, a.id);
      const number = (i: number) => `+1202555${String(2000 + i)}`; // prefix "120255"
      for (let i = 0; i < 7; i++) expect((await send(a.key, { to: number(i) }, { ip: `192.0.2.${i}` })).statusCode).toBe(200);
      const balance = await h.rt.store.wallet.balance(a.id);
      const res = await send(a.key, { to: number(7) }, { ip: '192.0.2.7' });
      const err = expectError(res, 429, 'otp_prefix_blocked');
      expect(err.message).toMatch(/\+120255… are paused until .+: 8 codes sent to \+120255… in the last 60 min and 0 verified \(0%\), under the 50% expected — suspected SMS pumping/);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(balance);

      const [event] = await h.rt.store.events.list(a.id, { type: 'otp.prefix_blocked', limit: 5 });
      expect(JSON.parse(event!.payload).data).toMatchObject({ prefix: '+120255', sends: 8, approvals: 0, min_sends: 8, min_approval_percent: 50 });
      expect(JSON.parse(event!.payload).data.reason).toContain('suspected SMS pumping');
      const blocks = await h.rt.store.otp.blocks(a.id, Date.now());
      expect(blocks.map((b) => [b.prefix, b.reason])).toEqual([['120255', JSON.parse(event!.payload).data.reason]]);

      // Still paused for the next number of the range; other prefixes and other accounts are not.
      expectError(await send(a.key, { to: number(8) }, { ip: '192.0.2.8' }), 429, 'otp_prefix_blocked');
      expect((await send(a.key, { to: freshNumber() }, { ip: '192.0.2.9' })).statusCode).toBe(200);
      const b = await h.account();
      expect((await send(b.key, { to: number(9) })).statusCode).toBe(200);

      // Once the pause is over the prefix counts afresh: no new block on the old figures.
      await sql(`update otp_prefix_blocks set blocked_until = ${Date.now() - 1} where account_id = '${a.id}'`);
      const after = await send(a.key, { to: number(10) }, { ip: '192.0.2.10' });
      expect(after.statusCode, after.body).toBe(200);
    });

    it('leaves a prefix open while its codes are being verified', async () => {
      const a = await h.account();
      const number = (i: number) => `+1312555${String(3000 + i)}`;
      for (let i = 0; i < 10; i++) {
        const res = await send(a.key, { to: number(i) }, { ip: `192.0.2.${100 + i}` });
        expect(res.statusCode).toBe(200);
        expect((await verify(a.key, { id: res.json().id, code: await receivedCode(number(i)) })).json().status).toBe('approved');
      }
      expect(await h.rt.store.otp.blocks(a.id, Date.now())).toEqual([]);
    });
  });

  describe('the secret', () => {
    it('is generated once and shared: another process on the same database verifies the code', async () => {
      const a = await h.account();
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      const code = await receivedCode(to);
      const other = await createHarness(backend, { env: ENV, database: h.database });
      try {
        expect(await other.rt.store.secrets.get('otp')).toBe(await h.rt.store.secrets.get('otp'));
        const res = await other.app.inject({ method: 'POST', url: '/otp/verify', headers: bearer(a.key), payload: { id, code } });
        expect(res.json()).toEqual({ id, status: 'approved', attempts_remaining: 4 });
      } finally {
        await other.close();
      }
    });

    it('HELLIO_OTP_SECRET replaces it: codes hashed under another secret do not match', async () => {
      const a = await h.account();
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      const code = await receivedCode(to);
      const other = await createHarness(backend, { env: { ...ENV, HELLIO_OTP_SECRET: 'x'.repeat(40) }, database: h.database });
      try {
        const res = await other.app.inject({ method: 'POST', url: '/otp/verify', headers: bearer(a.key), payload: { id, code } });
        expect(res.json()).toEqual({ id, status: 'pending', attempts_remaining: 4 });
      } finally {
        await other.close();
      }
      expect((await verify(a.key, { id, code })).json().status).toBe('approved');
    });

    it('a worker whose secret cannot open a queued code fails the message and refunds it, sending nothing', async () => {
      const a = await h.account();
      const to = freshNumber();
      const before = (await h.rt.store.wallet.balance(a.id))!;
      const { message_id } = (await send(a.key, { to })).json();
      const other = await createHarness(backend, { env: { ...ENV, HELLIO_OTP_SECRET: 'y'.repeat(40) }, database: h.database });
      try {
        await other.rt.createWorker({ pollMs: 10 }).drain();
      } finally {
        await other.close();
      }
      const m = (await get(a.key, `/messages/${message_id}`)).json();
      expect(m.status).toBe('failed');
      expect(m.error).toContain('HELLIO_OTP_SECRET');
      expect(await h.rt.store.delivery.inbox({ recipient: to, limit: 1 })).toEqual([]);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(before);
    });
  });

  it("uses the operator's default senders when a request names none (no approval needed)", async () => {
    const a = await h.account();
    const other = await createHarness(backend, {
      env: { ...ENV, HELLIO_OTP_SMS_FROM: 'ACME', HELLIO_OTP_EMAIL_FROM: 'Acme Codes <codes@acme.example>' },
      database: h.database,
    });
    try {
      const to = freshNumber();
      const sms = await other.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to } });
      expect(sms.statusCode).toBe(200);
      const mail = await other.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to: 'x@example.org', channel: 'email' } });
      expect(mail.statusCode).toBe(200);
      await other.rt.createWorker({ pollMs: 10 }).drain();
      expect((await other.rt.store.delivery.inbox({ recipient: to, limit: 1 }))[0]!.sender).toBe('ACME');
      expect((await other.rt.store.delivery.inbox({ recipient: 'x@example.org', limit: 1 }))[0]!.sender).toBe('Acme Codes <codes@acme.example>');
      // A sender the request names must still be approved.
      const named = await other.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to: freshNumber(), sender: 'ACME' } });
      expectError(named, 422, 'sender_not_approved');
    } finally {
      await other.close();
    }
  });

  describe('errors', () => {
    it('401 without a key or with a wrong one', async () => {
      for (const url of ['/otp/send', '/otp/verify']) {
        expectError(await h.app.inject({ method: 'POST', url, payload: { to: freshNumber(), code: '123456' } }), 401, 'missing_credentials');
        expectError(await post(`cs_${'A'.repeat(64)}`, url, { to: freshNumber(), code: '123456' }), 401, 'invalid_credentials');
      }
    });

    it('403 for a key without the otp scope', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'sms:send,reports' });
      const sent = expectError(await send(k.key, { to: freshNumber() }), 403, 'insufficient_scope');
      expect(sent.message).toContain('otp');
      expectError(await verify(k.key, { to: freshNumber(), code: '123456' }), 403, 'insufficient_scope');
    });

    it('422 for malformed sends, naming the field, and nothing is written', async () => {
      const a = await h.account();
      const cases: Array<[unknown, string]> = [
        [{}, 'to'],
        [{ to: '4155552671' }, 'to'],
        [{ to: '+1415555' }, 'to'],
        [{ to: freshNumber(), length: 3 }, 'length'],
        [{ to: freshNumber(), length: 11 }, 'length'],
        [{ to: freshNumber(), expires_in: 59 }, 'expires_in'],
        [{ to: freshNumber(), expires_in: 3601 }, 'expires_in'],
        [{ to: freshNumber(), channel: 'fax' }, 'channel'],
        [{ to: freshNumber(), template: 'no code here' }, 'template'],
        [{ to: freshNumber(), template: `{code}${'x'.repeat(1600)}` }, 'template'],
        [{ to: freshNumber(), sender: 'not a valid sender!' }, 'sender'],
        [{ to: freshNumber(), cc: 'x' }, 'cc'],
        [{ to: 'someone@example.org', channel: 'email' }, 'sender'],
        [{ to: freshNumber(), channel: 'email', sender: 'security@example.com' }, 'to'],
      ];
      for (const [payload, field] of cases) {
        const err = expectError(await send(a.key, payload), 422, 'validation_failed');
        expect(err.errors!.map((e) => e.field), JSON.stringify(payload)).toContain(field);
      }
      expect(await h.rt.store.messages.list(a.id, {}, 10)).toEqual([]);
    });

    it('422 sender_not_approved for a sender the account may not use', async () => {
      const a = await h.account();
      expectError(await send(a.key, { to: freshNumber(), sender: 'ACME' }), 422, 'sender_not_approved');
      expectError(await send(a.key, { to: 'x@example.org', channel: 'email', sender: 'me@unapproved.example' }), 422, 'sender_not_approved');
      expect((await send(a.key, { to: freshNumber(), sender: 'HELLIO' })).statusCode).toBe(200);
    });

    it('voice: 422 for an address or a caller id that is not an approved number (the call itself: test/http/voice.test.ts)', async () => {
      const a = await h.account();
      expectError(await send(a.key, { to: 'x@example.org', channel: 'voice' }), 422, 'validation_failed');
      expectError(await send(a.key, { to: freshNumber(), channel: 'voice', sender: 'HELLIO' }), 422, 'validation_failed');
      expectError(await send(a.key, { to: freshNumber(), channel: 'voice', sender: '+14155550100' }), 422, 'sender_not_approved');
    });

    it('402 when the wallet cannot pay, with nothing recorded', async () => {
      const a = await h.account({ balance: '0' });
      const to = freshNumber();
      expectError(await send(a.key, { to }), 402, 'insufficient_balance');
      expect(await h.rt.store.otp.latestFor(a.id, to)).toBeUndefined();
      expect(await h.rt.store.messages.list(a.id, {}, 10)).toEqual([]);
    });

    it('403 spend_cap_exceeded when the send would pass a cap, with nothing recorded', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 10_000 });
      expect((await send(a.key, { to: freshNumber() })).statusCode).toBe(200); // 0.0080 of 0.0100
      const to = freshNumber();
      expectError(await send(a.key, { to }), 403, 'spend_cap_exceeded');
      expect(await h.rt.store.otp.latestFor(a.id, to)).toBeUndefined();
    });

    it('a sandbox key sends without charge', async () => {
      const a = await h.account({ test: true });
      const before = await h.rt.store.wallet.balance(a.id);
      const res = await send(a.key, { to: freshNumber() });
      expect(res.json()).toMatchObject({ sandbox: true, price: '0.0080' });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(before);
    });

    it('422 for malformed verifications', async () => {
      const a = await h.account();
      const cases: Array<[unknown, string]> = [
        [{ code: '123456' }, 'id'],
        [{ id: 'otp_x', to: freshNumber(), code: '123456' }, 'id'],
        [{ to: 'nonsense', code: '123456' }, 'to'],
        [{ to: freshNumber() }, 'code'],
        [{ to: freshNumber(), code: '12a456' }, 'code'],
        [{ to: freshNumber(), code: '123' }, 'code'],
        [{ to: freshNumber(), code: '123456', extra: 1 }, 'extra'],
      ];
      for (const [payload, field] of cases) {
        const err = expectError(await verify(a.key, payload), 422, 'validation_failed');
        expect(err.errors!.map((e) => e.field), JSON.stringify(payload)).toContain(field);
      }
    });

    it('404 for a missing verification and, exactly alike, for another account\'s', async () => {
      const a = await h.account();
      const b = await h.account();
      const to = freshNumber();
      const { id } = (await send(a.key, { to })).json();
      const code = await receivedCode(to);
      const missing = expectError(await verify(b.key, { id: 'otp_00000000000000000000000000', code }), 404, 'not_found');
      const foreign = expectError(await verify(b.key, { id, code }), 404, 'not_found');
      expect(foreign).toEqual(missing);
      expectError(await verify(b.key, { to, code }), 404, 'not_found');
      // b's attempt spent nothing of a's verification.
      expect((await verify(a.key, { id, code })).json()).toEqual({ id, status: 'approved', attempts_remaining: 4 });
    });
  });
});
