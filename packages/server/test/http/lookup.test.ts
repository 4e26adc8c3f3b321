import { randomUUID } from 'node:crypto';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';

/**
 * POST /lookup, GET /lookups, GET /lookup/{id} (SPEC §3, docs/lookup.md). The default lookup price
 * is one flat 0.0050 (migration 0008_lookups), 5,000 micro-units.
 */
const PRICE = 5_000;

interface Expected {
  valid: boolean;
  possible: boolean;
  country: string | null;
  type: string;
  validation_errors?: string[];
  carrier: string | null;
  region: string | null;
}

const ok = (country: string, type: string, carrier: string | null = null, region: string | null = null): Expected => ({
  valid: true,
  possible: true,
  country,
  type,
  carrier,
  region,
});
const invalid = (possible: boolean, country: string | null, reason: string): Expected => ({
  valid: false,
  possible,
  country,
  type: 'unknown',
  validation_errors: [reason],
  carrier: null,
  region: null,
});

// Numbers of several countries and every kind libphonenumber tells apart. Type, validity and
// country are what libphonenumber's full metadata says (each row is also compared with a direct
// parse below); carriers and regions are Google's prefix data for well-known allocations.
const TABLE: Array<[label: string, number: string, country: string | undefined, expected: Expected]> = [
  ['UK mobile (Three)', '+447400123456', undefined, ok('GB', 'mobile', 'Three')],
  ['UK fixed line in London', '+442079460958', undefined, ok('GB', 'fixed_line', null, 'London')],
  ['UK toll free', '+448001234567', undefined, ok('GB', 'toll_free')],
  ['UK VoIP', '+445612345678', undefined, ok('GB', 'voip')],
  ['UK premium rate', '+449012345678', undefined, ok('GB', 'premium_rate')],
  ['UK personal number', '+447012345678', undefined, ok('GB', 'personal_number')],
  ['UK pager', '+447640123456', undefined, ok('GB', 'pager')],
  ['UK UAN', '+445512345678', undefined, ok('GB', 'uan')],
  ['US number (fixed line or mobile), no carrier data for US ranges', '+14155552671', undefined, ok('US', 'fixed_line_or_mobile', null, 'San Francisco, CA')],
  ['US toll free', '+18005550199', undefined, ok('US', 'toll_free')],
  ['US premium rate', '+19005550199', undefined, ok('US', 'premium_rate')],
  ['Bahamas mobile inside +1', '+12423570000', undefined, ok('BS', 'mobile', 'BaTelCo')],
  ['French mobile (SFR)', '+33612345678', undefined, ok('FR', 'mobile', 'SFR')],
  ['French shared cost', '+33810123456', undefined, ok('FR', 'shared_cost')],
  ['French VoIP', '+33912345678', undefined, ok('FR', 'voip')],
  ['German mobile (T-Mobile)', '+491701234567', undefined, ok('DE', 'mobile', 'T-Mobile')],
  ['German fixed line in Berlin', '+4930123456', undefined, ok('DE', 'fixed_line', null, 'Berlin')],
  ['Brazilian mobile, numbered by area', '+5511987654321', undefined, ok('BR', 'mobile', 'TIM', 'São Paulo')],
  ['Chinese mobile (China Telecom)', '+8619912345678', undefined, ok('CN', 'mobile', 'China Telecom')],
  ['Japanese fixed line in Tokyo', '+81312345678', undefined, ok('JP', 'fixed_line', null, 'Tokyo')],
  ['Kenyan mobile (Safaricom)', '+254712345678', undefined, ok('KE', 'mobile', 'Safaricom')],
  ['Nigerian mobile (MTN)', '+2348031234567', undefined, ok('NG', 'mobile', 'MTN')],
  ['a national UK number with country GB', '020 7946 0958', 'GB', ok('GB', 'fixed_line', null, 'London')],
  ['a national French mobile with country "fr"', '06 12 34 56 78', 'fr', ok('FR', 'mobile', 'SFR')],
  ['a national US number with country US', '(415) 555-2671', 'US', ok('US', 'fixed_line_or_mobile', null, 'San Francisco, CA')],
  ['an international access code with country DE', '0049 30 123456', 'DE', ok('DE', 'fixed_line', null, 'Berlin')],
  ['a "+" number whose country argument is ignored', '+33612345678', 'US', ok('FR', 'mobile', 'SFR')],
  ['an unassigned US area code (invalid, possible)', '+19999999999', undefined, invalid(true, null, 'invalid_but_possible')],
  ['a UK drama number (invalid, possible)', '+447700900123', undefined, invalid(true, null, 'invalid_but_possible')],
  ['a too short number', '+4411', undefined, invalid(false, null, 'too_short')],
  ['a too long number', '+3906123456789012', undefined, invalid(false, null, 'too_long')],
  ['a too short national number with country GB', '071234', 'GB', invalid(false, 'GB', 'too_short')],
];

