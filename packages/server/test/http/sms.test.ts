import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveSender } from '../../src/modules/messages/senders.ts';
import { expectApiError, fieldsOf, openPeek, type Peek, snapshotOf } from '../support/accept-peek.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

// Destinations and their default per-segment rates (store/default-prices.ts), in micro-units.
const US = '+14155552671'; // prefix 1   → 0.0080
const US2 = '+12025550100'; // prefix 1  → 0.0080
const UK = '+447911123456'; // prefix 44 → 0.0400
const FR = '+33612345678'; // prefix 33  → 0.0750
const DE = '+4915123456789'; // prefix 49 → 0.0800
const CH = '+41791234567'; // no "41"/"4" entry → fallback "" 0.0500
const NG = '+2348031234567'; // prefix 234 → 0.0300

/**
 * A calendar date that does not exist but lies within the next year: the 31st of the next month
 * that has only 30 days (Date.parse would quietly roll it over to the 1st of the month after).
 */
function impossibleDateAhead(): string {
  const now = new Date();
  for (let i = 1; i <= 12; i++) {
    const y = now.getUTCFullYear() + Math.floor((now.getUTCMonth() + i) / 12);
    const m = ((now.getUTCMonth() + i) % 12) + 1;
    if ([4, 6, 9, 11].includes(m)) return `${y}-${String(m).padStart(2, '0')}-31T09:00:00Z`;
  }
  throw new Error('unreachable');
}

/** Tomorrow's date at 24:00:00, which RFC 3339 does not allow (hours are 00–23). */
function hour24Tomorrow(): string {
  return `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T24:00:00Z`;
}

/** n distinct valid US numbers (+1 415 555 0000 …). */
const usNumbers = (n: number, exchange = '555'): string[] =>
  Array.from({ length: n }, (_, i) => `+1415${exchange}${String(i).padStart(4, '0')}`);

