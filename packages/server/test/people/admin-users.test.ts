/**
 * The operators' admin API, part 3: users (list, create, the operator flag — never taken from the
 * last operator, even by two operators at once) and the audit log of every account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/modules/people/users.ts';
import { expectAudit, lastAudit } from '../support/admin.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, LogCapture } from '../support/http-assert.ts';
import { person, type Session, signIn } from '../support/people.ts';

const MISSING_USR = 'usr_01aaaaaaaaaaaaaaaaaaaaaaaa';

describe.each(BACKENDS)('admin API: users and the audit log (%s)', (backend) => {
  let h: Harness;
  let op: Session;
  let acc: TestAccount;
  const logs = new LogCapture();
  beforeAll(async () => {
    h = await createHarness(backend, { logStream: logs });
    op = await person(h, { operator: true });
    acc = await h.account();
  });
  afterAll(async () => h?.close());

  const as = (s: Session) => (method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: s.headers(), ...(payload !== undefined ? { payload } : {}) });
  const admin = (method: 'GET' | 'POST', url: string, payload?: object) => as(op)(method, url, payload);

  describe('users', () => {
    it('creates a user in an account with a role (user.create), who can then sign in', async () => {
      const res = await admin('POST', '/admin/users', { email: 'New.Dev@Example.com', password: 'a long password', name: 'Dev', account_id: acc.id, role: 'developer' });
      expect(res.statusCode, res.body).toBe(200);
      const u = res.json();
      expect(u).toMatchObject({ email: 'new.dev@example.com', name: 'Dev', operator: false, email_verified: true, totp_enabled: false, accounts: [{ id: acc.id, role: 'developer', status: 'active' }] });
      expect(u.id).toMatch(/^usr_[0-9a-z]{26}$/);
      expect(JSON.stringify(u)).not.toContain('password');
      expectAudit(await lastAudit(h, 'user.create', u.id), { action: 'user.create', by: op, target: u.id, accountId: acc.id, after: { email: 'new.dev@example.com', operator: false, role: 'developer' } });
      const s = await signIn(h, 'new.dev@example.com', 'a long password');
      expect(s.userId).toBe(u.id);
    });

    it('creates an operator with no account, who can then use the admin API', async () => {
      const res = await admin('POST', '/admin/users', { email: 'second.op@example.com', password: 'a long password', operator: true });
      expect(res.json()).toMatchObject({ operator: true, accounts: [] });
      expectAudit(await lastAudit(h, 'user.create', res.json().id), { action: 'user.create', by: op, target: res.json().id, accountId: null, after: { email: 'second.op@example.com', operator: true, role: null } });
      const s = await signIn(h, 'second.op@example.com', 'a long password');
      expect((await as(s)('GET', '/admin/accounts')).statusCode).toBe(200);
    });

    it('refuses a taken email (409), a bad role, a role without an account, a short password, a bad email (422), a missing account (404)', async () => {
      await createUser(h.rt.ctx, null, { email: 'taken@example.com', password: 'a long password' });
      expectError(await admin('POST', '/admin/users', { email: 'TAKEN@example.com', password: 'a long password' }), 409, 'conflict');
      expectError(await admin('POST', '/admin/users', { email: 'x1@example.com', password: 'a long password', account_id: acc.id, role: 'boss' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/users', { email: 'x2@example.com', password: 'a long password', role: 'admin' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/users', { email: 'x3@example.com', password: 'short' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/users', { email: 'not an email', password: 'a long password' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/users', { email: 'x4@example.com', password: 'a long password', account_id: 'acc_01aaaaaaaaaaaaaaaaaaaaaaaa' }), 404, 'not_found');
      for (const email of ['x1@example.com', 'x2@example.com', 'x3@example.com', 'x4@example.com']) expect(await h.rt.store.users.byEmail(email)).toBeUndefined();
    });

    it('lists users with their accounts and roles, searches by email, and pages', async () => {
      const other = await h.account();
      const u = await createUser(h.rt.ctx, null, { email: 'listed.person@example.com', password: 'a long password', accountId: acc.id, role: 'viewer' });
      await h.rt.store.users.addMembership({ account_id: other.id, user_id: u.id, role: 'admin', created_at: Date.now() + 1 });
      const found = (await admin('GET', '/admin/users?search=LISTED.person')).json();
      expect(found.data).toHaveLength(1);
      // LIKE's wildcards in the search are plain characters.
      const underscored = await createUser(h.rt.ctx, null, { email: 'under_score@example.com', password: 'a long password' });
      expect((await admin('GET', '/admin/users?search=under_s')).json().data.map((x: { id: string }) => x.id)).toEqual([underscored.id]);
      expect((await admin('GET', '/admin/users?search=under%25s')).json().data).toEqual([]);
      expect(found.data[0]).toMatchObject({ id: u.id, email: 'listed.person@example.com', operator: false });
      expect(found.data[0].accounts).toEqual([
        { id: acc.id, name: expect.any(String), status: 'active', role: 'viewer' },
        { id: other.id, name: expect.any(String), status: 'active', role: 'admin' },
      ]);

      const page1 = (await admin('GET', '/admin/users?limit=2')).json();
      expect(page1.data).toHaveLength(2);
      const page2 = (await admin('GET', `/admin/users?limit=2&cursor=${page1.next_cursor}`)).json();
      expect(page2.data[0].id > page1.data[1].id).toBe(true);
      expectError(await admin('GET', '/admin/users?cursor=acc_01aaaaaaaaaaaaaaaaaaaaaaaa'), 422, 'validation_failed');
    });

    it('grants the operator flag (user.operator.grant) and revokes it (user.operator.revoke); the admin API follows at once', async () => {
      const s = await person(h, { accountId: acc.id, role: 'owner' });
      expectError(await as(s)('GET', '/admin/accounts'), 403, 'forbidden');

      const granted = await admin('POST', `/admin/users/${s.userId}/operator`, { operator: true });
      expect(granted.statusCode, granted.body).toBe(200);
      expect(granted.json()).toMatchObject({ id: s.userId, operator: true, accounts: [{ id: acc.id, role: 'owner' }] });
      expectAudit(await lastAudit(h, 'user.operator.grant', s.userId), { action: 'user.operator.grant', by: op, target: s.userId, accountId: null, before: { operator: false }, after: { operator: true } });
      expect((await as(s)('GET', '/admin/accounts')).statusCode).toBe(200);

      const revoked = await admin('POST', `/admin/users/${s.userId}/operator`, { operator: false });
      expect(revoked.json().operator).toBe(false);
      expectAudit(await lastAudit(h, 'user.operator.revoke', s.userId), { action: 'user.operator.revoke', by: op, target: s.userId, accountId: null, before: { operator: true }, after: { operator: false } });
      expectError(await as(s)('GET', '/admin/accounts'), 403, 'forbidden');

      expectError(await admin('POST', `/admin/users/${MISSING_USR}/operator`, { operator: true }), 404, 'not_found');
      expectError(await admin('POST', `/admin/users/${s.email}/operator`, { operator: true }), 404, 'not_found');
      expectError(await admin('POST', `/admin/users/${s.userId}/operator`, {}), 422, 'validation_failed');
    });
  });

  it('never writes a password given to the admin API to the log, nor keeps it but hashed', async () => {
    const password = 'Secret-Admin-Password-7319';
    const made = await admin('POST', '/admin/users', { email: 'logged@example.com', password });
    expect(made.statusCode).toBe(200);
    expectError(await admin('POST', '/admin/users', { email: 'logged@example.com', password }), 409, 'conflict');
    expectError(await admin('POST', '/admin/users', { email: 'not an email', password }), 422, 'validation_failed');
    expect(logs.text.length).toBeGreaterThan(0);
    expect(logs.text).not.toContain(password);
    const row = (await h.rt.store.users.byEmail('logged@example.com'))!;
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(password);
    expect(JSON.stringify((await admin('GET', '/admin/audit?limit=100')).json())).not.toContain(password);
  });

  describe('audit log', () => {
    it('lists every account\'s entries newest first, by account and by action, with pages; CLI entries name the CLI', async () => {
      const a = await h.account();
      await admin('POST', `/admin/accounts/${a.id}/suspend`);
      await admin('POST', `/admin/accounts/${a.id}/activate`);
      await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: '1.00' });
      await createUser(h.rt.ctx, null, { email: `cli-made-${a.id}@example.com`, password: 'a long password', accountId: a.id, role: 'viewer' });

      const mine = (await admin('GET', `/admin/audit?account_id=${a.id}`)).json();
      expect(mine.data.map((e: { action: string }) => e.action)).toEqual(['user.create', 'wallet.topup', 'account.activate', 'account.suspend']);
      expect(mine.data.every((e: { account_id: string }) => e.account_id === a.id)).toBe(true);
      expect(mine.data[0].actor).toEqual({ type: 'cli' });
      expect(mine.data[1]).toMatchObject({ actor: { type: 'user', id: op.userId, email: op.email, operator: true }, target: a.id });
      expect(mine.data[1].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);

      const page1 = (await admin('GET', `/admin/audit?account_id=${a.id}&limit=3`)).json();
      expect(page1.data).toHaveLength(3);
      const page2 = (await admin('GET', `/admin/audit?account_id=${a.id}&limit=3&cursor=${page1.next_cursor}`)).json();
      expect(page2.data.map((e: { action: string }) => e.action)).toEqual(['account.suspend']);
      expect(page2.next_cursor).toBeNull();

      const suspends = (await admin('GET', '/admin/audit?action=account.suspend&limit=100')).json();
      expect(suspends.data.length).toBeGreaterThanOrEqual(1);
      expect(suspends.data.every((e: { action: string }) => e.action === 'account.suspend')).toBe(true);
      // Without a filter: every account's entries and the platform's (account_id null) alike.
      const everything = (await admin('GET', '/admin/audit?limit=100')).json();
      expect(everything.data.some((e: { account_id: string | null }) => e.account_id === null)).toBe(true);
      expect(everything.data.some((e: { account_id: string | null }) => e.account_id === a.id)).toBe(true);
      expectError(await admin('GET', '/admin/audit?cursor=acc_01aaaaaaaaaaaaaaaaaaaaaaaa'), 422, 'validation_failed');
    });
  });
});

describe.each(BACKENDS)('the last operator (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  const flag = (s: Session, userId: string, operator: boolean) =>
    h.app.inject({ method: 'POST', url: `/admin/users/${userId}/operator`, headers: s.headers(), payload: { operator } });

  it('cannot revoke their own flag while no other operator exists (409); can once another does', async () => {
    const solo = await person(h, { operator: true });
    expectError(await flag(solo, solo.userId, false), 409, 'conflict');
    expect((await h.rt.store.users.get(solo.userId))!.operator).toBe(1);

    const next = await person(h, { operator: true });
    const res = await flag(solo, solo.userId, false);
    expect(res.statusCode, res.body).toBe(200);
    expectAudit(await lastAudit(h, 'user.operator.revoke', solo.userId), { action: 'user.operator.revoke', by: solo, target: solo.userId, accountId: null, before: { operator: true }, after: { operator: false } });
    expectError(await h.app.inject({ method: 'GET', url: '/admin/accounts', headers: solo.headers() }), 403, 'forbidden');
    // And now `next` is the last one.
    expectError(await flag(next, next.userId, false), 409, 'conflict');
  });

  it('leaves one operator when the last two revoke each other at the same moment', async () => {
    const h2 = await createHarness(backend);
    try {
      const a = await person(h2, { operator: true });
      const b = await person(h2, { operator: true });
      const [ra, rb] = await Promise.all([
        h2.app.inject({ method: 'POST', url: `/admin/users/${b.userId}/operator`, headers: a.headers(), payload: { operator: false } }),
        h2.app.inject({ method: 'POST', url: `/admin/users/${a.userId}/operator`, headers: b.headers(), payload: { operator: false } }),
      ]);
      // One wins; the other meets the lock (409), or — if it started after the first committed — is no operator any more (403).
      const codes = [ra.statusCode, rb.statusCode].sort();
      expect(codes[0]).toBe(200);
      expect([403, 409]).toContain(codes[1]);
      const left = [(await h2.rt.store.users.get(a.userId))!.operator, (await h2.rt.store.users.get(b.userId))!.operator];
      expect(left.sort()).toEqual([0, 1]);
    } finally {
      await h2.close();
    }
  });
});
