import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { formatMicros, parseMicros } from '../../src/lib/money.ts';
import { adjustBalance, topUp } from '../../src/modules/billing/wallet.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, type InjectedResponse } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';
import { keepEvents } from '../support/events.ts';

/**
 * The management API, part two: billing (balance, caps, the low-balance alert), the ledger and its
 * CSV export, usage series, the sandbox inbox, and the search of messages by recipient — each
 * endpoint's success, its errors, and its security cases.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('the management API: billing, ledger, usage, sandbox inbox, message search (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  /** Another account's owner, for the "another account's id" cases. */
  let stranger: Session;

  beforeAll(async () => {
    h = await createHarness(backend, {
      clock,
      // The clock moves by days here; sessions must outlive it.
      env: { HELLIO_SESSION_IDLE_MINUTES: '525600', HELLIO_SESSION_MAX_HOURS: '8760', HELLIO_LOGIN_PER_IP: '1000', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    stranger = await person(h, { accountId: (await h.account()).id, role: 'owner' });
  });
  afterAll(async () => h?.close());

  const call = (s: Session | null, method: string, url: string, payload?: unknown): Promise<InjectedResponse> =>
    h.app.inject({ method: method as 'GET', url, headers: s ? s.headers() : {}, ...(payload !== undefined ? { payload: payload as object } : {}) }) as Promise<InjectedResponse>;
  const ok = async (s: Session, method: string, url: string, payload?: unknown) => {
    const res = await call(s, method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return res.json();
  };
  const send = async (key: string, url: string, payload: object) => {
    const res = await h.app.inject({ method: 'POST', url, headers: bearer(key), payload });
    expect(res.statusCode, `POST ${url}: ${res.body}`).toBe(200);
    return res.json();
  };
  const sms = (key: string, to: string | string[], extra: object = {}) => send(key, '/sms/send', { from: 'HELLIO', to, message: 'usage', ...extra });
  async function expectForeignLikeMissing(accountId: string, method: string, path: string, payload?: unknown) {
    const foreign = expectError(await call(stranger, method, `/accounts/${accountId}${path}`, payload), 404, 'not_found');
    const missing = expectError(await call(stranger, method, `/accounts/${newId('acc')}${path}`, payload), 404, 'not_found');
    expect(foreign).toEqual(missing);
  }

  /** A fresh account with its members. */
  async function team() {
    const acc = await h.account();
    return {
      acc,
      base: `/accounts/${acc.id}`,
      owner: await person(h, { accountId: acc.id, role: 'owner' }),
      admin: await person(h, { accountId: acc.id, role: 'admin' }),
      developer: await person(h, { accountId: acc.id, role: 'developer' }),
      viewer: await person(h, { accountId: acc.id, role: 'viewer' }),
    };
  }

  describe('billing', () => {
    it('shows the balance, the caps with what they used, and the low-balance alert', async () => {
      const t = await team();
      expect(await ok(t.viewer, 'GET', `${t.base}/billing`)).toEqual({
        balance: '100.0000',
        currency: 'USD',
        spend_caps: { daily: { limit: null, used: '0.0000' }, monthly: { limit: null, used: '0.0000' } },
        low_balance_alert: { below: null },
      });
      const price = parseMicros((await sms(t.acc.key, '+447911123456')).total_price)!;
      const b = await ok(t.admin, 'GET', `${t.base}/billing`);
      expect(b.balance).toBe(formatMicros(100_000_000 - price));
      expect(b.spend_caps.daily.used).toBe(formatMicros(price));
      expect(b.spend_caps.monthly.used).toBe(formatMicros(price));
      expectError(await call(t.developer, 'GET', `${t.base}/billing`), 403, 'forbidden');
      await expectForeignLikeMissing(t.acc.id, 'GET', '/billing');
    });

    it('sets the spend caps, which the pipeline then applies; null clears them; audited', async () => {
      const t = await team();
      const price = parseMicros((await sms(t.acc.key, '+447911123456')).total_price)!;
      // The day's cap at what the day used: the next send would exceed it.
      const set = await ok(t.admin, 'PUT', `${t.base}/caps`, { daily: formatMicros(price), monthly: '250' });
      expect(set.spend_caps).toEqual({ daily: { limit: formatMicros(price), used: formatMicros(price) }, monthly: { limit: '250.0000', used: formatMicros(price) } });
      expectError(await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(t.acc.key), payload: { from: 'HELLIO', to: '+447911123456', message: 'over' } }), 403, 'spend_cap_exceeded');
      const cleared = await ok(t.owner, 'PUT', `${t.base}/caps`, { daily: null, monthly: null });
      expect(cleared.spend_caps.daily.limit).toBeNull();
      expect(cleared.spend_caps.monthly.limit).toBeNull();
      await sms(t.acc.key, '+447911123456');

      const rows = (await ok(t.owner, 'GET', `${t.base}/audit?action=billing.caps`)).data;
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ before: { daily: formatMicros(price), monthly: '250.0000' }, after: { daily: null, monthly: null } });
      expect(rows[1]).toMatchObject({ before: { daily: null, monthly: null }, after: { daily: formatMicros(price), monthly: '250.0000' } });
    });

    it('refuses caps that are not amounts, a missing cap, a developer or viewer, and another account', async () => {
      const t = await team();
      const bad = expectError(await call(t.owner, 'PUT', `${t.base}/caps`, { daily: 'ten', monthly: '-1' }), 422, 'validation_failed');
      expect(bad.errors!.map((e) => e.field).sort()).toEqual(['daily', 'monthly']);
      for (const payload of [{ daily: '1.1234567', monthly: null }, { daily: '1' }, { daily: null, monthly: null, weekly: '1' }, {}]) {
        expectError(await call(t.owner, 'PUT', `${t.base}/caps`, payload), 422, 'validation_failed');
      }
      for (const s of [t.developer, t.viewer]) expectError(await call(s, 'PUT', `${t.base}/caps`, { daily: '1', monthly: null }), 403, 'forbidden');
      await expectForeignLikeMissing(t.acc.id, 'PUT', '/caps', { daily: '1', monthly: null });
      expect((await ok(t.owner, 'GET', `${t.base}/billing`)).spend_caps.daily.limit).toBeNull();
    });

    it('sets and clears the low-balance alert, which then announces balance.low when a debit crosses it', async () => {
      const t = await team();
      await keepEvents(h.rt, t.acc.id);
      const set = await ok(t.admin, 'PUT', `${t.base}/alerts/low-balance`, { below: '99.99' });
      expect(set.low_balance_alert).toEqual({ below: '99.9900' });
      await sms(t.acc.key, '+447911123456');
      const events = await h.rt.store.events.list(t.acc.id, { type: 'balance.low', limit: 10 });
      expect(events).toHaveLength(1);
      expect((await ok(t.owner, 'PUT', `${t.base}/alerts/low-balance`, { below: null })).low_balance_alert).toEqual({ below: null });
      for (const below of ['0', '0.00', 'low', '-5']) expectError(await call(t.owner, 'PUT', `${t.base}/alerts/low-balance`, { below }), 422, 'validation_failed');
      expectError(await call(t.owner, 'PUT', `${t.base}/alerts/low-balance`, {}), 422, 'validation_failed');
      expectError(await call(t.developer, 'PUT', `${t.base}/alerts/low-balance`, { below: '1' }), 403, 'forbidden');
      await expectForeignLikeMissing(t.acc.id, 'PUT', '/alerts/low-balance', { below: '1' });
      const rows = (await ok(t.owner, 'GET', `${t.base}/audit?action=billing.low_balance_alert`)).data;
      expect(rows.map((r: { after: unknown }) => r.after)).toEqual([{ below: null }, { below: '99.9900' }]);
    });
  });

  describe('the ledger', () => {
    it('lists the ledger newest first, a page at a time, by kind and by time', async () => {
      const t = await team();
      const t0 = clock.now();
      await sms(t.acc.key, '+447911123456');
      clock.advance(2 * DAY);
      const t1 = clock.now();
      await adjustBalance(h.rt.ctx, t.acc.id, -1_500_000, 'goodwill, reversed');
      await topUp(h.rt.ctx, t.acc.id, 20_000_000, 'invoice 7');
      clock.advance(DAY);

      const all = await ok(t.viewer, 'GET', `${t.base}/ledger`);
      expect(all.next_cursor).toBeNull();
      expect(all.data.map((r: { kind: string }) => r.kind)).toEqual(['topup', 'adjustment', 'debit', 'topup']);
      expect(all.data[0]).toEqual({ id: expect.stringMatching(/^led_/), kind: 'topup', amount: '20.0000', balance_after: expect.any(String), currency: 'USD', reference: null, note: 'invoice 7', created_at: expect.any(String) });
      expect(all.data[1]).toMatchObject({ kind: 'adjustment', amount: '-1.5000', note: 'goodwill, reversed' });
      expect(all.data[2]).toMatchObject({ kind: 'debit', reference: expect.stringMatching(/^msg_/) });
      // The balance after the newest row is the balance.
      expect(all.data[0].balance_after).toBe((await ok(t.viewer, 'GET', `${t.base}/billing`)).balance);

      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const p = await ok(t.viewer, 'GET', `${t.base}/ledger?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        pages.push(p.data.map((r: { id: string }) => r.id));
        cursor = p.next_cursor;
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
      expect(pages.flat()).toEqual(all.data.map((r: { id: string }) => r.id));

      expect((await ok(t.viewer, 'GET', `${t.base}/ledger?kind=topup`)).data.map((r: { note: string | null }) => r.note)).toEqual(['invoice 7', null]);
      const since = await ok(t.viewer, 'GET', `${t.base}/ledger?from=${encodeURIComponent(new Date(t1).toISOString())}`);
      expect(since.data.map((r: { kind: string }) => r.kind)).toEqual(['topup', 'adjustment']);
      const before = await ok(t.viewer, 'GET', `${t.base}/ledger?to=${encodeURIComponent(new Date(t1).toISOString())}`);
      expect(before.data.map((r: { kind: string }) => r.kind)).toEqual(['debit', 'topup']);
      // A date is its midnight, UTC.
      const day = new Date(t0 + DAY).toISOString().slice(0, 10);
      expect((await ok(t.viewer, 'GET', `${t.base}/ledger?to=${day}`)).data.map((r: { kind: string }) => r.kind)).toEqual(['debit', 'topup']);
    });

    it('refuses an unknown kind, malformed or inverted dates and a foreign cursor (422), a developer, and another account', async () => {
      const t = await team();
      for (const q of ['kind=bonus', 'from=yesterday', 'to=2026-13-01', 'from=2026-02-01&to=2026-01-01', `cursor=${t.acc.id}`, 'limit=0', 'colour=red']) {
        expectError(await call(t.viewer, 'GET', `${t.base}/ledger?${q}`), 422, 'validation_failed');
      }
      expectError(await call(t.developer, 'GET', `${t.base}/ledger`), 403, 'forbidden');
      await expectForeignLikeMissing(t.acc.id, 'GET', '/ledger');
    });

    it('exports every row of the filter as CSV, across pages, with amounts as decimal strings and text made safe', async () => {
      const t = await team();
      for (let i = 1; i <= 600; i++) await topUp(h.rt.ctx, t.acc.id, i * 10_000, i === 600 ? '=HYPERLINK("x"), "quoted"\nline' : `top-up ${i}`);
      await adjustBalance(h.rt.ctx, t.acc.id, -2_000_000, 'fix');
      const res = await call(t.viewer, 'GET', `${t.base}/ledger.csv`);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="ledger-${t.acc.id}.csv"`);
      const lines = res.body.split('\r\n');
      expect(lines.pop()).toBe('');
      expect(lines[0]).toBe('id,created_at,kind,amount,balance_after,currency,reference,note');
      // Every row: the first top-up of 100.00, 600 more and the adjustment — not a page of them.
      const ledger = await h.rt.store.wallet.ledger(t.acc.id);
      expect(ledger).toHaveLength(602);
      // 602 records and the header; records end with CRLF, the quoted note keeps its bare LF inside.
      expect(lines).toHaveLength(603);
      expect(lines[1]).toMatch(/^led_[0-9a-z]{26},[^,]+,adjustment,-2\.0000,\d+\.\d{4},USD,,fix$/);
      expect(lines[2]).toMatch(/,topup,6\.0000,\d+\.\d{4},USD,,"'=HYPERLINK\(""x""\), ""quoted""\nline"$/);
      expect(lines[3]).toContain(',topup,5.9900,');
      expect(lines[lines.length - 1]).toContain(',topup,100.0000,100.0000,USD,,');
      const ids = lines.slice(1).map((l) => l.split(',')[0]);
      expect(ids).toEqual(ledger.map((r) => r.id).reverse());

      const adjustments = await call(t.viewer, 'GET', `${t.base}/ledger.csv?kind=adjustment`);
      expect(adjustments.body.split('\r\n').filter(Boolean)).toHaveLength(2);
      expectError(await call(t.viewer, 'GET', `${t.base}/ledger.csv?kind=bonus`), 422, 'validation_failed');
      expectError(await call(t.viewer, 'GET', `${t.base}/ledger.csv?from=soon`), 422, 'validation_failed');
      expectError(await call(t.developer, 'GET', `${t.base}/ledger.csv`), 403, 'forbidden');
      await expectForeignLikeMissing(t.acc.id, 'GET', '/ledger.csv');
    });
  });

  describe('usage', () => {
    interface Msg {
      created_at: string;
      channel: string;
      status: string;
      price: string;
      sandbox: boolean;
    }

    /** The series the messages make, computed here from the message list the API shows. */
    function expected(messages: Msg[], width: number) {
      const cells = new Map<string, { bucket: string; channel: string; status: string; count: number; spend: number }>();
      for (const m of messages) {
        const bucket = new Date(Math.floor(Date.parse(m.created_at) / width) * width).toISOString();
        const k = `${bucket}|${m.channel}|${m.status}`;
        const c = cells.get(k) ?? { bucket, channel: m.channel, status: m.status, count: 0, spend: 0 };
        c.count += 1;
        c.spend += m.sandbox ? 0 : parseMicros(m.price)!;
        cells.set(k, c);
      }
      return [...cells.values()]
        .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.channel.localeCompare(b.channel) || a.status.localeCompare(b.status))
        .map((c) => ({ ...c, spend: formatMicros(c.spend) }));
    }

    it('counts messages and sums what they cost per hour or day, channel and status, as the messages show', async () => {
      const t = await team();
      const sandbox = await h.key(t.acc.id, { test: true });
      const start = clock.now();
      await sms(t.acc.key, '+447911123456');
      await sms(t.acc.key, '+14155550123');
      await send(t.acc.key, '/send', { from: 'news@example.com', to: ['a@example.org', 'b@example.org'], subject: 'hi', text: 'hello' });
      clock.advance(2 * HOUR);
      await sms(t.acc.key, ['+447911123457', '+447911123458', '+447911123459']);
      await sms(t.acc.key, '+447911123460', { scheduled_at: new Date(clock.now() + DAY).toISOString() });
      await sms(sandbox.key, '+447911123461');
      clock.advance(DAY);
      await sms(t.acc.key, '+447911123462');

      const messages: Msg[] = (await ok(t.viewer, 'GET', `${t.base}/messages?limit=100`)).data;
      expect(messages).toHaveLength(9);
      const from = new Date(start - HOUR).toISOString();
      const to = new Date(clock.now() + HOUR).toISOString();

      const hourly = await ok(t.developer, 'GET', `${t.base}/usage?granularity=hour&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(hourly.data).toEqual(expected(messages, HOUR));
      expect(new Set(hourly.data.map((c: { bucket: string }) => c.bucket)).size).toBeGreaterThanOrEqual(3);
      expect(hourly.data.some((c: { status: string }) => c.status === 'scheduled')).toBe(true);
      expect(hourly.totals).toEqual({ count: 9, spend: formatMicros(messages.filter((m) => !m.sandbox).reduce((n, m) => n + parseMicros(m.price)!, 0)) });
      expect(hourly).toMatchObject({ granularity: 'hour', currency: 'USD' });
      expect(hourly.from).toBe(new Date(Math.floor((start - HOUR) / HOUR) * HOUR).toISOString());
      // The sandbox message is counted, and costs nothing.
      const live = messages.filter((m) => !m.sandbox).reduce((n, m) => n + parseMicros(m.price)!, 0);
      const priced = messages.reduce((n, m) => n + parseMicros(m.price)!, 0);
      expect(live).toBeLessThan(priced);

      // Per channel over the range: counts, spend, per status, and the rates, as the messages show.
      for (const ch of ['email', 'sms']) {
        const mine = messages.filter((m) => m.channel === ch);
        const statuses: Record<string, number> = {};
        for (const m of mine) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
        const n = (...st: string[]) => mine.filter((m) => st.includes(m.status)).length;
        const pct = (k: number) => ((1000 * k) / mine.length / 10).toFixed(1);
        expect(hourly.channels.find((c: { channel: string }) => c.channel === ch)).toEqual({
          channel: ch,
          count: mine.length,
          spend: formatMicros(mine.filter((m) => !m.sandbox).reduce((k, m) => k + parseMicros(m.price)!, 0)),
          statuses,
          delivered: n('delivered'),
          failed: n('failed', 'undelivered'),
          bounced: n('bounced'),
          rates: { delivered: pct(n('delivered')), failed: pct(n('failed', 'undelivered')), bounced: pct(n('bounced')) },
        });
      }
      expect(hourly.channels.map((c: { channel: string }) => c.channel)).toEqual(['email', 'sms']);

      const daily = await ok(t.viewer, 'GET', `${t.base}/usage?granularity=day&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(daily.data).toEqual(expected(messages, DAY));
      expect(daily.channels).toEqual(hourly.channels);
      expect(daily.totals).toEqual(hourly.totals);

      const email = await ok(t.viewer, 'GET', `${t.base}/usage?granularity=hour&channel=email&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(email.data).toEqual(expected(messages.filter((m) => m.channel === 'email'), HOUR));
      expect(email.totals.count).toBe(1);

      // By default: the last 30 days, daily, up to now.
      const recent = await ok(t.viewer, 'GET', `${t.base}/usage`);
      expect(recent.granularity).toBe('day');
      expect(recent.totals.count).toBe(9);
      expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(30 * DAY);
      // Another account's messages are not counted; a range without messages is empty.
      expect((await ok(stranger, 'GET', `/accounts/${(await ok(stranger, 'GET', '/accounts')).data[0].id}/usage`)).totals.count).toBe(0);
      expect((await ok(t.viewer, 'GET', `${t.base}/usage?granularity=hour&from=2020-01-01&to=2020-01-02`)).channels).toEqual([]);
      expect((await ok(t.viewer, 'GET', `${t.base}/usage?granularity=hour&from=2020-01-01&to=2020-01-02`)).data).toEqual([]);
    });

    it('bounds the range (31 days hourly, 400 daily) and refuses malformed parameters', async () => {
      const t = await team();
      expect((await ok(t.viewer, 'GET', `${t.base}/usage?granularity=hour&from=2026-01-01&to=2026-02-01`)).data).toEqual([]);
      expect((await ok(t.viewer, 'GET', `${t.base}/usage?granularity=day&from=2025-01-01&to=2026-02-05`)).data).toEqual([]);
      for (const q of [
        'granularity=hour&from=2026-01-01&to=2026-02-02',
        'granularity=day&from=2025-01-01&to=2026-02-06',
        'granularity=week',
        'from=last-week',
        'from=2026-02-01&to=2026-01-01',
        'channel=fax',
        'colour=red',
      ]) {
        expectError(await call(t.viewer, 'GET', `${t.base}/usage?${q}`), 422, 'validation_failed');
      }
      await expectForeignLikeMissing(t.acc.id, 'GET', '/usage');
    });
  });

  describe('the sandbox inbox', () => {
    it("shows what the simulated recipients of the account's messages received, by recipient, a page at a time", async () => {
      const t = await team();
      const sandbox = await h.key(t.acc.id, { test: true });
      const other = await h.account({ test: true });
      await sms(sandbox.key, '+447911123456', { message: 'your code is 1234' });
      await sms(sandbox.key, '+447911123457', { message: 'second' });
      await send(sandbox.key, '/send', { from: 'news@example.com', to: 'reader@example.org', subject: 'Hello', text: 'mail body' });
      await sms(other.key, '+447911123456', { message: 'not theirs' });
      await h.rt.createWorker({ pollMs: 10 }).drain();

      const inbox = await ok(t.viewer, 'GET', `${t.base}/sandbox/inbox`);
      expect(inbox.data).toHaveLength(3);
      expect(inbox.data.map((e: { body: string }) => e.body)).not.toContain('not theirs');
      const mail = inbox.data.find((e: { channel: string }) => e.channel === 'email');
      expect(mail).toMatchObject({ id: expect.stringMatching(/^inb_/), message_id: expect.stringMatching(/^msg_/), to: 'reader@example.org', subject: 'Hello' });
      expect(mail.body).toContain('mail body');
      const one = await ok(t.viewer, 'GET', `${t.base}/sandbox/inbox?to=${encodeURIComponent('+447911123456')}`);
      expect(one.data).toHaveLength(1);
      expect(one.data[0]).toMatchObject({ channel: 'sms', from: 'HELLIO', to: '+447911123456', body: 'your code is 1234' });

      const first = await ok(t.viewer, 'GET', `${t.base}/sandbox/inbox?limit=2`);
      const second = await ok(t.viewer, 'GET', `${t.base}/sandbox/inbox?limit=2&cursor=${first.next_cursor}`);
      expect([...first.data, ...second.data].map((e: { id: string }) => e.id)).toEqual(inbox.data.map((e: { id: string }) => e.id));
      expect(second.next_cursor).toBeNull();

      expectError(await call(t.viewer, 'GET', `${t.base}/sandbox/inbox?cursor=${t.acc.id}`), 422, 'validation_failed');
      expectError(await call(t.viewer, 'GET', `${t.base}/sandbox/inbox?limit=500`), 422, 'validation_failed');
      await expectForeignLikeMissing(t.acc.id, 'GET', '/sandbox/inbox');
    });
  });

  describe('searching messages by recipient', () => {
    it('finds messages by recipient, normalised (E.164, email in any case), for keys and for members alike', async () => {
      const t = await team();
      const s1 = (await sms(t.acc.key, '+447911123456')).messages[0].id;
      const s2 = (await sms(t.acc.key, '+447911123456', { scheduled_at: new Date(clock.now() + DAY).toISOString() })).messages[0].id;
      await sms(t.acc.key, '+447911123999');
      const e1 = (await send(t.acc.key, '/send', { from: 'news@example.com', to: 'Ada.Lovelace@Example.COM', subject: 's', text: 't' })).id;
      const ids = async (q: string, who: 'key' | 'member' = 'member') => {
        const res =
          who === 'key'
            ? await h.app.inject({ method: 'GET', url: `/messages?${q}`, headers: bearer(t.acc.key) })
            : await call(t.viewer, 'GET', `${t.base}/messages?${q}`);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data.map((m: { id: string }) => m.id);
      };
      for (const who of ['key', 'member'] as const) {
        expect(await ids(`recipient=${encodeURIComponent('+44 7911 123456')}`, who)).toEqual([s2, s1]);
        // An unencoded "+" arrives as a space: still the number.
        expect(await ids('recipient=+447911123456', who)).toEqual([s2, s1]);
        expect(await ids(`recipient=${encodeURIComponent('ADA.lovelace@example.com')}`, who)).toEqual([e1]);
      }
      expect(await ids(`to=${encodeURIComponent('ada.lovelace@example.com')}`)).toEqual([e1]);
      // With the other filters.
      expect(await ids(`recipient=${encodeURIComponent('+447911123456')}&status=scheduled`)).toEqual([s2]);
      expect(await ids(`recipient=${encodeURIComponent('+447911123456')}&channel=email`)).toEqual([]);
      expect(await ids(`recipient=${encodeURIComponent('+447911123456')}&until=${encodeURIComponent(new Date(clock.now() + 1000).toISOString())}&from=2020-01-01T00:00:00Z`)).toEqual([s2, s1]);
      expect(await ids(`recipient=${encodeURIComponent('+447911123000')}`)).toEqual([]);

      for (const q of [`recipient=not-a-number`, `recipient=${encodeURIComponent('Ada <ada@example.com>')}`, `recipient=07911123456`, `recipient=%2B447911123456&to=%2B447911123456`]) {
        const body = expectError(await call(t.viewer, 'GET', `${t.base}/messages?${q}`), 422, 'validation_failed');
        expect(body.errors!.map((e) => e.field)).toContain('recipient');
      }
      expect(await ids(`recipient=${encodeURIComponent('+447911123456')}`)).not.toContain(e1);
      await expectForeignLikeMissing(t.acc.id, 'GET', '/messages?recipient=%2B447911123456');
    });
  });
});