describe.each(BACKENDS)('POST /sms/send on %s', (backend) => {
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

  const send = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/sms/send', headers: { ...bearer(key), ...headers }, payload: payload as object });

  const getMessage = (key: string, id: string) => h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(key) });

  /** Sends a body that must be refused and checks that nothing at all was written. */
  async function expectRefusedWithoutWrites(a: TestAccount, payload: unknown, status: number, code: string) {
    const before = await snapshotOf(h, peek, a.id);
    const res = await send(a.key, payload);
    const body = expectApiError(res, status, code);
    expect(await snapshotOf(h, peek, a.id)).toEqual(before);
    return body;
  }

  describe('one recipient', () => {
    it('answers the documented shape, debits the price and queues one job', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: US, message: 'Your code is 1234' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        campaign_id: null,
        messages: [{ id: expect.stringMatching(/^msg_/), to: US, status: 'queued', segments: 1, encoding: 'GSM-7', price: '0.0080' }],
        total_price: '0.0080',
        currency: 'USD',
      });
      const id = body.messages[0].id as string;

      const money = await h.rt.store.wallet.balance(a.id);
      expect(money).toBe(100_000_000 - 8_000);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(money);
      const ledger = await h.rt.store.wallet.ledger(a.id);
      const debit = ledger.filter((l) => l.kind === 'debit');
      expect(debit).toHaveLength(1);
      expect(debit[0]).toMatchObject({ amount_micros: -8_000, balance_after_micros: 99_992_000, reference: id });

      const jobs = await peek.jobsFor([id]);
      expect(jobs).toEqual([expect.objectContaining({ kind: 'deliver.sms', status: 'pending', message_id: id })]);
      expect(await h.rt.store.messages.events(id)).toEqual([expect.objectContaining({ status: 'queued' })]);

      const got = await getMessage(a.key, id);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({
        id,
        channel: 'sms',
        status: 'queued',
        from: 'HELLIO',
        to: US,
        body: 'Your code is 1234',
        segments: 1,
        encoding: 'GSM-7',
        price: '0.0080',
        currency: 'USD',
        sandbox: false,
        campaign_id: null,
        scheduled_at: null,
      });
    });

    it('accepts a one-element array as a single message, not a campaign', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: [UK], message: 'hi' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ campaign_id: null, total_price: '0.0400', messages: [{ to: UK, price: '0.0400' }] });
      expect(await h.rt.store.campaigns.list(a.id, undefined, 10)).toHaveLength(0);
    });

    it('keeps the reference on the message', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: US, message: 'ref', reference: 'order-42' });
      expect(res.statusCode).toBe(200);
      const id = res.json().messages[0].id;
      expect((await h.rt.store.messages.get(a.id, id))?.reference).toBe('order-42');
      expect((await getMessage(a.key, id)).json().reference).toBe('order-42');
    });
  });

  describe('campaigns', () => {
    it('makes one message, one queued event and one deliver.sms job per recipient, and one debit', async () => {
      const a = await h.account();
      const before = await peek.totals();
      const to = [US, UK, FR, CH, NG, DE];
      const res = await send(a.key, { from: 'HELLIO', to, message: 'Sale today', reference: 'spring' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.campaign_id).toMatch(/^cmp_/);
      // 0.0080 + 0.0400 + 0.0750 + 0.0500 + 0.0300 + 0.0800 = 0.2830
      expect(body.total_price).toBe('0.2830');
      expect(body.currency).toBe('USD');
      expect(body.messages.map((m: { to: string; price: string }) => [m.to, m.price])).toEqual([
        [US, '0.0080'],
        [UK, '0.0400'],
        [FR, '0.0750'],
        [CH, '0.0500'],
        [NG, '0.0300'],
        [DE, '0.0800'],
      ]);
      for (const m of body.messages) {
        expect(m).toMatchObject({ id: expect.stringMatching(/^msg_/), status: 'queued', segments: 1, encoding: 'GSM-7' });
      }
      const ids: string[] = body.messages.map((m: { id: string }) => m.id);
      expect(new Set(ids).size).toBe(6);

      const stored = await h.rt.store.messages.list(a.id, { campaignId: body.campaign_id }, 100);
      expect(stored.map((m) => m.id).sort()).toEqual([...ids].sort());
      for (const m of stored) expect(m).toMatchObject({ status: 'queued', reference: 'spring', sender: 'HELLIO', channel: 'sms' });

      const jobs = await peek.jobsFor(ids);
      expect(jobs).toHaveLength(6);
      expect(jobs.every((j) => j.kind === 'deliver.sms' && j.status === 'pending')).toBe(true);
      expect(new Set(jobs.map((j) => j.message_id))).toEqual(new Set(ids));
      for (const id of ids) {
        expect(await h.rt.store.messages.events(id)).toEqual([expect.objectContaining({ status: 'queued' })]);
      }
      const after = await peek.totals();
      expect(after.messages - before.messages).toBe(6);
      expect(after.events - before.events).toBe(6);
      expect(after.jobs - before.jobs).toBe(6);
      expect(after.campaigns - before.campaigns).toBe(1);

      const debits = (await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit');
      expect(debits).toEqual([expect.objectContaining({ amount_micros: -283_000, reference: body.campaign_id, balance_after_micros: 99_717_000 })]);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(99_717_000);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(99_717_000);

      const cmp = await h.app.inject({ method: 'GET', url: `/campaigns/${body.campaign_id}`, headers: bearer(a.key) });
      expect(cmp.statusCode).toBe(200);
      expect(cmp.json()).toMatchObject({ id: body.campaign_id, total_messages: 6, cost: '0.2830', reference: 'spring' });
    });

    it('sends and charges a number given twice once, keeping the first occurrence in its place', async () => {
      const a = await h.account();
      const before = await peek.totals();
      const res = await send(a.key, { from: 'HELLIO', to: [US, UK, US, US2, UK], message: 'once each' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.messages.map((m: { to: string }) => m.to)).toEqual([US, UK, US2]);
      // 0.0080 + 0.0400 + 0.0080, not five prices.
      expect(body.total_price).toBe('0.0560');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 56_000);
      const after = await peek.totals();
      expect(after.messages - before.messages).toBe(3);
      expect(after.jobs - before.jobs).toBe(3);
      const cmp = await h.app.inject({ method: 'GET', url: `/campaigns/${body.campaign_id}`, headers: bearer(a.key) });
      expect(cmp.json()).toMatchObject({ total_messages: 3, cost: '0.0560' });
    });

    it('makes one message, not a campaign, when every recipient is the same number', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: [US, US, US], message: 'just one' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ campaign_id: null, total_price: '0.0080' });
      expect(res.json().messages).toHaveLength(1);
    });

    it('accepts 1,000 recipients in one request with exactly 1,000 messages and jobs', async () => {
      const a = await h.account();
      const before = await peek.totals();
      const to = usNumbers(1000);
      const res = await send(a.key, { from: 'HELLIO', to, message: 'bulk' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.messages).toHaveLength(1000);
      expect(body.total_price).toBe('8.0000'); // 1,000 × 0.0080
      const stored = await h.rt.store.messages.list(a.id, { campaignId: body.campaign_id }, 5000);
      expect(stored).toHaveLength(1000);
      expect(new Set(stored.map((m) => m.recipient))).toEqual(new Set(to));
      const after = await peek.totals();
      expect(after.messages - before.messages).toBe(1000);
      expect(after.jobs - before.jobs).toBe(1000);
      expect(after.events - before.events).toBe(1000);
      expect((await peek.jobsFor(body.messages.map((m: { id: string }) => m.id))).length).toBe(1000);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(92_000_000);
    });

    it('refuses more than 10,000 recipients', async () => {
      const a = await h.account();
      const to = [...usNumbers(10_000), US];
      expect(to).toHaveLength(10_001);
      const body = await expectRefusedWithoutWrites(a, { from: 'HELLIO', to, message: 'too many' }, 422, 'validation_failed');
      expect(fieldsOf(body)).toContain('to');
    });
  });

  describe('encoding, segments and price', () => {
    const cases: Array<[label: string, message: string, to: string, encoding: string, segments: number, price: string]> = [
      ['160 GSM-7 characters fit one segment', 'a'.repeat(160), US, 'GSM-7', 1, '0.0080'],
      ['161 GSM-7 characters take two segments', 'a'.repeat(161), US, 'GSM-7', 2, '0.0160'],
      ['161 GSM-7 characters to the UK cost 2 × 0.0400', 'b'.repeat(161), UK, 'GSM-7', 2, '0.0800'],
      ['306 GSM-7 characters still fit two parts of 153', 'c'.repeat(306), US, 'GSM-7', 2, '0.0160'],
      ['307 GSM-7 characters need a third part', 'd'.repeat(307), FR, 'GSM-7', 3, '0.2250'],
      ['80 euro signs (2 septets each) fill exactly one segment', '€'.repeat(80), US, 'GSM-7', 1, '0.0080'],
      ['81 euro signs are 162 septets: two segments', '€'.repeat(81), US, 'GSM-7', 2, '0.0160'],
      ['70 UCS-2 characters fit one segment', 'Ж'.repeat(70), US, 'UCS-2', 1, '0.0080'],
      ['71 UCS-2 characters take two segments', 'Ж'.repeat(71), US, 'UCS-2', 2, '0.0160'],
      ['71 UCS-2 characters to Germany cost 2 × 0.0800', 'Ж'.repeat(71), DE, 'UCS-2', 2, '0.1600'],
      ['one character outside GSM-7 turns the message UCS-2', `${'a'.repeat(69)}ç`, US, 'UCS-2', 1, '0.0080'],
      ['that same character past 70 makes it two UCS-2 segments', `${'a'.repeat(70)}ç`, UK, 'UCS-2', 2, '0.0800'],
      ['an emoji is UCS-2', 'hello 😀', CH, 'UCS-2', 1, '0.0500'],
      ['135 UCS-2 characters take three parts of 67', 'Ж'.repeat(135), US, 'UCS-2', 3, '0.0240'],
      // 306 septets would fit two parts, but the escape pair of "€" may not straddle parts:
      // part 1 = 152 a, part 2 = € + 151 a (153), part 3 = the last a.
      ['an escape pair that may not straddle parts adds a segment', `${'a'.repeat(152)}€${'a'.repeat(152)}`, US, 'GSM-7', 3, '0.0240'],
      // 134 UCS-2 units would fit two parts, but the emoji's surrogate pair may not be split:
      // part 1 = 66 Ж, part 2 = 😀 + 65 Ж (67), part 3 = the last Ж.
      ['a surrogate pair that may not straddle parts adds a segment', `${'Ж'.repeat(66)}😀${'Ж'.repeat(66)}`, UK, 'UCS-2', 3, '0.1200'],
    ];

    it.each(cases)('%s', async (_label, message, to, encoding, segments, price) => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to, message });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ messages: [{ encoding, segments, price }], total_price: price });
      const row = (await h.rt.store.messages.list(a.id, {}, 10))[0]!;
      expect(row).toMatchObject({ encoding, segments, body: message });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - Math.round(Number(price) * 1_000_000));
    });

    it('prices a multi-segment campaign as segments × each destination rate', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: [US, UK, NG], message: 'x'.repeat(161) });
      expect(res.statusCode).toBe(200);
      // 2 × (0.0080 + 0.0400 + 0.0300) = 0.1560
      expect(res.json()).toMatchObject({
        total_price: '0.1560',
        messages: [
          { to: US, segments: 2, price: '0.0160' },
          { to: UK, segments: 2, price: '0.0800' },
          { to: NG, segments: 2, price: '0.0600' },
        ],
      });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(99_844_000);
    });
  });

  describe('validation', () => {
    it('names each bad recipient by index', async () => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(
        a,
        { from: 'HELLIO', to: [US, '14155552671', '+19999999999', UK, 'not a number'], message: 'hi' },
        422,
        'validation_failed',
      );
      const fields = fieldsOf(body);
      expect(fields).toEqual(expect.arrayContaining(['to[1]', 'to[2]', 'to[4]']));
      expect(fields).not.toContain('to[0]');
      expect(fields).not.toContain('to[3]');
    });

    it.each([
      ['a number without "+"', '14155552671'],
      ['an impossible number', '+19999999999'],
      ['a too short number', '+12345'],
      ['an unassigned country code', '+999123456789'],
      ['letters', 'call me'],
    ])('refuses %s as the single recipient', async (_label, to) => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(a, { from: 'HELLIO', to, message: 'hi' }, 422, 'validation_failed');
      expect(fieldsOf(body)).toContain('to');
    });

    it.each([
      ['an empty message', { from: 'HELLIO', to: US, message: '' }, 'message'],
      ['a message over 1,600 characters', { from: 'HELLIO', to: US, message: 'a'.repeat(1601) }, 'message'],
      ['a missing message', { from: 'HELLIO', to: US }, 'message'],
      ['a missing recipient', { from: 'HELLIO', message: 'hi' }, 'to'],
      ['an empty recipient list', { from: 'HELLIO', to: [], message: 'hi' }, 'to'],
      ['a missing sender', { to: US, message: 'hi' }, 'from'],
      ['an unknown field', { from: 'HELLIO', to: US, message: 'hi', priority: 'high' }, 'priority'],
      ['a sender id over 11 characters', { from: 'HELLIOHELLIO1', to: US, message: 'hi' }, 'from'],
      ['a sender id with forbidden characters', { from: 'HEL<LIO>', to: US, message: 'hi' }, 'from'],
      ['a sender of digits that is neither a short code nor E.164', { from: '123456789012', to: US, message: 'hi' }, 'from'],
      ['a malformed scheduled_at', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: 'tomorrow at 9' }, 'scheduled_at'],
      ['a scheduled_at without a time zone', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: '2030-01-01T09:00:00' }, 'scheduled_at'],
      ['a scheduled_at on a day the month does not have', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: impossibleDateAhead() }, 'scheduled_at'],
      ['a scheduled_at at hour 24', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: hour24Tomorrow() }, 'scheduled_at'],
      ['a scheduled_at with an impossible offset', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: '2030-01-01T09:00:00+24:00' }, 'scheduled_at'],
      ['a scheduled_at more than a year ahead', { from: 'HELLIO', to: US, message: 'hi', scheduled_at: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'scheduled_at'],
    ])('refuses %s with 422 naming the field', async (_label, payload, field) => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(a, payload, 422, 'validation_failed');
      expect(fieldsOf(body)).toContain(field);
    });

    it('refuses malformed JSON with 400 invalid_json', async () => {
      const a = await h.account();
      const res = await h.app.inject({
        method: 'POST',
        url: '/sms/send',
        headers: { ...bearer(a.key), 'content-type': 'application/json' },
        payload: '{"from": "HELLIO", "to": ',
      });
      expectApiError(res, 400, 'invalid_json');
    });
  });

  describe('sender approval', () => {
    it('refuses an unapproved sender with sender_not_approved and writes nothing', async () => {
      const a = await h.account();
      await expectRefusedWithoutWrites(a, { from: 'ACME', to: [US, UK], message: 'hi' }, 422, 'sender_not_approved');
      await expectRefusedWithoutWrites(a, { from: '+14155550123', to: US, message: 'hi' }, 422, 'sender_not_approved');
    });

    it('does not let one account use a sender approved only for another', async () => {
      const a = await h.account();
      const b = await h.account();
      await approveSender(h.rt.ctx, a.id, 'SHOPCO');
      expect((await send(a.key, { from: 'SHOPCO', to: US, message: 'hi' })).statusCode).toBe(200);
      await expectRefusedWithoutWrites(b, { from: 'SHOPCO', to: US, message: 'hi' }, 422, 'sender_not_approved');
    });

    // A dot is what tells an email domain from an SMS sender id in `hellio senders approve`, so
    // sender ids may not contain one: "Acme.Co" is refused as a malformed sender, not left unapprovable.
    it('refuses a dotted sender id as malformed rather than unapproved', async () => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(a, { from: 'Acme.Co', to: US, message: 'hi' }, 422, 'validation_failed');
      expect(fieldsOf(body)).toContain('from');
    });

    it('accepts an approved number as the sender', async () => {
      const a = await h.account();
      await approveSender(h.rt.ctx, a.id, '+14155550123');
      const res = await send(a.key, { from: '+14155550123', to: UK, message: 'hi' });
      expect(res.statusCode).toBe(200);
      expect((await getMessage(a.key, res.json().messages[0].id)).json().from).toBe('+14155550123');
    });
  });

  describe('wallet', () => {
    it('refuses with 402 insufficient_balance, writes nothing and leaves the balance', async () => {
      const a = await h.account({ balance: '0.01' });
      // 0.0400 + 0.0400 + 0.0080 = 0.0880 > 0.0100
      await expectRefusedWithoutWrites(a, { from: 'HELLIO', to: [UK, '+447911123457', US], message: 'hi' }, 402, 'insufficient_balance');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(10_000);
      // A single message that fits still goes through afterwards: 0.0100 − 0.0080 = 0.0020.
      expect((await send(a.key, { from: 'HELLIO', to: US, message: 'hi' })).statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(2_000);
      await expectRefusedWithoutWrites(a, { from: 'HELLIO', to: US, message: 'hi' }, 402, 'insufficient_balance');
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(2_000);
    });

    it('spends the balance exactly to zero', async () => {
      const a = await h.account({ balance: '0.016' });
      const res = await send(a.key, { from: 'HELLIO', to: [US, US2], message: 'hi' });
      expect(res.statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(0);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(0);
    });

    it('never charges a sandbox (cs_test_) key, even with an empty wallet, but records the messages', async () => {
      const a = await h.account({ balance: '0', test: true });
      expect(a.key.startsWith('cs_test_')).toBe(true);
      const before = await peek.totals();
      const res = await send(a.key, { from: 'HELLIO', to: [US, UK], message: 'sandbox' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.campaign_id).toMatch(/^cmp_/);
      expect(body.messages).toHaveLength(2);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(0);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(0);
      expect(await h.rt.store.wallet.ledger(a.id)).toEqual([]);
      const stored = await h.rt.store.messages.list(a.id, {}, 10);
      expect(stored).toHaveLength(2);
      expect(stored.every((m) => m.sandbox === 1 && m.status === 'queued')).toBe(true);
      expect((await peek.totals()).jobs - before.jobs).toBe(2);
      expect((await getMessage(a.key, body.messages[0].id)).json().sandbox).toBe(true);
    });

    it('does not charge a sandbox key of a funded account', async () => {
      const a = await h.account({ balance: '5.00' });
      const t = await h.key(a.id, { test: true });
      expect((await send(t.key, { from: 'HELLIO', to: US, message: 'hi' })).statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(5_000_000);
      expect((await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit')).toEqual([]);
    });
  });

  describe('scheduling', () => {
    it('stores a future message as scheduled with its job due at scheduled_at, and debits now', async () => {
      const a = await h.account();
      const at = new Date(Date.now() + 2 * 3_600_000);
      at.setUTCMilliseconds(0);
      const iso = at.toISOString();
      const res = await send(a.key, { from: 'HELLIO', to: [US, UK], message: 'later', scheduled_at: iso });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.messages.map((m: { status: string }) => m.status)).toEqual(['scheduled', 'scheduled']);
      const ids: string[] = body.messages.map((m: { id: string }) => m.id);
      const jobs = await peek.jobsFor(ids);
      expect(jobs).toHaveLength(2);
      for (const j of jobs) expect(j).toMatchObject({ kind: 'deliver.sms', run_at: at.getTime(), status: 'pending' });
      const got = (await getMessage(a.key, ids[0]!)).json();
      expect(got).toMatchObject({ status: 'scheduled', scheduled_at: iso, events: [{ status: 'scheduled' }] });
      expect((await h.rt.store.messages.get(a.id, ids[1]!))?.scheduled_at).toBe(at.getTime());
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 48_000);
    });

    it('accepts a scheduled_at with an offset and stores the instant', async () => {
      const a = await h.account();
      const at = new Date(Date.now() + 86_400_000);
      at.setUTCMilliseconds(0);
      // The same instant written at +02:00.
      const local = new Date(at.getTime() + 2 * 3_600_000).toISOString().replace('.000Z', '+02:00');
      const res = await send(a.key, { from: 'HELLIO', to: US, message: 'later', scheduled_at: local });
      expect(res.statusCode).toBe(200);
      const id = res.json().messages[0].id;
      expect((await h.rt.store.messages.get(a.id, id))?.scheduled_at).toBe(at.getTime());
      expect((await peek.jobsFor([id]))[0]?.run_at).toBe(at.getTime());
    });

    it('sends a scheduled_at less than 60 s in the past right away (a client clock a little behind)', async () => {
      const a = await h.account();
      const res = await send(a.key, { from: 'HELLIO', to: US, message: 'now', scheduled_at: new Date(Date.now() - 20_000).toISOString() });
      expect(res.statusCode).toBe(200);
      expect(res.json().messages[0].status).toBe('queued');
      expect((await peek.jobsFor([res.json().messages[0].id]))).toHaveLength(1);
    });

    it('refuses a scheduled_at more than 60 s in the past with 422, writing nothing', async () => {
      const a = await h.account();
      for (const at of ['2020-01-01T00:00:00Z', new Date(Date.now() - 120_000).toISOString()]) {
        const body = await expectRefusedWithoutWrites(a, { from: 'HELLIO', to: [US, UK], message: 'late', scheduled_at: at }, 422, 'validation_failed');
        expect(body.errors).toEqual([{ field: 'scheduled_at', message: 'must not be more than 60 seconds in the past' }]);
      }
    });
  });
});
