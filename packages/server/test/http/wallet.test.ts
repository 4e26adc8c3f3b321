import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { setKeyCaps } from '../../src/modules/access/keys.ts';
import { adjustBalance, topUp } from '../../src/modules/billing/wallet.ts';
import { expectApiError, moneyOf, openPeek, type Peek, snapshotOf } from '../support/accept-peek.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

// Default rates (store/default-prices.ts), in micro-units.
const US = '+14155552671'; // 0.0080 per segment
const UK = '+447911123456'; // 0.0400 per segment
const US_SMS = 8_000;
const UK_SMS = 40_000;
const EMAIL = 1_000; // per recipient

/** n distinct valid US numbers. */
const usNumbers = (n: number): string[] => Array.from({ length: n }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);

describe.each(BACKENDS)('wallet, spend caps and GET /balance on %s', (backend) => {
  let h: Harness;
  let peek: Peek;
  beforeAll(async () => {
    h = await createHarness(backend);
    peek = openPeek(h);
  });
  afterAll(async () => {
    await peek?.close();
    await h?.close();
  });

  const sms = (key: string, to: string | string[] = US, message = 'hi') =>
    h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(key), payload: { from: 'HELLIO', to, message } });
  const email = (key: string, recipients = 1) =>
    h.app.inject({
      method: 'POST',
      url: '/send',
      headers: bearer(key),
      payload: {
        from: 'billing@example.com',
        to: Array.from({ length: recipients }, (_, i) => `r${i}@example.org`),
        subject: 'Invoice',
        text: 'Attached',
      },
    });
  const balance = async (key: string) => {
    const res = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const statuses = (responses: Array<{ statusCode: number }>) => {
    const out: Record<number, number> = {};
    for (const r of responses) out[r.statusCode] = (out[r.statusCode] ?? 0) + 1;
    return out;
  };
  /** Balance = ledger sum, never negative, and every ledger row's balance_after is ≥ 0. */
  async function expectConsistent(accountId: string) {
    const m = await moneyOf(h, accountId);
    expect(m.balance).toBe(m.ledgerSum);
    expect(m.balance).toBeGreaterThanOrEqual(0);
    for (const row of m.ledger) expect(row.balance_after_micros).toBeGreaterThanOrEqual(0);
    return m;
  }

  describe('GET /balance', () => {
    it('shows the balance with four decimals, the currency and empty caps', async () => {
      const a = await h.account();
      expect(await balance(a.key)).toEqual({
        balance: '100.0000',
        currency: 'USD',
        spend_caps: { daily: { limit: null, used: '0.0000' }, monthly: { limit: null, used: '0.0000' } },
      });
    });

    it('formats small and fractional balances with four decimals', async () => {
      const a = await h.account({ balance: '0.5' });
      expect((await balance(a.key)).balance).toBe('0.5000');
      const b = await h.account({ balance: '0' });
      expect((await balance(b.key)).balance).toBe('0.0000');
    });

    it('shows the caps that are set', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 5_000_000, monthly: 100_000_000 });
      expect((await balance(a.key)).spend_caps).toEqual({
        daily: { limit: '5.0000', used: '0.0000' },
        monthly: { limit: '100.0000', used: '0.0000' },
      });
    });

    it('grows `used` with every charged send, and not with refused or sandbox ones', async () => {
      const a = await h.account();
      expect((await sms(a.key, [US, UK])).statusCode).toBe(200); // 0.0080 + 0.0400
      expect((await email(a.key, 3)).statusCode).toBe(200); // 3 × 0.0010
      // 0.0480 + 0.0030 = 0.0510
      let b = await balance(a.key);
      expect(b.balance).toBe('99.9490');
      expect(b.spend_caps.daily.used).toBe('0.0510');
      expect(b.spend_caps.monthly.used).toBe('0.0510');

      // Refused by validation, by sender approval, and a sandbox send: none of them is spend.
      expect((await sms(a.key, 'not-a-number')).statusCode).toBe(422);
      const unapproved = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'NOPE', to: US, message: 'x' } });
      expect(unapproved.statusCode).toBe(422);
      const sandbox = await h.key(a.id, { test: true });
      expect((await sms(sandbox.key, UK)).statusCode).toBe(200);
      b = await balance(a.key);
      expect(b.balance).toBe('99.9490');
      expect(b.spend_caps.daily.used).toBe('0.0510');
      expect(b.spend_caps.monthly.used).toBe('0.0510');
    });

    it('does not count a send refused for insufficient balance', async () => {
      const a = await h.account({ balance: '0.01' });
      expectApiError(await sms(a.key, [UK]), 402, 'insufficient_balance');
      expect(await balance(a.key)).toMatchObject({
        balance: '0.0100',
        spend_caps: { daily: { used: '0.0000' }, monthly: { used: '0.0000' } },
      });
    });

    it('needs the balance scope', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'sms:send' });
      const res = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(k.key) });
      expectApiError(res, 403, 'insufficient_scope');
    });
  });

  describe('spend caps', () => {
    it('refuses past the daily cap with 403 spend_cap_exceeded and writes nothing', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 20_000 }); // 0.0200
      expect((await sms(a.key)).statusCode).toBe(200); // 0.0080
      expect((await sms(a.key)).statusCode).toBe(200); // 0.0160
      const before = await snapshotOf(h, peek, a.id);
      expectApiError(await sms(a.key), 403, 'spend_cap_exceeded'); // would be 0.0240
      expectApiError(await sms(a.key, [US, US]), 403, 'spend_cap_exceeded');
      expect(await snapshotOf(h, peek, a.id)).toEqual(before);
      expect((await balance(a.key)).spend_caps.daily).toEqual({ limit: '0.0200', used: '0.0160' });
      // What still fits goes through, up to the cap exactly: 0.0160 + 4 × 0.0010 = 0.0200.
      expect((await email(a.key, 4)).statusCode).toBe(200);
      expect((await balance(a.key)).spend_caps.daily).toEqual({ limit: '0.0200', used: '0.0200' });
      expectApiError(await email(a.key, 1), 403, 'spend_cap_exceeded');
      // Raising the cap lets the account send again.
      await setAccountCaps(h.rt.ctx, a.id, { daily: null });
      expect((await sms(a.key)).statusCode).toBe(200);
      await expectConsistent(a.id);
    });

    it('refuses past the monthly cap likewise', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { monthly: 50_000 }); // 0.0500
      expect((await sms(a.key, UK)).statusCode).toBe(200); // 0.0400
      const before = await snapshotOf(h, peek, a.id);
      expectApiError(await sms(a.key, UK), 403, 'spend_cap_exceeded'); // would be 0.0800
      expectApiError(await email(a.key, 11), 403, 'spend_cap_exceeded'); // would be 0.0510
      expect(await snapshotOf(h, peek, a.id)).toEqual(before);
      expect((await email(a.key, 10)).statusCode).toBe(200); // exactly 0.0500
      expect((await balance(a.key)).spend_caps).toEqual({
        daily: { limit: null, used: '0.0500' },
        monthly: { limit: '0.0500', used: '0.0500' },
      });
    });

    it('refuses a single request that alone exceeds the cap', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 10_000 });
      const before = await snapshotOf(h, peek, a.id);
      expectApiError(await sms(a.key, UK), 403, 'spend_cap_exceeded');
      expect(await snapshotOf(h, peek, a.id)).toEqual(before);
    });

    it('checks the cap before the wallet: an over-cap request answers 403 even when the wallet is short too', async () => {
      const a = await h.account({ balance: '0.01' });
      await setAccountCaps(h.rt.ctx, a.id, { daily: 5_000 });
      expectApiError(await sms(a.key, UK), 403, 'spend_cap_exceeded');
    });

    it('applies a key\'s own cap to that key only', async () => {
      const a = await h.account();
      const capped = await h.key(a.id);
      await setKeyCaps(h.rt.store, capped.id, { daily: 16_000 }); // two US messages
      expect((await sms(capped.key)).statusCode).toBe(200);
      expect((await sms(capped.key)).statusCode).toBe(200);
      const before = await snapshotOf(h, peek, a.id);
      expectApiError(await sms(capped.key), 403, 'spend_cap_exceeded');
      expect(await snapshotOf(h, peek, a.id)).toEqual(before);
      // The account's other key is not bound by it.
      expect((await sms(a.key)).statusCode).toBe(200);
      expect((await sms(a.key)).statusCode).toBe(200);
      expectApiError(await sms(capped.key), 403, 'spend_cap_exceeded');
      expect((await balance(a.key)).spend_caps.daily.used).toBe('0.0320');
    });

    it('applies a key\'s monthly cap', async () => {
      const a = await h.account();
      const capped = await h.key(a.id);
      await setKeyCaps(h.rt.store, capped.id, { monthly: 40_000 });
      expect((await sms(capped.key, UK)).statusCode).toBe(200);
      expectApiError(await sms(capped.key, US), 403, 'spend_cap_exceeded');
      expect((await sms(a.key, US)).statusCode).toBe(200);
    });

    it('holds the account cap against the sum of all its keys', async () => {
      const a = await h.account();
      const k2 = await h.key(a.id);
      await setAccountCaps(h.rt.ctx, a.id, { daily: 24_000 }); // three US messages
      expect((await sms(a.key)).statusCode).toBe(200);
      expect((await sms(k2.key)).statusCode).toBe(200);
      expect((await sms(a.key)).statusCode).toBe(200);
      expectApiError(await sms(k2.key), 403, 'spend_cap_exceeded');
    });

    it('does not apply to sandbox keys, which spend nothing', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 1_000 });
      const t = await h.key(a.id, { test: true });
      expect((await sms(t.key, [US, UK])).statusCode).toBe(200);
      expect((await balance(a.key)).spend_caps.daily.used).toBe('0.0000');
    });
  });

  describe('under concurrency', () => {
    it('lets exactly N requests through a daily cap that allows N', async () => {
      const a = await h.account();
      const N = 10;
      await setAccountCaps(h.rt.ctx, a.id, { daily: N * US_SMS });
      const responses = await Promise.all(Array.from({ length: N + 5 }, () => sms(a.key)));
      expect(statuses(responses)).toEqual({ 200: N, 403: 5 });
      for (const r of responses.filter((r) => r.statusCode === 403)) expect(r.json().code).toBe('spend_cap_exceeded');
      const m = await expectConsistent(a.id);
      expect(m.balance).toBe(100_000_000 - N * US_SMS);
      expect(await h.rt.store.messages.list(a.id, {}, 100)).toHaveLength(N);
      expect((await balance(a.key)).spend_caps.daily).toEqual({ limit: '0.0800', used: '0.0800' });
    });

    it('lets exactly N requests through a monthly cap spread over several keys', async () => {
      const a = await h.account();
      const keys = [a.key, (await h.key(a.id)).key, (await h.key(a.id)).key];
      const N = 7;
      await setAccountCaps(h.rt.ctx, a.id, { monthly: N * US_SMS });
      const responses = await Promise.all(Array.from({ length: N + 5 }, (_, i) => sms(keys[i % 3]!)));
      expect(statuses(responses)).toEqual({ 200: N, 403: 5 });
      expect((await expectConsistent(a.id)).balance).toBe(100_000_000 - N * US_SMS);
    });

    it('lets exactly N requests through a key cap', async () => {
      const a = await h.account();
      const capped = await h.key(a.id);
      const N = 4;
      await setKeyCaps(h.rt.store, capped.id, { daily: N * US_SMS });
      const responses = await Promise.all(Array.from({ length: N + 5 }, () => sms(capped.key)));
      expect(statuses(responses)).toEqual({ 200: N, 403: 5 });
      expect((await expectConsistent(a.id)).balance).toBe(100_000_000 - N * US_SMS);
    });

    it('never spends more than the balance: 50 concurrent sends against a balance for 20', async () => {
      const a = await h.account({ balance: '0.16' }); // 20 × 0.0080
      const responses = await Promise.all(Array.from({ length: 50 }, () => sms(a.key)));
      expect(statuses(responses)).toEqual({ 200: 20, 402: 30 });
      for (const r of responses.filter((r) => r.statusCode === 402)) expect(r.json().code).toBe('insufficient_balance');
      const m = await expectConsistent(a.id);
      expect(m.balance).toBe(0);
      const debits = m.ledger.filter((l) => l.kind === 'debit');
      expect(debits).toHaveLength(20);
      // Each debit saw its own balance: 0.1520, 0.1440, … 0.0000, no two the same.
      expect(debits.map((d) => d.balance_after_micros).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i * US_SMS));
      expect(await h.rt.store.messages.list(a.id, {}, 100)).toHaveLength(20);
      const ids = (await h.rt.store.messages.list(a.id, {}, 100)).map((r) => r.id);
      expect(await peek.jobsFor(ids)).toHaveLength(20);
      expect(await balance(a.key)).toMatchObject({ balance: '0.0000', spend_caps: { daily: { used: '0.1600' } } });
    });

    it('keeps the balance exact with mixed concurrent campaigns and emails', async () => {
      const a = await h.account({ balance: '1.00' });
      // 12 campaigns of 5 US numbers (0.0400 each) and 12 emails of 10 recipients (0.0100 each),
      // 0.6000 in all: everything fits.
      const responses = await Promise.all([
        ...Array.from({ length: 12 }, () => sms(a.key, usNumbers(5))),
        ...Array.from({ length: 12 }, () => email(a.key, 10)),
      ]);
      expect(statuses(responses)).toEqual({ 200: 24 });
      const m = await expectConsistent(a.id);
      expect(m.balance).toBe(400_000);
      expect((await balance(a.key)).balance).toBe('0.4000');
    });
  });

  describe('ledger', () => {
    it('equals the balance after a mixed series of top-ups, sends, refusals and adjustments', async () => {
      const a = await h.account({ balance: '1.00' });
      const t = await h.key(a.id, { test: true });
      let expected = 1_000_000;

      expect((await sms(a.key, [US, UK])).statusCode).toBe(200);
      expected -= US_SMS + UK_SMS; // 0.9520
      expect((await sms(a.key, UK, 'x'.repeat(161))).statusCode).toBe(200);
      expected -= 2 * UK_SMS; // 0.8720
      expect((await email(a.key, 7)).statusCode).toBe(200);
      expected -= 7 * EMAIL; // 0.8650
      expect((await sms(t.key, usNumbers(30))).statusCode).toBe(200); // sandbox: free
      expect((await sms(a.key, usNumbers(200))).statusCode).toBe(402); // 1.6000 > 0.8650
      await topUp(h.rt.ctx, a.id, 2_500_000);
      expected += 2_500_000; // 3.3650
      expect((await sms(a.key, usNumbers(200))).statusCode).toBe(200);
      expected -= 200 * US_SMS; // 1.7650
      await adjustBalance(h.rt.ctx, a.id, -765_000, 'correction');
      expected -= 765_000; // 1.0000
      await expect(adjustBalance(h.rt.ctx, a.id, -1_000_001, 'too much')).rejects.toMatchObject({ code: 'insufficient_balance' });
      expect((await email(a.key, 1)).statusCode).toBe(200);
      expected -= EMAIL; // 0.9990

      const m = await expectConsistent(a.id);
      expect(m.balance).toBe(expected);
      expect(expected).toBe(999_000);
      expect((await balance(a.key)).balance).toBe('0.9990');
      const kinds = m.ledger.map((l) => l.kind).sort();
      expect(kinds).toEqual(['adjustment', 'debit', 'debit', 'debit', 'debit', 'debit', 'topup', 'topup']);
    });
  });

  describe('isolation between accounts', () => {
    it('never touches another account\'s balance, ledger or spend', async () => {
      const a = await h.account({ balance: '10.00' });
      const b = await h.account({ balance: '10.00' });
      await setAccountCaps(h.rt.ctx, a.id, { daily: 5 * US_SMS });
      const before = await moneyOf(h, b.id);
      const responses = await Promise.all(Array.from({ length: 8 }, () => sms(a.key)));
      expect(statuses(responses)).toEqual({ 200: 5, 403: 3 });
      expect((await email(a.key, 1)).statusCode).toBe(403); // A's cap, not B's
      expect(await moneyOf(h, b.id)).toEqual(before);
      expect(await balance(b.key)).toEqual({
        balance: '10.0000',
        currency: 'USD',
        spend_caps: { daily: { limit: null, used: '0.0000' }, monthly: { limit: null, used: '0.0000' } },
      });
      expect((await balance(a.key)).balance).toBe('9.9600');
      // B is free to spend what A could not.
      expect((await sms(b.key)).statusCode).toBe(200);
      expect((await balance(b.key)).balance).toBe('9.9920');
      expect((await balance(a.key)).balance).toBe('9.9600');
      // And neither sees the other's messages.
      const aMsg = responses.find((r) => r.statusCode === 200)!.json().messages[0].id;
      const res = await h.app.inject({ method: 'GET', url: `/messages/${aMsg}`, headers: bearer(b.key) });
      expect(res.statusCode).toBe(404);
    });
  });
});
