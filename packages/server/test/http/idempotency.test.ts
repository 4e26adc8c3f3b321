import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMicros, parseMicros } from '../../src/lib/money.ts';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { beginIdempotent } from '../../src/modules/access/idempotency.ts';
import { topUp } from '../../src/modules/billing/wallet.ts';
import type { Store } from '../../src/store/store.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { expectError, type InjectedResponse } from '../support/http-assert.ts';

/**
 * SPEC §2.6: Idempotency-Key on side-effecting POSTs. A retry with the same key and request
 * replays status and body with `Idempotent-Replayed: true` and performs nothing; a duplicate in
 * flight is 409; the same key with another request is 422; validation failures are not stored.
 */

const SMS = { from: 'HELLIO', to: '+14155552671', message: 'Your code is 1234' };
const CAMPAIGN = { from: 'HELLIO', to: ['+14155552671', '+14155552672', '+447911123456'], message: 'Sale today' };
const EMAIL = { from: 'Ann <ann@example.com>', to: 'bob@example.org', subject: 'Receipt', text: 'Thanks!' };

const newKey = () => `idem-${randomUUID()}`;

/**
 * Holds the sender check of one account's requests until released: a request that reaches it
 * has already claimed its Idempotency-Key, so it is deterministically "still executing".
 */
function holdSenderCheck(store: Store, accountId: string) {
  const senders = store.cache;
  const original = senders.anyApproved;
  let signalEntered!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((r) => (signalEntered = r));
  const released = new Promise<void>((r) => (release = r));
  senders.anyApproved = async function (this: typeof senders, ...args: Parameters<typeof original>) {
    if (args[0] === accountId) {
      signalEntered();
      await released;
    }
    return original.apply(this, args);
  };
  return { entered, release, restore: () => void (senders.anyApproved = original) };
}

