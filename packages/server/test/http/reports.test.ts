import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

/** What app.inject resolves to, reduced to what these tests read. */
interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json(): any;
}

const STATUSES = ['scheduled', 'queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled', 'suppressed', 'received'];

/** The SPEC §2 error body, with `detail` repeating `message`. */
function expectError(res: Res, status: number, code: string) {
  expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status, body: { code } });
  const body = res.json();
  expect(body.detail).toBe(body.message);
  return body as { code: string; message: string; detail: string; errors?: Array<{ field: string; message: string }> };
}

const num = (i: number) => `+1415555${String(2600 + i)}`;

describe.each(BACKENDS)('reports on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let b: TestAccount;

  /** Every message A sent, oldest first, as the send responses described them. */
  const sent: Array<{ id: string; channel: 'sms' | 'email'; to: string; campaign: string | null }> = [];
  let bigCampaign: { id: string; total: string; size: number };
  let scheduledCampaign: { id: string; total: string; size: number };
  let emailId: string;
  let bMessageId: string;
  let bCampaignId: string;

  const get = (key: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(key) }) as Promise<Res>;
  const qs = (params: Record<string, string | number>) =>
    `?${new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))).toString()}`;

  async function sms(acc: TestAccount, to: string | string[], extra: Record<string, unknown> = {}) {
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(acc.key), payload: { from: 'HELLIO', to, message: 'report me', ...extra } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { campaign_id: string | null; messages: Array<{ id: string; to: string }>; total_price: string };
  }

  /** Walks every page of a list endpoint; returns the pages' ids in order. */
  async function walk(key: string, path: string, limit: number, extra: Record<string, string> = {}): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await get(key, path + qs({ ...extra, limit, ...(cursor ? { cursor } : {}) }));
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { data: Array<{ id: string }>; next_cursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(limit);
      pages.push(body.data.map((m) => m.id));
      cursor = body.next_cursor;
      if (cursor === null) return pages;
      expect(cursor).toBe(body.data[body.data.length - 1]!.id);
    }
    throw new Error('pagination never ended');
  }

  async function listAll(key: string, params: Record<string, string | number> = {}) {
    const res = await get(key, `/messages${qs({ limit: 100, ...params })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().next_cursor).toBeNull();
    return res.json().data as Array<Record<string, any>>;
  }

  beforeAll(async () => {
    h = await createHarness(backend);
    a = await h.account();
    b = await h.account();

    // A: a few single SMS (distinct milliseconds, so time filters have something to split),
    // an email, a 12-recipient campaign and a scheduled 2-recipient campaign.
    for (let i = 0; i < 5; i++) {
      const r = await sms(a, num(i));
      sent.push({ id: r.messages[0]!.id, channel: 'sms', to: num(i), campaign: null });
      await sleep(5);
    }
    const email = await h.app.inject({
      method: 'POST',
      url: '/send',
      headers: bearer(a.key),
      payload: { from: 'Reports <ops@example.com>', to: ['reader@example.org', 'second@example.org'], subject: 'Report', text: 'hello' },
    });
    expect(email.statusCode, email.body).toBe(200);
    emailId = email.json().id;
    sent.push({ id: emailId, channel: 'email', to: 'reader@example.org', campaign: null });
    await sleep(5);

    const big = await sms(a, Array.from({ length: 12 }, (_, i) => num(20 + i)));
    expect(big.campaign_id).toMatch(/^cmp_/);
    bigCampaign = { id: big.campaign_id!, total: big.total_price, size: 12 };
    for (const m of big.messages) sent.push({ id: m.id, channel: 'sms', to: m.to, campaign: big.campaign_id });
    await sleep(5);

    const later = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const sched = await sms(a, [num(40), num(41)], { scheduled_at: later });
    scheduledCampaign = { id: sched.campaign_id!, total: sched.total_price, size: 2 };
    for (const m of sched.messages) sent.push({ id: m.id, channel: 'sms', to: m.to, campaign: sched.campaign_id });
    await sleep(5);
    const last = await sms(a, num(0)); // the same recipient again, most recent of all
    sent.push({ id: last.messages[0]!.id, channel: 'sms', to: num(0), campaign: null });

    // B: its own message and campaign, so its lists are not trivially empty.
    const bs = await sms(b, num(90));
    bMessageId = bs.messages[0]!.id;
    const bc = await sms(b, [num(91), num(92)]);
    bCampaignId = bc.campaign_id!;
  });
  afterAll(async () => h?.close());

  describe('GET /messages', () => {
    it('lists every message of the account, newest first', async () => {
      const data = await listAll(a.key);
      expect(data.map((m) => m.id)).toEqual(sent.map((m) => m.id).reverse());
      for (let i = 1; i < data.length; i++) {
        expect(data[i - 1]!.id > data[i]!.id).toBe(true);
        expect(Date.parse(data[i - 1]!.created_at)).toBeGreaterThanOrEqual(Date.parse(data[i]!.created_at));
      }
    });

    it('shows each message with the documented fields', async () => {
      const data = await listAll(a.key);
      const single = data.find((m) => m.id === sent[0]!.id)!;
      expect(single).toMatchObject({
        id: sent[0]!.id,
        channel: 'sms',
        status: 'queued',
        from: 'HELLIO',
        to: num(0),
        body: 'report me',
        segments: 1,
        encoding: 'GSM-7',
        price: '0.0080',
        currency: 'USD',
        sandbox: false,
        campaign_id: null,
        scheduled_at: null,
      });
      expect(single.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      const email = data.find((m) => m.id === emailId)!;
      expect(email).toMatchObject({ channel: 'email', status: 'queued', subject: 'Report', body: null, segments: null });
      expect(email.to).toEqual(['reader@example.org', 'second@example.org']);
      // Email bodies stay out of reports.
      expect(JSON.stringify(email)).not.toContain('hello');
    });

    it('defaults to 20 per page', async () => {
      const res = await get(a.key, '/messages');
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toHaveLength(20);
      expect(res.json().next_cursor).toBe(res.json().data[19].id);
    });

    it('honours ?limit= up to 100 and refuses more', async () => {
      const one = await get(a.key, '/messages?limit=1');
      expect(one.statusCode).toBe(200);
      expect(one.json().data.map((m: { id: string }) => m.id)).toEqual([sent[sent.length - 1]!.id]);
      expect(one.json().next_cursor).toBe(sent[sent.length - 1]!.id);

      const hundred = await get(a.key, '/messages?limit=100');
      expect(hundred.statusCode).toBe(200);
      expect(hundred.json().data).toHaveLength(sent.length);
      expect(hundred.json().next_cursor).toBeNull();

      for (const bad of ['101', '0', '-1', 'ten', '2.5']) {
        const res = await get(a.key, `/messages?limit=${bad}`);
        const body = expectError(res, 422, 'validation_failed');
        expect(body.errors?.map((e) => e.field)).toContain('limit');
      }
    });

    it.each([5, 8, 20, 21])('walks every page with limit=%i: no duplicates, no gaps, null cursor at the end', async (limit) => {
      const pages = await walk(a.key, '/messages', limit);
      const ids = pages.flat();
      expect(ids).toEqual(sent.map((m) => m.id).reverse());
      expect(new Set(ids).size).toBe(ids.length);
      expect(pages).toHaveLength(Math.ceil(sent.length / limit));
      for (const p of pages.slice(0, -1)) expect(p).toHaveLength(limit);
    });

    it('does not leave an empty trailing page when the count divides the limit', async () => {
      // sent.length = 5 + 1 + 12 + 2 + 1 = 21
      expect(sent.length).toBe(21);
      const pages = await walk(a.key, '/messages', 7);
      expect(pages.map((p) => p.length)).toEqual([7, 7, 7]);
    });

    it('paginates filtered lists too', async () => {
      const pages = await walk(a.key, '/messages', 5, { campaign_id: bigCampaign.id });
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual(sent.filter((m) => m.campaign === bigCampaign.id).map((m) => m.id).reverse());
    });

    it('refuses a cursor it did not hand out with 422', async () => {
      for (const cursor of ['garbage', 'msg_', bigCampaign.id, 'msg_0123456789ABCDEFGHJKMNPQRS', `${sent[0]!.id}x`]) {
        const res = await get(a.key, `/messages${qs({ cursor })}`);
        const body = expectError(res, 422, 'validation_failed');
        expect(body.errors?.map((e) => e.field)).toContain('cursor');
      }
    });

    it('filters by channel', async () => {
      const email = await listAll(a.key, { channel: 'email' });
      expect(email.map((m) => m.id)).toEqual([emailId]);
      const smsOnly = await listAll(a.key, { channel: 'sms' });
      expect(smsOnly.map((m) => m.id)).toEqual(sent.filter((m) => m.channel === 'sms').map((m) => m.id).reverse());
      expectError(await get(a.key, '/messages?channel=fax'), 422, 'validation_failed');
    });

    it('filters by status', async () => {
      const scheduled = await listAll(a.key, { status: 'scheduled' });
      expect(scheduled.map((m) => m.id).sort()).toEqual(sent.filter((m) => m.campaign === scheduledCampaign.id).map((m) => m.id).sort());
      for (const m of scheduled) expect(m.status).toBe('scheduled');
      const queued = await listAll(a.key, { status: 'queued' });
      expect(queued).toHaveLength(sent.length - scheduledCampaign.size);
      for (const m of queued) expect(m.status).toBe('queued');
      expect(await listAll(a.key, { status: 'delivered' })).toEqual([]);
      expectError(await get(a.key, '/messages?status=lost'), 422, 'validation_failed');
    });

    it('filters by recipient', async () => {
      const toZero = await listAll(a.key, { to: num(0) });
      expect(toZero.map((m) => m.id)).toEqual(sent.filter((m) => m.to === num(0)).map((m) => m.id).reverse());
      expect(toZero).toHaveLength(2);
      const toEmail = await listAll(a.key, { to: 'reader@example.org' });
      expect(toEmail.map((m) => m.id)).toEqual([emailId]);
      expect(await listAll(a.key, { to: '+14155559999' })).toEqual([]);
    });

    it('filters by campaign_id', async () => {
      const c = await listAll(a.key, { campaign_id: bigCampaign.id });
      expect(c).toHaveLength(12);
      for (const m of c) expect(m.campaign_id).toBe(bigCampaign.id);
      expect(await listAll(a.key, { campaign_id: 'cmp_nope' })).toEqual([]);
    });

    it('combines filters', async () => {
      const r = await listAll(a.key, { channel: 'sms', status: 'scheduled', to: num(40) });
      expect(r.map((m) => m.to)).toEqual([num(40)]);
      expect(await listAll(a.key, { channel: 'email', campaign_id: bigCampaign.id })).toEqual([]);
    });

    it('filters by from (inclusive) and until (exclusive) creation time', async () => {
      const all = await listAll(a.key);
      // A pivot with older messages before it in time (the email, sent after distinct-ms SMS).
      const pivot = all.find((m) => m.id === emailId)!;
      const t = Date.parse(pivot.created_at);
      const fromIds = (await listAll(a.key, { from: pivot.created_at })).map((m) => m.id);
      const untilIds = (await listAll(a.key, { until: pivot.created_at })).map((m) => m.id);
      expect(fromIds).toEqual(all.filter((m) => Date.parse(m.created_at) >= t).map((m) => m.id));
      expect(untilIds).toEqual(all.filter((m) => Date.parse(m.created_at) < t).map((m) => m.id));
      expect(fromIds).toContain(emailId);
      expect(untilIds).not.toContain(emailId);
      expect(untilIds).toContain(sent[0]!.id);
      expect(fromIds.length + untilIds.length).toBe(all.length);

      // A window holding exactly the pivot's millisecond.
      const window = await listAll(a.key, { from: pivot.created_at, until: new Date(t + 1).toISOString() });
      expect(window.map((m) => m.id)).toContain(emailId);
      for (const m of window) expect(Date.parse(m.created_at)).toBe(t);

      // The same instant written with an offset means the same thing.
      const d = new Date(t + 2 * 3_600_000);
      const pad = (n: number, w = 2) => String(n).padStart(w, '0');
      const offset = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+02:00`;
      expect((await listAll(a.key, { from: offset })).map((m) => m.id)).toEqual(fromIds);

      expect(await listAll(a.key, { from: '2999-01-01T00:00:00Z' })).toEqual([]);
      expect(await listAll(a.key, { until: '2000-01-01T00:00:00Z' })).toEqual([]);
      expect(await listAll(a.key, { from: '2000-01-01T00:00:00Z', until: '2999-01-01T00:00:00Z' })).toHaveLength(sent.length);
    });

    it.each(['yesterday', '2024-01-01', '2024-01-01T00:00:00', '2024-13-45T00:00:00Z', '1700000000000', '2024-01-01 00:00:00Z', ''])(
      'refuses a malformed from/until (%j) with 422',
      async (bad) => {
        for (const field of ['from', 'until']) {
          const body = expectError(await get(a.key, `/messages${qs({ [field]: bad })}`), 422, 'validation_failed');
          expect(body.errors?.map((e) => e.field)).toContain(field);
        }
      },
    );

    it('refuses unknown query parameters', async () => {
      expectError(await get(a.key, '/messages?colour=red'), 422, 'validation_failed');
    });
  });

  describe('GET /messages/{id}', () => {
    it('returns the message with its event timeline', async () => {
      const res = await get(a.key, `/messages/${sent[0]!.id}`);
      expect(res.statusCode).toBe(200);
      const m = res.json();
      expect(m).toMatchObject({ id: sent[0]!.id, channel: 'sms', status: 'queued', to: num(0), from: 'HELLIO', price: '0.0080' });
      expect(m.events).toHaveLength(1);
      expect(m.events[0]).toMatchObject({ status: 'queued', detail: null });
      expect(m.events[0].id).toMatch(/^ev_[0-9a-z]{26}$/);
      expect(m.events[0].created_at).toBe(m.created_at);
    });

    it('shows campaign membership and scheduling', async () => {
      const id = sent.find((m) => m.campaign === scheduledCampaign.id)!.id;
      const m = (await get(a.key, `/messages/${id}`)).json();
      expect(m).toMatchObject({ id, status: 'scheduled', campaign_id: scheduledCampaign.id, events: [{ status: 'scheduled' }] });
      expect(Date.parse(m.scheduled_at)).toBeGreaterThan(Date.parse(m.created_at));
    });

    it('returns an email with its recipients and subject', async () => {
      const m = (await get(a.key, `/messages/${emailId}`)).json();
      expect(m).toMatchObject({ id: emailId, channel: 'email', from: 'Reports <ops@example.com>', subject: 'Report', price: '0.0020', events: [{ status: 'queued' }] });
      expect(m.to).toEqual(['reader@example.org', 'second@example.org']);
    });

    it('answers 404 not_found for an unknown id', async () => {
      for (const id of ['msg_00000000000000000000000000', 'nonsense', bigCampaign.id]) {
        expectError(await get(a.key, `/messages/${id}`), 404, 'not_found');
      }
    });
  });

  describe('campaigns', () => {
    it('lists campaigns newest first', async () => {
      const res = await get(a.key, '/campaigns');
      expect(res.statusCode).toBe(200);
      expect(res.json().data.map((c: { id: string }) => c.id)).toEqual([scheduledCampaign.id, bigCampaign.id]);
      expect(res.json().next_cursor).toBeNull();
      expect(res.json().data[1]).toMatchObject({
        id: bigCampaign.id,
        channel: 'sms',
        from: 'HELLIO',
        message: 'report me',
        total_messages: 12,
        cost: bigCampaign.total,
        currency: 'USD',
        sandbox: false,
        scheduled_at: null,
      });
    });

    it('paginates campaigns with a cursor', async () => {
      const pages = await walk(a.key, '/campaigns', 1);
      expect(pages).toEqual([[scheduledCampaign.id], [bigCampaign.id]]);
      expectError(await get(a.key, '/campaigns?limit=101'), 422, 'validation_failed');
      expectError(await get(a.key, `/campaigns${qs({ cursor: sent[0]!.id })}`), 422, 'validation_failed');
      expectError(await get(a.key, '/campaigns?cursor=garbage'), 422, 'validation_failed');
    });

    it('shows counts per status and the cost of a campaign', async () => {
      const res = await get(a.key, `/campaigns/${bigCampaign.id}`);
      expect(res.statusCode).toBe(200);
      const c = res.json();
      expect(bigCampaign.total).toBe('0.0960'); // 12 × 1 segment × 0.0080
      expect(c).toMatchObject({ id: bigCampaign.id, total_messages: 12, cost: '0.0960', currency: 'USD' });
      expect(c.status_counts).toEqual(Object.fromEntries(STATUSES.map((s) => [s, s === 'queued' ? 12 : 0])));
    });

    it('counts a scheduled campaign as scheduled', async () => {
      const c = (await get(a.key, `/campaigns/${scheduledCampaign.id}`)).json();
      expect(c).toMatchObject({ total_messages: 2, cost: '0.0160' });
      expect(Date.parse(c.scheduled_at)).toBeGreaterThan(Date.now());
      expect(c.status_counts).toEqual(Object.fromEntries(STATUSES.map((s) => [s, s === 'scheduled' ? 2 : 0])));
    });

    it('answers 404 not_found for an unknown campaign', async () => {
      for (const id of ['cmp_00000000000000000000000000', sent[0]!.id, 'x']) {
        expectError(await get(a.key, `/campaigns/${id}`), 404, 'not_found');
      }
    });
  });

  describe('account isolation', () => {
    it("answers 404 for another account's message, exactly like a missing one", async () => {
      const foreign = await get(b.key, `/messages/${sent[0]!.id}`);
      const missing = await get(b.key, '/messages/msg_00000000000000000000000000');
      expectError(foreign, 404, 'not_found');
      expect(foreign.json()).toEqual(missing.json());
      expect(foreign.body).not.toContain(sent[0]!.id);
      // And the other way round.
      expectError(await get(a.key, `/messages/${bMessageId}`), 404, 'not_found');
    });

    it("answers 404 for another account's campaign, exactly like a missing one", async () => {
      const foreign = await get(b.key, `/campaigns/${bigCampaign.id}`);
      const missing = await get(b.key, '/campaigns/cmp_00000000000000000000000000');
      expectError(foreign, 404, 'not_found');
      expect(foreign.json()).toEqual(missing.json());
      expectError(await get(a.key, `/campaigns/${bCampaignId}`), 404, 'not_found');
    });

    it("never lists another account's messages or campaigns", async () => {
      const aIds = new Set([...sent.map((m) => m.id), bigCampaign.id, scheduledCampaign.id]);
      const bMessages = await listAll(b.key);
      expect(bMessages).toHaveLength(3);
      for (const m of bMessages) expect(aIds.has(m.id)).toBe(false);
      expect(await listAll(b.key, { campaign_id: bigCampaign.id })).toEqual([]);
      expect(await listAll(b.key, { to: num(0) })).toEqual([]);
      // A's newest id as a cursor shows B only its own, older messages.
      const viaCursor = (await get(b.key, `/messages${qs({ cursor: sent[sent.length - 1]!.id, limit: 100 })}`)).json().data as Array<{ id: string }>;
      for (const m of viaCursor) expect(aIds.has(m.id)).toBe(false);
      const bCampaigns = (await get(b.key, '/campaigns?limit=100')).json().data as Array<{ id: string }>;
      expect(bCampaigns.map((c) => c.id)).toEqual([bCampaignId]);
      const aCampaigns = (await get(a.key, '/campaigns?limit=100')).json().data as Array<{ id: string }>;
      expect(aCampaigns.map((c) => c.id)).not.toContain(bCampaignId);
    });
  });

  describe('authorization', () => {
    it('needs the reports scope on every reports endpoint', async () => {
      const k = await h.key(a.id, { scopes: 'sms:send,balance' });
      for (const url of ['/messages', `/messages/${sent[0]!.id}`, '/campaigns', `/campaigns/${bigCampaign.id}`]) {
        const body = expectError(await get(k.key, url), 403, 'insufficient_scope');
        expect(body.message).toContain('reports');
      }
      const ok = await h.key(a.id, { scopes: 'reports' });
      expect((await get(ok.key, `/messages/${sent[0]!.id}`)).statusCode).toBe(200);
      expect((await get(ok.key, `/campaigns/${bigCampaign.id}`)).statusCode).toBe(200);
    });

    it('needs a key at all', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/messages' });
      expectError(res as Res, 401, 'missing_credentials');
    });
  });
});