const VIEW_KEYS = [
  'carrier',
  'country',
  'created_at',
  'currency',
  'id',
  'international_format',
  'national_format',
  'number',
  'possible',
  'price',
  'region',
  'sandbox',
  'type',
  'valid',
  'validation_errors',
];

describe.each(BACKENDS)('number lookup on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  const lookup = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/lookup', headers: { ...bearer(key), ...headers }, payload: payload as object });
  const getOne = (key: string, id: string) => h.app.inject({ method: 'GET', url: `/lookup/${id}`, headers: bearer(key) });
  const list = (key: string, query = '') => h.app.inject({ method: 'GET', url: `/lookups${query}`, headers: bearer(key) });

  /** What a lookup can write for an account: its money and its stored lookups. */
  async function stateOf(accountId: string) {
    const store = h.rt.store;
    const [balance, ledgerSum, ledger, lookups] = await Promise.all([
      store.wallet.balance(accountId),
      store.wallet.ledgerSum(accountId),
      store.wallet.ledger(accountId),
      store.lookups.list(accountId, undefined, 1000),
    ]);
    return { balance, ledgerSum, ledger: ledger.length, lookups: lookups.length };
  }

  async function expectRefused(a: TestAccount, payload: unknown, status: number, code: string, headers: Record<string, string> = {}) {
    const before = await stateOf(a.id);
    const body = expectError(await lookup(a.key, payload, headers), status, code);
    expect(await stateOf(a.id)).toEqual(before);
    return body;
  }

  describe('what a number says', () => {
    it.each(TABLE)('%s', async (_label, number, country, expected) => {
      const a = await h.account();
      const res = await lookup(a.key, country === undefined ? { number } : { number, country });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ ...expected, validation_errors: expected.validation_errors ?? [] });

      // The same facts straight from libphonenumber, so a table row cannot drift from the library.
      const phone = parsePhoneNumberFromString(number, country ? { defaultCountry: country.toUpperCase() as CountryCode } : {})!;
      expect(body).toMatchObject({
        number: phone.number,
        valid: phone.isValid(),
        possible: phone.isPossible(),
        national_format: phone.formatNational(),
        international_format: phone.formatInternational(),
      });
      if (phone.isValid()) expect(body.type).toBe(phone.getType()!.toLowerCase());
    });
  });

  describe('POST /lookup', () => {
    it('answers the documented shape, stores the lookup and debits its price', async () => {
      const a = await h.account();
      const res = await lookup(a.key, { number: '+447400123456' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(VIEW_KEYS);
      expect(body).toEqual({
        id: expect.stringMatching(/^lkp_[0-9a-z]{26}$/),
        number: '+447400123456',
        valid: true,
        possible: true,
        country: 'GB',
        type: 'mobile',
        validation_errors: [],
        carrier: 'Three',
        region: null,
        national_format: '07400 123456',
        international_format: '+44 7400 123456',
        price: '0.0050',
        currency: 'USD',
        sandbox: false,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });

      const got = await getOne(a.key, body.id);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(body);

      const row = await h.rt.store.lookups.get(a.id, body.id);
      expect(row).toMatchObject({ input: '+447400123456', input_country: null, key_id: a.keyId, price_micros: PRICE, sandbox: 0 });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - PRICE);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(100_000_000 - PRICE);
      const debits = (await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit');
      expect(debits).toEqual([expect.objectContaining({ amount_micros: -PRICE, reference: body.id, balance_after_micros: 100_000_000 - PRICE })]);
      // A lookup is no message: nothing is queued.
      expect(await h.rt.store.messages.list(a.id, {}, 10)).toEqual([]);
    });

    it('keeps the number and country as they were written', async () => {
      const a = await h.account();
      const res = await lookup(a.key, { number: ' 020 7946 0958 ', country: 'gb' });
      expect(res.statusCode).toBe(200);
      expect(await h.rt.store.lookups.get(a.id, res.json().id)).toMatchObject({ input: ' 020 7946 0958 ', input_country: 'gb', number: '+442079460958' });
    });

    it('charges a number that is not valid like any other: the answer is the service', async () => {
      const a = await h.account();
      const res = await lookup(a.key, { number: '+19999999999' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ valid: false, price: '0.0050' });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - PRICE);
    });

    it('never charges a sandbox (cs_test_) key, even with an empty wallet, but stores the lookup', async () => {
      const a = await h.account({ balance: '0', test: true });
      expect(a.key.startsWith('cs_test_')).toBe(true);
      const res = await lookup(a.key, { number: '+491701234567' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ carrier: 'T-Mobile', price: '0.0050', sandbox: true });
      expect(await h.rt.store.wallet.ledger(a.id)).toEqual([]);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(0);
      expect((await getOne(a.key, res.json().id)).json().sandbox).toBe(true);
    });

    it('charges the rate `hellio prices set --channel lookup` sets, by destination prefix', async () => {
      const a = await h.account();
      const set = await hellio(['prices', 'set', '--channel', 'lookup', '--prefix', '254', '--price', '0.0120', '--json'], h.database.env);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({ channel: 'lookup', prefix: '254', price: '0.0120', currency: 'USD' });
      const listed = await hellio(['prices', 'list', '--channel', 'lookup', '--json'], h.database.env);
      expect(JSON.parse(listed.stdout).data).toEqual([
        { prefix: '', price: '0.0050' },
        { prefix: '254', price: '0.0120' },
      ]);

      expect((await lookup(a.key, { number: '+254712345678' })).json().price).toBe('0.0120');
      expect((await lookup(a.key, { number: '+14155552671' })).json().price).toBe('0.0050');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 12_000 - PRICE);

      const typo = await hellio(['prices', 'set', '--channel', 'lookups', '--price', '1.00', '--json'], h.database.env);
      expect(typo.code).not.toBe(0);
      expect(JSON.parse(typo.stderr)).toMatchObject({ code: 'validation_failed', errors: [{ field: 'channel', message: expect.stringContaining('lookup') }] });
    });
  });

  describe('validation (422, nothing charged or stored)', () => {
    it.each([
      ['a missing number', {}, 'number'],
      ['an empty number', { number: '' }, 'number'],
      ['a number over 64 characters', { number: `+44${'1'.repeat(63)}` }, 'number'],
      ['an unknown field', { number: '+447400123456', carrier: true }, 'carrier'],
      ['a number with letters (a vanity number)', { number: '+1 800 FLOWERS' }, 'number'],
      ['a number with an extension', { number: '+44 20 7946 0958 ext. 12' }, 'number'],
      ['a number with other symbols', { number: '+44 20 7946 0958; +1 415 555 2671' }, 'number'],
      ['a national number without country', { number: '020 7946 0958' }, 'number'],
      ['a calling code that does not exist', { number: '+999123456789' }, 'number'],
      ['a number too short to parse', { number: '+12' }, 'number'],
      ['only punctuation', { number: '+()' }, 'number'],
      ['a country that is not two letters', { number: '020 7946 0958', country: 'GBR' }, 'country'],
      ['a country code no numbering plan has', { number: '020 7946 0958', country: 'ZZ' }, 'country'],
      ['a country that is a number', { number: '020 7946 0958', country: 44 }, 'country'],
    ])('refuses %s', async (_label, payload, field) => {
      const a = await h.account();
      const body = await expectRefused(a, payload, 422, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });

    it('names both fields when both are wrong', async () => {
      const a = await h.account();
      const body = await expectRefused(a, { number: 'call me', country: 'XX' }, 422, 'validation_failed');
      expect(body.errors!.map((e) => e.field).sort()).toEqual(['country', 'number']);
    });

    it('explains what a national number needs', async () => {
      const a = await h.account();
      const body = await expectRefused(a, { number: '07400 123456' }, 422, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'number', message: expect.stringContaining('country') }]);
    });

    it('refuses malformed JSON with 400 invalid_json', async () => {
      const a = await h.account();
      const res = await h.app.inject({
        method: 'POST',
        url: '/lookup',
        headers: { ...bearer(a.key), 'content-type': 'application/json' },
        payload: '{"number": ',
      });
      expectError(res, 400, 'invalid_json');
    });
  });

  describe('the pipeline', () => {
    it('answers 401 without a key and with an unknown one', async () => {
      expectError(await h.app.inject({ method: 'POST', url: '/lookup', payload: { number: '+447400123456' } }), 401, 'missing_credentials');
      expectError(await h.app.inject({ method: 'GET', url: '/lookups' }), 401, 'missing_credentials');
      const unknown = `cs_${'A'.repeat(64)}`;
      expectError(await lookup(unknown, { number: '+447400123456' }), 401, 'invalid_credentials');
      expectError(await list(unknown), 401, 'invalid_credentials');
    });

    it('needs the lookup scope on every lookup endpoint', async () => {
      const a = await h.account();
      const made = (await lookup(a.key, { number: '+447400123456' })).json();
      const k = await h.key(a.id, { scopes: 'sms:send,reports,balance' });
      const before = await stateOf(a.id);
      const refused = expectError(await lookup(k.key, { number: '+447400123456' }), 403, 'insufficient_scope');
      expect(refused.message).toContain('lookup');
      expectError(await list(k.key), 403, 'insufficient_scope');
      expectError(await getOne(k.key, made.id), 403, 'insufficient_scope');
      expect(await stateOf(a.id)).toEqual(before);
      // A key holding only "lookup" is enough.
      const only = await h.key(a.id, { scopes: 'lookup' });
      expect((await lookup(only.key, { number: '+447400123456' })).statusCode).toBe(200);
      expect((await getOne(only.key, made.id)).statusCode).toBe(200);
    });

    it('refuses with 402 insufficient_balance when the wallet cannot pay, and writes nothing', async () => {
      const a = await h.account({ balance: '0.004' });
      await expectRefused(a, { number: '+447400123456' }, 402, 'insufficient_balance');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(4_000);
    });

    it('spends the balance exactly to zero', async () => {
      const a = await h.account({ balance: '0.005' });
      expect((await lookup(a.key, { number: '+447400123456' })).statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(0);
      await expectRefused(a, { number: '+447400123456' }, 402, 'insufficient_balance');
    });

    it('refuses past a spend cap with 403 spend_cap_exceeded, and writes nothing', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 12_000 });
      expect((await lookup(a.key, { number: '+447400123456' })).statusCode).toBe(200);
      expect((await lookup(a.key, { number: '+447400123456' })).statusCode).toBe(200);
      await expectRefused(a, { number: '+447400123456' }, 403, 'spend_cap_exceeded'); // would be 0.0150
      const balance = (await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) })).json();
      expect(balance.spend_caps.daily).toEqual({ limit: '0.0120', used: '0.0100' });
    });

    it('replays an Idempotency-Key retry without a second lookup or charge, and refuses the key for another body', async () => {
      const a = await h.account();
      const key = `lkp-${randomUUID()}`;
      const first = await lookup(a.key, { number: '+254712345678' }, { 'idempotency-key': key });
      expect(first.statusCode).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await lookup(a.key, { number: '+254712345678' }, { 'idempotency-key': key });
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
      const state = await stateOf(a.id);
      expect(state.lookups).toBe(1);
      expect(state.ledger).toBe(2); // the top-up and one debit

      await expectRefused(a, { number: '+447400123456' }, 422, 'idempotency_key_reused', { 'idempotency-key': key });
      await expectRefused(a, { number: '+254712345678', country: 'KE' }, 422, 'idempotency_key_reused', { 'idempotency-key': key });
      expect((await stateOf(a.id)).lookups).toBe(1);
    });

    it('answers 409 idempotency_in_progress to a duplicate that arrives while the first still runs', async () => {
      const a = await h.account();
      const key = `lkp-${randomUUID()}`;
      // Hold the first request where it reads the price list: it has claimed the key by then.
      const prices = h.rt.store.prices;
      const original = prices.list;
      let entered!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const released = new Promise<void>((r) => (release = r));
      prices.list = async function (this: typeof prices, channel: string) {
        if (channel === 'lookup') {
          entered();
          await released;
        }
        return original.call(this, channel);
      };
      try {
        const first = lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key });
        await inside;
        prices.list = original;
        expectError(await lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key }), 409, 'idempotency_in_progress');
        release();
        expect((await first).statusCode).toBe(200);
      } finally {
        prices.list = original;
        release();
      }
      expect((await lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key })).headers['idempotent-replayed']).toBe('true');
      expect((await stateOf(a.id)).lookups).toBe(1);
    });

    it('does not keep an Idempotency-Key whose request failed validation', async () => {
      const a = await h.account();
      const key = `lkp-${randomUUID()}`;
      expectError(await lookup(a.key, { number: 'not a number' }, { 'idempotency-key': key }), 422, 'validation_failed');
      const fixed = await lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key });
      expect(fixed.statusCode).toBe(200);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    });

    it('remembers a 402 under its Idempotency-Key', async () => {
      const a = await h.account({ balance: '0' });
      const key = `lkp-${randomUUID()}`;
      const first = await lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key });
      expectError(first, 402, 'insufficient_balance');
      const again = await lookup(a.key, { number: '+447400123456' }, { 'idempotency-key': key });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expectError(again, 402, 'insufficient_balance');
    });
  });

  it('is in /openapi.json: three operations behind the bearer scheme, with the documented fields', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, method] of [['/lookup', 'post'], ['/lookups', 'get'], ['/lookup/{id}', 'get']] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security).toEqual([{ apiKey: [] }]);
      expect(op.responses['200']).toBeDefined();
    }
    const body = doc.paths['/lookup'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['number']);
    expect(Object.keys(body.properties).sort()).toEqual(['country', 'number']);
    const answer = doc.paths['/lookup'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(answer.properties).sort()).toEqual(VIEW_KEYS);
  });

  describe('GET /lookup/{id} and GET /lookups', () => {
    it("answers 404 for another account's lookup exactly as for a missing one", async () => {
      const a = await h.account();
      const b = await h.account();
      const id = (await lookup(a.key, { number: '+447400123456' })).json().id;
      const foreign = expectError(await getOne(b.key, id), 404, 'not_found');
      const missing = expectError(await getOne(b.key, `lkp_${'0'.repeat(26)}`), 404, 'not_found');
      expect(foreign.message).toBe(missing.message);
      expectError(await getOne(a.key, 'lkp_nope'), 404, 'not_found');
      expect((await list(b.key)).json()).toEqual({ data: [], next_cursor: null });
    });

    it('pages newest first with limit and cursor, over this account only', async () => {
      const a = await h.account();
      const other = await h.account();
      await lookup(other.key, { number: '+33612345678' });
      const numbers = ['+447400123456', '+33612345678', '+491701234567', '+254712345678', '+14155552671'];
      const ids: string[] = [];
      for (const number of numbers) ids.push((await lookup(a.key, { number })).json().id);
      const newestFirst = [...ids].reverse();

      const seen: string[] = [];
      let cursor: string | null = null;
      const sizes: number[] = [];
      do {
        const res = await list(a.key, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        const page = res.json();
        sizes.push(page.data.length);
        for (const item of page.data) expect(Object.keys(item).sort()).toEqual(VIEW_KEYS);
        seen.push(...page.data.map((l: { id: string }) => l.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(newestFirst);

      const all = (await list(a.key)).json();
      expect(all.next_cursor).toBeNull();
      expect(all.data.map((l: { number: string }) => l.number)).toEqual([...numbers].reverse());
      expect(all.data[0]).toEqual((await getOne(a.key, newestFirst[0]!)).json());
    });

    it.each([
      ['a limit of 0', '?limit=0', 'limit'],
      ['a limit over 100', '?limit=101', 'limit'],
      ['a cursor this endpoint did not return', '?cursor=msg_01jv0000000000000000000000', 'cursor'],
      ['an unknown parameter', '?number=%2B447400123456', 'number'],
    ])('refuses %s with 422', async (_label, query, field) => {
      const a = await h.account();
      const body = expectError(await list(a.key, query), 422, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });
  });
});