describe.each(BACKENDS)('Idempotency-Key on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  const post = (key: string, payload: unknown, idempotencyKey?: string, url = '/sms/send') =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(key), ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}) },
      payload: payload as object,
    });
  const postRaw = (key: string, payload: string, idempotencyKey: string) =>
    h.app.inject({
      method: 'POST',
      url: '/sms/send',
      headers: { ...bearer(key), 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
      payload,
    });
  const messages = async (key: string) => {
    const res = await h.app.inject({ method: 'GET', url: '/messages?limit=100', headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    return res.json().data as Array<{ id: string }>;
  };
  const campaigns = async (key: string) =>
    (await h.app.inject({ method: 'GET', url: '/campaigns', headers: bearer(key) })).json().data as Array<{ id: string }>;
  const balance = async (key: string) => {
    const res = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    return parseMicros(res.json().balance)!;
  };
  const expectExecuted = (res: InjectedResponse) => {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  };
  const expectReplayOf = (res: InjectedResponse, original: InjectedResponse) => {
    expect(res.statusCode).toBe(original.statusCode);
    expect(res.body).toBe(original.body);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(res.headers['x-request-id']).not.toBe(original.headers['x-request-id']);
  };

  describe('replays', () => {
    it('answers a retry of POST /sms/send with the stored status and body, executing once', async () => {
      const a = await h.account();
      const before = await balance(a.key);
      const key = newKey();
      const first = await post(a.key, SMS, key);
      expectExecuted(first);
      const price = parseMicros(first.json().total_price)!;
      expect(price).toBeGreaterThan(0);

      const second = await post(a.key, SMS, key);
      expectReplayOf(second, first);
      const third = await post(a.key, SMS, key);
      expectReplayOf(third, first);

      const list = await messages(a.key);
      expect(list.map((m) => m.id)).toEqual([first.json().messages[0].id]);
      expect(formatMicros(await balance(a.key))).toBe(formatMicros(before - price));
    });

    it('replays a campaign without creating a second one', async () => {
      const a = await h.account();
      const key = newKey();
      const first = await post(a.key, CAMPAIGN, key);
      expectExecuted(first);
      expect(first.json().campaign_id).toMatch(/^cmp_/);
      expectReplayOf(await post(a.key, CAMPAIGN, key), first);
      expect((await campaigns(a.key)).map((c) => c.id)).toEqual([first.json().campaign_id]);
      expect(await messages(a.key)).toHaveLength(3);
    });

    it('replays POST /send too', async () => {
      const a = await h.account();
      const before = await balance(a.key);
      const key = newKey();
      const first = await post(a.key, EMAIL, key, '/send');
      expectExecuted(first);
      expect(first.json()).toEqual({ id: expect.stringMatching(/^msg_/), status: 'queued' });
      const second = await post(a.key, EMAIL, key, '/send');
      expectReplayOf(second, first);
      expect((await messages(a.key)).map((m) => m.id)).toEqual([first.json().id]);
      expect(before - (await balance(a.key))).toBe(parseMicros('0.0010'));
    });

    it('replays for any key of the same account: Idempotency-Keys belong to the account', async () => {
      const a = await h.account();
      const other = await h.key(a.id, { scopes: 'sms:send' });
      const key = newKey();
      const first = await post(a.key, SMS, key);
      expectExecuted(first);
      expectReplayOf(await post(other.key, SMS, key), first);
      expect(await messages(a.key)).toHaveLength(1);
    });

    it('executes every request that carries no Idempotency-Key (the control)', async () => {
      const a = await h.account();
      expectExecuted(await post(a.key, SMS));
      expectExecuted(await post(a.key, SMS));
      expect(await messages(a.key)).toHaveLength(2);
    });

    it('executes the same Idempotency-Key once per account', async () => {
      const a = await h.account();
      const b = await h.account();
      const key = newKey();
      const fromA = await post(a.key, SMS, key);
      const fromB = await post(b.key, SMS, key);
      expectExecuted(fromA);
      expectExecuted(fromB);
      expect(fromB.json().messages[0].id).not.toBe(fromA.json().messages[0].id);
      expect(await messages(a.key)).toHaveLength(1);
      expect(await messages(b.key)).toHaveLength(1);
      // And each account's retry replays its own answer.
      expectReplayOf(await post(b.key, SMS, key), fromB);
      expectReplayOf(await post(a.key, SMS, key), fromA);
    });
  });

  describe('conflicts', () => {
    it('refuses the same key with a different body: 422 idempotency_key_reused, executing nothing', async () => {
      const a = await h.account();
      const key = newKey();
      const first = await post(a.key, SMS, key);
      expectExecuted(first);
      for (const changed of [{ ...SMS, message: 'another text' }, { ...SMS, to: '+14155552672' }, { ...SMS, reference: 'x' }]) {
        const res = await post(a.key, changed, key);
        expectError(res, 422, 'idempotency_key_reused');
        expect(res.headers['idempotent-replayed']).toBeUndefined();
      }
      expect(await messages(a.key)).toHaveLength(1);
      // The stored answer is untouched by the refused reuses.
      expectReplayOf(await post(a.key, SMS, key), first);
    });

    it('refuses the same key on a different endpoint: 422 idempotency_key_reused', async () => {
      const a = await h.account();
      const key = newKey();
      expectExecuted(await post(a.key, SMS, key));
      expectError(await post(a.key, EMAIL, key, '/send'), 422, 'idempotency_key_reused');
      // Even with a body that would be the same JSON on both.
      const key2 = newKey();
      expectExecuted(await post(a.key, EMAIL, key2, '/send'));
      expectError(await post(a.key, EMAIL, key2, '/sms/send'), 422, 'idempotency_key_reused');
      expect(await messages(a.key)).toHaveLength(2);
    });

    it('answers a duplicate that arrives while the first is executing with 409 idempotency_in_progress', async () => {
      const a = await h.account();
      const key = newKey();
      const hold = holdSenderCheck(h.rt.store, a.id);
      try {
        const firstP = post(a.key, SMS, key);
        await hold.entered; // the first request holds the key and is executing
        const dup = await post(a.key, SMS, key);
        expectError(dup, 409, 'idempotency_in_progress');
        expect(dup.headers['idempotent-replayed']).toBeUndefined();
        // A different request under the same key is a reuse, in flight or not.
        expectError(await post(a.key, { ...SMS, message: 'other' }, key), 422, 'idempotency_key_reused');
        hold.release();
        const first = await firstP;
        expectExecuted(first);
        expectReplayOf(await post(a.key, SMS, key), first);
      } finally {
        hold.release();
        hold.restore();
      }
      expect(await messages(a.key)).toHaveLength(1);
    });

    it('lets one of two duplicates on two processes execute: the other is refused with 409, and retries replay', async () => {
      const a = await h.account();
      const key = newKey();
      const other = await createHarness(backend, { database: h.database });
      const hold = holdSenderCheck(h.rt.store, a.id);
      try {
        const firstP = post(a.key, SMS, key);
        await hold.entered; // executing here, while the other process knows nothing of it
        const second = await other.app.inject({ method: 'POST', url: '/sms/send', headers: { ...bearer(a.key), 'idempotency-key': key }, payload: SMS });
        expectExecuted(second);
        hold.release();
        // The first reaches its commit and finds the key taken: nothing of it is written.
        expectError(await firstP, 409, 'idempotency_in_progress');
        expectReplayOf(await post(a.key, SMS, key), second);
      } finally {
        hold.release();
        hold.restore();
        await other.close();
      }
      expect(await messages(a.key)).toHaveLength(1);
      expect(await balance(a.key)).toBe(parseMicros('100.00')! - parseMicros('0.0080')!);
    });

    it('refuses a different request while a claim made directly through the module is in progress', async () => {
      const a = await h.account();
      const key = newKey();
      const claimed = await beginIdempotent(h.rt.store, { accountId: a.id, key, requestHash: 'some-other-request', ttlMs: 3_600_000 }, Date.now());
      expect(claimed.kind).toBe('proceed');
      expectError(await post(a.key, SMS, key), 422, 'idempotency_key_reused');
      expect(await messages(a.key)).toHaveLength(0);
    });

    it('takes over a claim abandoned by a process that died before committing', async () => {
      const a = await h.account();
      const key = newKey();
      const longAgo = Date.now() - 60 * 60_000;
      await beginIdempotent(h.rt.store, { accountId: a.id, key, requestHash: 'whatever', ttlMs: 24 * 3_600_000 }, longAgo);
      const res = await post(a.key, SMS, key);
      expectExecuted(res);
      expectReplayOf(await post(a.key, SMS, key), res);
      expect(await messages(a.key)).toHaveLength(1);
    });
  });

  describe('what is stored', () => {
    const invalid: Array<[name: string, status: number, code: string, payload: unknown]> = [
      ['a schema error', 422, 'validation_failed', { from: 'HELLIO', to: '+14155552671' }],
      ['an unknown field', 422, 'validation_failed', { ...SMS, colour: 'blue' }],
      ['an invalid number', 422, 'validation_failed', { ...SMS, to: '+1234' }],
      ['a malformed scheduled_at', 422, 'validation_failed', { ...SMS, scheduled_at: 'tomorrow at noon' }],
      ['an unapproved sender', 422, 'sender_not_approved', { ...SMS, from: 'NOTOURS' }],
      ['malformed JSON', 400, 'invalid_json', '{"from": "HELLIO",'],
    ];

    it.each(invalid)('does not store %s: the corrected retry with the same key executes', async (_name, status, code, payload) => {
      const a = await h.account();
      const key = newKey();
      const bad = typeof payload === 'string' ? await postRaw(a.key, payload, key) : await post(a.key, payload, key);
      expectError(bad, status, code);
      // The same failing request again fails the same way (it is re-validated, not replayed or in progress).
      const again = typeof payload === 'string' ? await postRaw(a.key, payload, key) : await post(a.key, payload, key);
      expectError(again, status, code);
      expect(again.headers['idempotent-replayed']).toBeUndefined();

      const fixed = await post(a.key, SMS, key);
      expectExecuted(fixed);
      expectReplayOf(await post(a.key, SMS, key), fixed);
      expect(await messages(a.key)).toHaveLength(1);
    });

    it('remembers 402 insufficient_balance: the retry replays it even after a top-up', async () => {
      const a = await h.account({ balance: '0' });
      const key = newKey();
      const first = await post(a.key, SMS, key);
      expectError(first, 402, 'insufficient_balance');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expectReplayOf(await post(a.key, SMS, key), first);

      await topUp(h.rt.ctx, a.id, parseMicros('5.00')!);
      expectReplayOf(await post(a.key, SMS, key), first);
      expect(await messages(a.key)).toHaveLength(0);
      expect(await balance(a.key)).toBe(parseMicros('5.00'));

      // A new key is a new request, and now it can pay.
      expectExecuted(await post(a.key, SMS, newKey()));
    });

    it('remembers 403 spend_cap_exceeded', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 1 });
      const key = newKey();
      const first = await post(a.key, SMS, key);
      expectError(first, 403, 'spend_cap_exceeded');
      expectReplayOf(await post(a.key, SMS, key), first);
      await setAccountCaps(h.rt.ctx, a.id, { daily: null });
      expectReplayOf(await post(a.key, SMS, key), first);
      expect(await messages(a.key)).toHaveLength(0);
    });

    it('accepts keys of 1 to 255 characters and refuses longer ones with 422 validation_failed', async () => {
      const a = await h.account();
      expectExecuted(await post(a.key, SMS, 'x'));
      const longest = 'k'.repeat(254) + Math.random().toString(36).slice(2, 3);
      expect(longest).toHaveLength(255);
      expectExecuted(await post(a.key, SMS, longest));

      const tooLong = `${newKey()}${'z'.repeat(256)}`.slice(0, 256);
      const res = await post(a.key, SMS, tooLong);
      const body = expectError(res, 422, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      expect(body.message).toContain('Idempotency-Key');
      expectError(await post(a.key, SMS, ''), 422, 'validation_failed');
      expect(await messages(a.key)).toHaveLength(2);
    });

    it('is ignored on endpoints without side effects', async () => {
      const a = await h.account();
      const headers = { ...bearer(a.key), 'idempotency-key': 'q'.repeat(300) };
      const res = await h.app.inject({ method: 'GET', url: '/balance', headers });
      expect(res.statusCode).toBe(200);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  it('answers 422 in the SPEC body, not 500, for a body nested too deeply to hash (found by bench/fuzz), and keeps nothing', async () => {
    const a = await h.account();
    const before = await balance(a.key);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await postRaw(a.key, deep, 'deep-1');
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body', message: 'is nested too deeply' }] });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    // The key was not claimed: a proper request with it goes through.
    const ok = await postRaw(a.key, JSON.stringify({ from: 'HELLIO', to: '+14155550100', message: 'after deep' }), 'deep-1');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await balance(a.key)).toBeLessThan(before);
  });
});
