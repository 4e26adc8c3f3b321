import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { setKeyCaps, setKeyRateLimit } from '../../src/modules/access/keys.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, type InjectedResponse } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';

/**
 * The management API, part one: the account, API keys (rotation included, through the real
 * pipeline), the IP allowlist, senders and domains, and the audit log — each endpoint's success,
 * its errors, and its security cases (a role without the permission, another account's ids).
 * The whole role × route matrix is test/people/roles.test.ts.
 */

const HOUR = 3_600_000;

describe.each(BACKENDS)('the management API: account, keys, allowlist, senders, audit (%s)', (backend) => {
  let h: Harness;
  const clock = new MovableClock();
  /** The account under test, its owner, a developer and a viewer. */
  let acc: TestAccount;
  let owner: Session;
  let admin: Session;
  let developer: Session;
  let viewer: Session;
  /** Another account and its owner. */
  let other: TestAccount;
  let stranger: Session;
  let base: string;

  beforeAll(async () => {
    h = await createHarness(backend, {
      clock,
      // The clock moves by hours here; sessions must outlive it.
      env: { HELLIO_SESSION_IDLE_MINUTES: '525600', HELLIO_SESSION_MAX_HOURS: '8760', HELLIO_LOGIN_PER_IP: '1000', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    acc = await h.account();
    base = `/accounts/${acc.id}`;
    owner = await person(h, { accountId: acc.id, role: 'owner' });
    admin = await person(h, { accountId: acc.id, role: 'admin' });
    developer = await person(h, { accountId: acc.id, role: 'developer' });
    viewer = await person(h, { accountId: acc.id, role: 'viewer' });
    other = await h.account();
    stranger = await person(h, { accountId: other.id, role: 'owner' });
  });
  afterAll(async () => h?.close());

  const call = (s: Session | null, method: string, url: string, payload?: unknown): Promise<InjectedResponse> =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: s ? s.headers() : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    }) as Promise<InjectedResponse>;
  const ok = async (s: Session, method: string, url: string, payload?: unknown) => {
    const res = await call(s, method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return res.json();
  };
  const withKey = (key: string, method: string, url: string, payload?: object) =>
    h.app.inject({ method: method as 'GET', url, headers: bearer(key), ...(payload ? { payload } : {}) }) as Promise<InjectedResponse>;
  /** The newest audit rows of the account (read as its owner). */
  const auditRows = async (action?: string) => (await ok(owner, 'GET', `${base}/audit?limit=100${action ? `&action=${action}` : ''}`)).data as Array<Record<string, any>>;
  /** Another account's id answers exactly like an account that does not exist. */
  async function expectForeignLikeMissing(s: Session, method: string, path: string, payload?: unknown) {
    const foreign = expectError(await call(s, method, `${base}${path}`, payload), 404, 'not_found');
    const missing = expectError(await call(s, method, `/accounts/${newId('acc')}${path}`, payload), 404, 'not_found');
    expect(foreign).toEqual(missing);
  }

  describe('the account', () => {
    it('GET /accounts lists the accounts the person belongs to, with their role, and says whether they are an operator', async () => {
      const mine = await ok(viewer, 'GET', '/accounts');
      expect(mine).toEqual({ data: [{ id: acc.id, name: expect.any(String), status: 'active', role: 'viewer' }], operator: false });
      const op = await person(h, { operator: true });
      expect(await ok(op, 'GET', '/accounts')).toEqual({ data: [], operator: true });
      expectError(await call(null, 'GET', '/accounts'), 401, 'not_signed_in');
    });

    it('GET /accounts/:id shows the account and the role of the one asking', async () => {
      const a = await ok(viewer, 'GET', base);
      expect(a).toEqual({ id: acc.id, name: expect.any(String), status: 'active', twilio_account_sid: expect.stringMatching(/^AC[0-9a-f]{32}$/), created_at: expect.any(String), role: 'viewer' });
      expect((await ok(owner, 'GET', base)).role).toBe('owner');
      // An operator who is not a member acts as an owner.
      expect((await ok(await person(h, { operator: true }), 'GET', base)).role).toBe('owner');
      await expectForeignLikeMissing(stranger, 'GET', '');
    });

    it('PATCH /accounts/:id renames it (trimmed), audited with before and after', async () => {
      const before = (await ok(owner, 'GET', base)).name;
      const renamed = await ok(admin, 'PATCH', base, { name: '  Acme Ltd  ' });
      expect(renamed.name).toBe('Acme Ltd');
      expect((await ok(viewer, 'GET', base)).name).toBe('Acme Ltd');
      const [row] = await auditRows('account.rename');
      expect(row).toMatchObject({ action: 'account.rename', target: acc.id, before: { name: before }, after: { name: 'Acme Ltd' }, ip: '127.0.0.1' });
      expect(row!.actor).toEqual({ type: 'user', id: admin.userId, email: admin.email, operator: false });
    });

    it('PATCH /accounts/:id refuses an empty or long name, unknown fields, a developer, and another account', async () => {
      for (const payload of [{ name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, {}, { name: 'ok', status: 'active' }]) {
        expectError(await call(owner, 'PATCH', base, payload), 422, 'validation_failed');
      }
      expectError(await call(developer, 'PATCH', base, { name: 'Dev' }), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'PATCH', '', { name: 'Mine now' });
      expect((await ok(owner, 'GET', base)).name).toBe('Acme Ltd');
    });
  });

  describe('API keys', () => {
    it('creates a key shown once in full, which then works through the pipeline exactly like a CLI key', async () => {
      const made = await ok(developer, 'POST', `${base}/keys`, { name: 'ci', scopes: ['balance', 'reports'] });
      expect(made.key).toMatch(/^cs_[A-Za-z0-9_-]{64}$/);
      expect(made.key.startsWith(made.prefix)).toBe(true);
      expect(made).toMatchObject({ name: 'ci', scopes: ['balance', 'reports'], test: false, status: 'active', expires_at: null, revoked_at: null, rotated_to: null });
      // Stored as a hash, like the CLI's (createKey): the plaintext is nowhere.
      const row = await h.rt.store.keys.get(made.id);
      expect(row!.key_hash).toBe(createHash('sha256').update(made.key).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(made.key.slice(3));
      // The list never shows it again.
      const list = await ok(viewer, 'GET', `${base}/keys?limit=100`);
      const listed = list.data.find((k: { id: string }) => k.id === made.id);
      expect(listed).toEqual({ ...made, key: undefined, created_at: made.created_at });
      expect(JSON.stringify(list)).not.toContain(made.key);
      // It authenticates, holds its scopes and nothing more.
      expect((await withKey(made.key, 'GET', '/balance')).statusCode).toBe(200);
      expectError(await withKey(made.key, 'POST', '/lookup', { number: '+447911123456' }), 403, 'insufficient_scope');
      // last_used_at is noted.
      expect((await ok(viewer, 'GET', `${base}/keys?limit=100`)).data.find((k: { id: string }) => k.id === made.id).last_used_at).not.toBeNull();
      // The audit row has its settings, never the key.
      const [audited] = await auditRows('key.create');
      expect(audited).toMatchObject({ target: made.id, after: { name: 'ci', scopes: 'balance reports', test: false } });
      expect(JSON.stringify(await auditRows())).not.toContain(made.key.slice(3));
    });

    it('creates sandbox keys (cs_test_) and keys that expire', async () => {
      const t = await ok(owner, 'POST', `${base}/keys`, { name: 'sandbox', scopes: ['sms:send'], test: true });
      expect(t.key).toMatch(/^cs_test_[A-Za-z0-9_-]{64}$/);
      expect(t.test).toBe(true);
      const sent = await withKey(t.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123456', message: 'sandbox' });
      expect(sent.statusCode, sent.body).toBe(200);

      const at = new Date(clock.now() + HOUR).toISOString();
      const e = await ok(owner, 'POST', `${base}/keys`, { name: 'short-lived', scopes: ['balance'], expires_at: at });
      expect(Date.parse(e.expires_at)).toBe(Date.parse(at));
      expect((await withKey(e.key, 'GET', '/balance')).statusCode).toBe(200);
      clock.advance(HOUR + 1000);
      expectError(await withKey(e.key, 'GET', '/balance'), 401, 'invalid_credentials');
      const listed = (await ok(owner, 'GET', `${base}/keys?limit=100`)).data.find((k: { id: string }) => k.id === e.id);
      expect(listed.status).toBe('expired');
    });

    it('refuses a key without scopes, with an unknown scope, an expiry in the past or malformed, and a viewer', async () => {
      const bad = [
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['sms:send', 'sms:send'] },
        { name: 'x', scopes: ['root'] },
        { name: '', scopes: ['balance'] },
        { scopes: ['balance'] },
        { name: 'x', scopes: ['balance'], expires_at: new Date(clock.now() - 1000).toISOString() },
        { name: 'x', scopes: ['balance'], expires_at: 'tomorrow' },
        { name: 'x', scopes: ['balance'], key: 'cs_mine' },
      ];
      for (const payload of bad) expectError(await call(owner, 'POST', `${base}/keys`, payload), 422, 'validation_failed');
      expectError(await call(viewer, 'POST', `${base}/keys`, { name: 'x', scopes: ['balance'] }), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'POST', '/keys', { name: 'x', scopes: ['balance'] });
    });

    it('lists keys newest first, a page at a time, and never another account\'s', async () => {
      for (let i = 0; i < 3; i++) await ok(owner, 'POST', `${base}/keys`, { name: `page-${i}`, scopes: ['balance'] });
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await ok(viewer, 'GET', `${base}/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.data.length).toBeLessThanOrEqual(2);
        all.push(...res.data.map((k: { id: string }) => k.id));
        cursor = res.next_cursor;
      } while (cursor);
      const rows = await h.rt.store.keys.listByAccount(acc.id);
      expect(all).toEqual(rows.map((r) => r.id).reverse());
      expect(all).not.toContain(other.keyId);
      expectError(await call(viewer, 'GET', `${base}/keys?cursor=${other.id}`), 422, 'validation_failed');
      expectError(await call(viewer, 'GET', `${base}/keys?limit=101`), 422, 'validation_failed');
      await expectForeignLikeMissing(stranger, 'GET', '/keys');
    });

    it('revokes a key at once; again changes nothing; another account\'s key is 404 like a missing one', async () => {
      const k = await ok(owner, 'POST', `${base}/keys`, { name: 'to revoke', scopes: ['balance'] });
      expect((await withKey(k.key, 'GET', '/balance')).statusCode).toBe(200);
      const revoked = await ok(developer, 'POST', `${base}/keys/${k.id}/revoke`);
      expect(revoked).toMatchObject({ id: k.id, status: 'revoked', revoked_at: expect.any(String) });
      expectError(await withKey(k.key, 'GET', '/balance'), 401, 'invalid_credentials');
      const again = await ok(owner, 'POST', `${base}/keys/${k.id}/revoke`);
      expect(again.revoked_at).toBe(revoked.revoked_at);
      expect((await auditRows('key.revoke')).filter((r) => r.target === k.id)).toHaveLength(1);

      // Another account's key, named in this account: exactly a missing key, and it still works.
      const foreign = expectError(await call(owner, 'POST', `${base}/keys/${other.keyId}/revoke`), 404, 'not_found');
      const missing = expectError(await call(owner, 'POST', `${base}/keys/${newId('key')}/revoke`), 404, 'not_found');
      expect(foreign).toEqual(missing);
      expect((await withKey(other.key, 'GET', '/balance')).statusCode).toBe(200);
      expectError(await call(viewer, 'POST', `${base}/keys/${k.id}/revoke`), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'POST', `/keys/${k.id}/revoke`);
    });

    it('rotates a key: the new one has its settings, the old one works through the overlap and is refused after it', async () => {
      const old = await ok(owner, 'POST', `${base}/keys`, { name: 'rotating', scopes: ['balance', 'sms:send'] });
      await setKeyRateLimit(h.rt.store, old.id, 77);
      await setKeyCaps(h.rt.store, old.id, { daily: 5_000_000, monthly: 50_000_000 });
      const started = clock.now();
      const r = await ok(developer, 'POST', `${base}/keys/${old.id}/rotate`, { overlap_seconds: 3600 });
      expect(r.key.key).toMatch(/^cs_[A-Za-z0-9_-]{64}$/);
      expect(r.key).toMatchObject({ name: 'rotating', scopes: ['balance', 'sms:send'], test: false, status: 'active', rotated_to: null, expires_at: null });
      expect(r.previous).toMatchObject({ id: old.id, status: 'active', rotated_to: r.key.id });
      const until = Date.parse(r.previous.expires_at);
      expect(until).toBeGreaterThanOrEqual(started + HOUR);
      expect(until).toBeLessThanOrEqual(clock.now() + HOUR);
      const successor = (await h.rt.store.keys.get(r.key.id))!;
      expect(successor).toMatchObject({ rate_limit_per_minute: 77, daily_cap_micros: 5_000_000, monthly_cap_micros: 50_000_000, test: 0 });

      // Through the real pipeline: both keys work during the overlap…
      expect((await withKey(old.key, 'GET', '/balance')).statusCode).toBe(200);
      expect((await withKey(r.key.key, 'GET', '/balance')).statusCode).toBe(200);
      clock.advance(HOUR - 60_000);
      const during = await withKey(old.key, 'GET', '/balance');
      expect(during.statusCode, during.body).toBe(200);
      expect(during.headers['x-ratelimit-limit']).toBe('77');
      // …and the old one is refused after it, as an expired key.
      clock.advance(2 * 60_000);
      expectError(await withKey(old.key, 'GET', '/balance'), 401, 'invalid_credentials');
      expect((await withKey(r.key.key, 'GET', '/balance')).statusCode).toBe(200);

      const [audited] = await auditRows('key.rotate');
      expect(audited).toMatchObject({ target: old.id, before: { rotated_to: null }, after: { rotated_to: r.key.id, successor: { name: 'rotating' } } });
      expect(JSON.stringify(audited)).not.toContain(r.key.key.slice(3));
    });

    it('rotates with overlap 0 (the old key stops at once) and by default with a day, never past the old key\'s own expiry', async () => {
      const now0 = await ok(owner, 'POST', `${base}/keys`, { name: 'now', scopes: ['balance'] });
      const r0 = await ok(owner, 'POST', `${base}/keys/${now0.id}/rotate`, { overlap_seconds: 0 });
      expect(r0.previous.status).toBe('expired');
      expectError(await withKey(now0.key, 'GET', '/balance'), 401, 'invalid_credentials');
      expect((await withKey(r0.key.key, 'GET', '/balance')).statusCode).toBe(200);

      const day = await ok(owner, 'POST', `${base}/keys`, { name: 'day', scopes: ['balance'] });
      const before = clock.now();
      const rd = await ok(owner, 'POST', `${base}/keys/${day.id}/rotate`);
      const until = Date.parse(rd.previous.expires_at);
      expect(until).toBeGreaterThanOrEqual(before + 24 * HOUR);
      expect(until).toBeLessThanOrEqual(clock.now() + 24 * HOUR);

      const soon = new Date(clock.now() + 10 * 60_000).toISOString();
      const short = await ok(owner, 'POST', `${base}/keys`, { name: 'short', scopes: ['balance'], expires_at: soon });
      const newExpiry = new Date(clock.now() + 48 * HOUR).toISOString();
      const rs = await ok(owner, 'POST', `${base}/keys/${short.id}/rotate`, { overlap_seconds: 7200, expires_at: newExpiry });
      expect(Date.parse(rs.previous.expires_at)).toBe(Date.parse(soon));
      expect(Date.parse(rs.key.expires_at)).toBe(Date.parse(newExpiry));
    });

    it('refuses to rotate a key rotated already, revoked or expired (409), an overlap out of range (422), and others\' keys (404)', async () => {
      const k = await ok(owner, 'POST', `${base}/keys`, { name: 'once', scopes: ['balance'] });
      const r = await ok(owner, 'POST', `${base}/keys/${k.id}/rotate`, { overlap_seconds: 60 });
      const twice = expectError(await call(owner, 'POST', `${base}/keys/${k.id}/rotate`), 409, 'conflict');
      expect(twice.message).toContain(r.key.id);

      const gone = await ok(owner, 'POST', `${base}/keys`, { name: 'revoked', scopes: ['balance'] });
      await ok(owner, 'POST', `${base}/keys/${gone.id}/revoke`);
      expectError(await call(owner, 'POST', `${base}/keys/${gone.id}/rotate`), 409, 'conflict');

      const old = await ok(owner, 'POST', `${base}/keys`, { name: 'expired', scopes: ['balance'], expires_at: new Date(clock.now() + 1000).toISOString() });
      clock.advance(2000);
      expectError(await call(owner, 'POST', `${base}/keys/${old.id}/rotate`), 409, 'conflict');

      const live = await ok(owner, 'POST', `${base}/keys`, { name: 'live', scopes: ['balance'] });
      for (const payload of [{ overlap_seconds: -1 }, { overlap_seconds: 30 * 86400 + 1 }, { overlap_seconds: 1.5 }, { overlap_seconds: 'soon' }, { grace: 10 }]) {
        expectError(await call(owner, 'POST', `${base}/keys/${live.id}/rotate`, payload), 422, 'validation_failed');
      }
      expect((await ok(owner, 'POST', `${base}/keys/${live.id}/rotate`, { overlap_seconds: 30 * 86400 })).previous.rotated_to).not.toBeNull();

      const foreign = expectError(await call(owner, 'POST', `${base}/keys/${other.keyId}/rotate`), 404, 'not_found');
      const missing = expectError(await call(owner, 'POST', `${base}/keys/${newId('key')}/rotate`), 404, 'not_found');
      expect(foreign).toEqual(missing);
      expect((await h.rt.store.keys.get(other.keyId))!.rotated_to).toBeNull();
      expectError(await call(viewer, 'POST', `${base}/keys/${live.id}/rotate`), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'POST', `/keys/${live.id}/rotate`);
    });
  });

  describe('the IP allowlist', () => {
    it('applies changes made at the same moment one after the other: none is lost', async () => {
      const ips = Array.from({ length: 8 }, (_, i) => `198.51.100.${i + 10}`);
      const mine = await Promise.all(ips.map((ip) => h.app.inject({ method: 'POST', url: `/accounts/${acc.id}/allowlist`, headers: owner.headers(), payload: { ip } })));
      expect(mine.map((r) => r.statusCode)).toEqual(ips.map(() => 200));
      const list = (await h.app.inject({ method: 'GET', url: `/accounts/${acc.id}/allowlist`, headers: owner.headers() })).json().data as string[];
      for (const ip of ips) expect(list).toContain(ip);
      await Promise.all(ips.map((ip) => h.app.inject({ method: 'DELETE', url: `/accounts/${acc.id}/allowlist?ip=${ip}`, headers: owner.headers() })));
      const after = (await h.app.inject({ method: 'GET', url: `/accounts/${acc.id}/allowlist`, headers: owner.headers() })).json().data as string[];
      for (const ip of ips) expect(after).not.toContain(ip);
    });

    it('adds entries (normalised), which the pipeline then applies to the account\'s keys, and removes them as typed', async () => {
      const a = await h.account();
      const o = await person(h, { accountId: a.id, role: 'developer' });
      const url = `/accounts/${a.id}/allowlist`;
      expect(await ok(o, 'GET', url)).toEqual({ data: [] });
      expect(await ok(o, 'POST', url, { ip: '203.0.113.7/24' })).toEqual({ data: ['203.0.113.0/24'] });
      expect(await ok(o, 'POST', url, { ip: '2001:DB8::1/32' })).toEqual({ data: ['203.0.113.0/24', '2001:db8::/32'] });
      // Adding again changes nothing.
      expect(await ok(o, 'POST', url, { ip: '203.0.113.0/24' })).toEqual({ data: ['203.0.113.0/24', '2001:db8::/32'] });
      // app.inject comes from 127.0.0.1: outside the list now.
      expectError(await withKey(a.key, 'GET', '/balance'), 403, 'ip_not_allowed');
      expect(await ok(o, 'POST', url, { ip: '127.0.0.1' })).toEqual({ data: ['203.0.113.0/24', '2001:db8::/32', '127.0.0.1'] });
      expect((await withKey(a.key, 'GET', '/balance')).statusCode).toBe(200);
      expect(await ok(o, 'DELETE', `${url}?ip=${encodeURIComponent('203.0.113.99/24')}`)).toEqual({ data: ['2001:db8::/32', '127.0.0.1'] });
      expect(await ok(o, 'DELETE', `${url}?ip=2001:db8::/32`)).toEqual({ data: ['127.0.0.1'] });

      const rows = (await ok(await person(h, { accountId: a.id, role: 'owner' }), 'GET', `/accounts/${a.id}/audit?limit=100`)).data;
      const changes = rows.filter((r: { action: string }) => r.action.startsWith('allowlist.'));
      // Three additions (the repeated one changed nothing, and is not audited) and two removals.
      expect(changes.map((r: { action: string }) => r.action)).toEqual(['allowlist.remove', 'allowlist.remove', 'allowlist.add', 'allowlist.add', 'allowlist.add']);
      expect(changes[0]).toMatchObject({ target: '2001:db8::/32', before: ['2001:db8::/32', '127.0.0.1'], after: ['127.0.0.1'] });
      expect(changes[1]).toMatchObject({ target: '203.0.113.0/24' });
    });

    it('refuses an entry that is not an address or range (422), removing one not listed (404), a viewer, and another account', async () => {
      for (const ip of ['', 'localhost', '10.0.0.1/33', '010.0.0.1', '1.2.3']) {
        expectError(await call(owner, 'POST', `${base}/allowlist`, { ip }), 422, 'validation_failed');
      }
      expectError(await call(owner, 'POST', `${base}/allowlist`, {}), 422, 'validation_failed');
      expectError(await call(owner, 'DELETE', `${base}/allowlist`), 422, 'validation_failed');
      expectError(await call(owner, 'DELETE', `${base}/allowlist?ip=192.0.2.1`), 404, 'not_found');
      expectError(await call(viewer, 'POST', `${base}/allowlist`, { ip: '192.0.2.1' }), 403, 'forbidden');
      expect(await ok(viewer, 'GET', `${base}/allowlist`)).toEqual({ data: [] });
      await expectForeignLikeMissing(stranger, 'GET', '/allowlist');
      await expectForeignLikeMissing(stranger, 'POST', '/allowlist', { ip: '192.0.2.1' });
      await expectForeignLikeMissing(stranger, 'DELETE', '/allowlist?ip=192.0.2.1');
      expect(await ok(viewer, 'GET', `${base}/allowlist`)).toEqual({ data: [] });
    });
  });

  describe('senders and domains', () => {
    it('asks for senders (pending, kind read from the value) and lists them beside the approved ones', async () => {
      const sms = await ok(developer, 'POST', `${base}/senders`, { sender: ' ACME ', note: 'order updates' });
      expect(sms).toMatchObject({ id: expect.stringMatching(/^sdr_/), kind: 'sms', sender: 'ACME', status: 'pending', note: 'order updates', reason: null, decided_at: null });
      const domain = await ok(developer, 'POST', `${base}/senders`, { sender: 'Mail.Acme.Test' });
      expect(domain).toMatchObject({ kind: 'email_domain', sender: 'mail.acme.test' });
      const address = await ok(developer, 'POST', `${base}/senders`, { sender: 'News@Other.Test' });
      expect(address).toMatchObject({ kind: 'email_address', sender: 'news@other.test' });
      const number = await ok(developer, 'POST', `${base}/senders`, { sender: '+447400123140' });
      expect(number).toMatchObject({ kind: 'sms', sender: '+447400123140' });

      const list = await ok(viewer, 'GET', `${base}/senders`);
      expect(list.data.map((s: { sender: string }) => s.sender).sort()).toEqual(['HELLIO', 'example.com']);
      expect(list.requests.map((r: { id: string }) => r.id)).toEqual([number.id, address.id, domain.id, sms.id]);
      const audited = await auditRows('sender_request.create');
      expect(audited[0]).toMatchObject({ target: number.id, after: { kind: 'sms', sender: '+447400123140' } });
    });

    it('refuses a request already pending or already approved (409), a value that is no sender (422), a viewer, and another account', async () => {
      await ok(owner, 'POST', `${base}/senders`, { sender: 'DUPE' });
      const dupe = expectError(await call(owner, 'POST', `${base}/senders`, { sender: 'DUPE' }), 409, 'conflict');
      expect(dupe.message).toContain('waiting for an operator');
      expectError(await call(owner, 'POST', `${base}/senders`, { sender: 'HELLIO' }), 409, 'conflict');
      // An address at a domain approved whole is approved already.
      expectError(await call(owner, 'POST', `${base}/senders`, { sender: 'billing@EXAMPLE.com' }), 409, 'conflict');
      for (const sender of ['', 'TOO-LONG-SENDER-ID', '@nowhere', '12', 'a b@c.d']) {
        expectError(await call(owner, 'POST', `${base}/senders`, { sender }), 422, 'validation_failed');
      }
      expectError(await call(owner, 'POST', `${base}/senders`, { sender: 'OK', colour: 'red' }), 422, 'validation_failed');
      expectError(await call(viewer, 'POST', `${base}/senders`, { sender: 'VIEWER' }), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'POST', '/senders', { sender: 'THEIRS' });
      await expectForeignLikeMissing(stranger, 'GET', '/senders');
      expect((await ok(owner, 'GET', `${base}/senders`)).requests.map((r: { sender: string }) => r.sender)).not.toContain('THEIRS');
    });

    it('queues one request when the same one arrives many times at once', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => call(owner, 'POST', `${base}/senders`, { sender: 'RACE' })));
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      const pending = await h.rt.store.senderRequests.list({ accountId: acc.id, status: 'pending', limit: 100 });
      expect(pending.filter((r) => r.value === 'RACE')).toHaveLength(1);
    });

    it('shows a refused request with the operator\'s reason, and lets it be asked again', async () => {
      const req = await ok(owner, 'POST', `${base}/senders`, { sender: 'REFUSED' });
      // The operators' side (the admin API) decides; here the decision is written as it would.
      expect(await h.rt.store.senderRequests.decide(req.id, { status: 'rejected', reason: 'looks like another brand', decided_by: null, decided_at: clock.now() })).toBe(true);
      const shown = (await ok(viewer, 'GET', `${base}/senders`)).requests.find((r: { id: string }) => r.id === req.id);
      expect(shown).toMatchObject({ status: 'rejected', reason: 'looks like another brand', decided_at: expect.any(String) });
      expect((await ok(owner, 'POST', `${base}/senders`, { sender: 'REFUSED' })).status).toBe('pending');
    });

    it('gives up an approved sender: sending from it is refused from then on; others\' senders are 404 like missing ones', async () => {
      const a = await h.account();
      const o = await person(h, { accountId: a.id, role: 'admin' });
      const url = `/accounts/${a.id}/senders`;
      const hellio = (await ok(o, 'GET', url)).data.find((s: { sender: string }) => s.sender === 'HELLIO');
      const sms = { from: 'HELLIO', to: '+447911123456', message: 'hi' };
      expect((await withKey(a.key, 'POST', '/sms/send', sms)).statusCode).toBe(200);
      expect(await ok(o, 'DELETE', `${url}/${hellio.id}`)).toMatchObject({ id: hellio.id, sender: 'HELLIO', kind: 'sms', removed: true });
      expectError(await withKey(a.key, 'POST', '/sms/send', sms), 422, 'sender_not_approved');
      expect((await ok(o, 'GET', url)).data.map((s: { sender: string }) => s.sender)).toEqual(['example.com']);
      expectError(await call(o, 'DELETE', `${url}/${hellio.id}`), 404, 'not_found');

      const theirs = (await ok(stranger, 'GET', `/accounts/${other.id}/senders`)).data[0];
      const foreign = expectError(await call(o, 'DELETE', `${url}/${theirs.id}`), 404, 'not_found');
      const missing = expectError(await call(o, 'DELETE', `${url}/${newId('snd')}`), 404, 'not_found');
      expect(foreign).toEqual(missing);
      expect((await ok(stranger, 'GET', `/accounts/${other.id}/senders`)).data).toHaveLength(2);
      expectError(await call(await person(h, { accountId: a.id, role: 'viewer' }), 'DELETE', `${url}/${theirs.id}`), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'DELETE', `/senders/${hellio.id}`);

      const rows = (await ok(await person(h, { accountId: a.id, role: 'owner' }), 'GET', `/accounts/${a.id}/audit?action=sender.remove`)).data;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ target: hellio.id, before: { kind: 'sms', sender: 'HELLIO' } });
    });

    it('serves sending domains to members, with the DNS records to publish', async () => {
      const d = await ok(developer, 'POST', `${base}/domains`, { domain: 'Mail.Members.Test' });
      expect(d).toMatchObject({ id: expect.stringMatching(/^dom_/), domain: 'mail.members.test', status: 'pending' });
      const types = d.records.map((r: { type: string; purpose: string }) => `${r.type} ${r.purpose}`);
      expect(d.records.length).toBeGreaterThanOrEqual(2);
      expect(types.some((t: string) => /^TXT .*dkim/i.test(t))).toBe(true);
      for (const r of d.records) expect(r).toMatchObject({ type: expect.any(String), name: expect.any(String), value: expect.any(String) });
      expect((await ok(viewer, 'GET', `${base}/domains`)).data.map((x: { id: string }) => x.id)).toContain(d.id);
      expect(await ok(viewer, 'GET', `${base}/domains/${d.id}`)).toEqual(d);
      // The same domain, through the key: one resource, two doors.
      expect((await withKey(acc.key, 'GET', `/domains/${d.id}`)).json()).toEqual(d);
      expectError(await call(viewer, 'POST', `${base}/domains`, { domain: 'viewer.test' }), 403, 'forbidden');
      const theirs = (await withKey(other.key, 'POST', '/domains', { domain: 'theirs.test' })).json();
      const foreign = expectError(await call(owner, 'GET', `${base}/domains/${theirs.id}`), 404, 'not_found');
      const missing = expectError(await call(owner, 'GET', `${base}/domains/${newId('dom')}`), 404, 'not_found');
      expect(foreign).toEqual(missing);
      await expectForeignLikeMissing(stranger, 'GET', `/domains/${d.id}`);
    });
  });

  describe('the audit log', () => {
    it('shows owners the account\'s actions newest first, a page at a time, by action; nobody else', async () => {
      const rows = await auditRows();
      expect(rows.length).toBeGreaterThan(10);
      for (const r of rows) expect(r.account_id).toBe(acc.id);
      const ids = rows.map((r) => r.id);
      expect(ids).toEqual([...ids].sort().reverse());
      const first = await ok(owner, 'GET', `${base}/audit?limit=3`);
      expect(first.data.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 3));
      const second = await ok(owner, 'GET', `${base}/audit?limit=3&cursor=${first.next_cursor}`);
      expect(second.data.map((r: { id: string }) => r.id)).toEqual(ids.slice(3, 6));
      expect((await auditRows('key.rotate')).every((r) => r.action === 'key.rotate')).toBe(true);
      // Another account's actions are not here.
      await ok(stranger, 'POST', `/accounts/${other.id}/allowlist`, { ip: '192.0.2.1' });
      expect((await auditRows()).some((r) => r.account_id === other.id)).toBe(false);

      expectError(await call(owner, 'GET', `${base}/audit?cursor=${acc.id}`), 422, 'validation_failed');
      for (const s of [admin, developer, viewer]) expectError(await call(s, 'GET', `${base}/audit`), 403, 'forbidden');
      await expectForeignLikeMissing(stranger, 'GET', '/audit');
    });
  });
});
