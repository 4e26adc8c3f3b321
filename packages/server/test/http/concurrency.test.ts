import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMicros } from '../../src/lib/money.ts';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { statusCounts } from '../support/http-assert.ts';

const PRICE = parseMicros('0.0080')!; // one SMS to +1
const CONCURRENT = 1_000;

/**
 * 1,000 requests at once through the whole pipeline (group commit puts many of them in one
 * transaction): money and idempotency must stay exact — every balance equals its ledger, no
 * Idempotency-Key executes twice, and no cap or wallet is overrun by a batch.
 */
describe.each(BACKENDS)('1,000 concurrent requests on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    // Everything at once is the point here: the in-flight cap (load shedding) is lifted above it.
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '1000000', HELLIO_HTTP_MAX_IN_FLIGHT: '5000' } });
  });
  afterAll(async () => h?.close());

  const send = (a: TestAccount, i: number, idem?: string) =>
    h.app.inject({
      method: 'POST',
      url: '/sms/send',
      headers: { ...bearer(a.key), ...(idem ? { 'idempotency-key': idem } : {}) },
      payload: { from: 'HELLIO', to: `+1415555${String(1000 + (i % 9000)).padStart(4, '0')}`, message: 'at once' },
    });
  const balanceOf = async (a: TestAccount) => parseMicros((await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) })).json().balance)!;
  const messageCount = async (a: TestAccount) => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page: { data: unknown[]; next_cursor: string | null } = (await h.app.inject({ method: 'GET', url: `/messages?limit=100${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(a.key) })).json();
      n += page.data.length;
      cursor = page.next_cursor;
    } while (cursor);
    return n;
  };
  const expectBalanced = async (a: TestAccount) => {
    expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
  };

  it('keeps every wallet equal to its ledger and every Idempotency-Key executed once', async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => h.account({ balance: '100.00' })));
    // 200 keys, each sent 3 times at once; 400 requests without a key.
    const requests: Array<{ a: TestAccount; idem?: string; i: number }> = [];
    for (let k = 0; k < 200; k++) for (let r = 0; r < 3; r++) requests.push({ a: accounts[k % 10]!, idem: `same-${k}`, i: k });
    for (let i = 0; i < 400; i++) requests.push({ a: accounts[i % 10]!, i: 1000 + i });
    expect(requests).toHaveLength(CONCURRENT);
    const responses = await Promise.all(requests.map((q) => send(q.a, q.i, q.idem)));

    const counts = statusCounts(responses);
    // Duplicates in flight are refused (409) or replayed, never executed twice.
    expect(Object.keys(counts).map(Number).every((s) => s === 200 || s === 409)).toBe(true);
    const byKey = new Map<string, Set<string>>();
    requests.forEach((q, n) => {
      const res = responses[n]!;
      if (!q.idem || res.statusCode !== 200) return;
      const set = byKey.get(`${q.a.id}/${q.idem}`) ?? new Set<string>();
      set.add(res.json().messages[0].id);
      byKey.set(`${q.a.id}/${q.idem}`, set);
    });
    for (const [key, ids] of byKey) expect(ids.size, key).toBe(1);
    // A retry of every key now replays the one execution.
    for (let k = 0; k < 200; k++) {
      const again = await send(accounts[k % 10]!, k, `same-${k}`);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    // 200 keyed executions + 400 unkeyed, spread over 10 accounts: 60 messages and 60 charges each.
    for (const a of accounts) {
      expect(await messageCount(a)).toBe(60);
      expect(await balanceOf(a)).toBe(parseMicros('100.00')! - 60 * PRICE);
      await expectBalanced(a);
    }
  });

  it('lets exactly as many through as one wallet can pay for, all from one account', async () => {
    const a = await h.account({ balance: '2.0000' }); // 250 SMS
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(a, i)));
    expect(statusCounts(responses)).toEqual({ 200: 250, 402: 750 });
    expect(await balanceOf(a)).toBe(0);
    expect(await messageCount(a)).toBe(250);
    await expectBalanced(a);
    const ledger = await h.rt.store.wallet.ledger(a.id);
    expect(ledger.filter((l) => l.kind === 'debit')).toHaveLength(250);
    // Each ledger row's balance_after follows from the previous one: the batch's running balance.
    const sorted = [...ledger].sort((x, y) => y.balance_after_micros - x.balance_after_micros);
    sorted.slice(1).forEach((l, i) => expect(l.balance_after_micros).toBe(sorted[i]!.balance_after_micros + l.amount_micros));
  });

  it('never lets a batch overrun a daily cap', async () => {
    const a = await h.account({ balance: '100.00' });
    await setAccountCaps(h.rt.ctx, a.id, { daily: parseMicros('0.8000')! }); // 100 SMS
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(a, i)));
    expect(statusCounts(responses)).toEqual({ 200: 100, 403: 900 });
    for (const r of responses.filter((x) => x.statusCode === 403)) expect(r.json().code).toBe('spend_cap_exceeded');
    expect(await balanceOf(a)).toBe(parseMicros('100.00')! - 100 * PRICE);
    await expectBalanced(a);
  });
});
