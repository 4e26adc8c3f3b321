import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { totpCode } from '../../src/lib/totp.ts';
import { listAudit } from '../../src/modules/people/audit.ts';
import type { Role } from '../../src/modules/people/roles.ts';
import { createUser } from '../../src/modules/people/users.ts';
import { INVITATIONS_PER_HOUR } from '../../src/modules/people/attempts.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { linkToken, mailTo } from '../support/mailbox.ts';
import { cookieOf, person, type Session, signIn } from '../support/people.ts';

let n = 0;
const fresh = () => `invitee-${++n}-${Date.now()}@example.com`;

describe.each(BACKENDS)('invitations (%s)', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let b: TestAccount;
  let ownerB: Session;
  let team: Record<Role, Session>;
  const clock = new MovableClock();
  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_LOGIN_PER_IP: '100000', HELLIO_LOGIN_PER_EMAIL: '1000', HELLIO_PUBLIC_URL: 'https://hellio.example.com' } });
  });
  afterAll(async () => h?.close());
  // Fresh sessions and accounts for each test (some tests move the clock past a session's life).
  beforeEach(async () => {
    a = await h.account();
    b = await h.account();
    ownerB = await person(h, { accountId: b.id, role: 'owner' });
    team = {
      owner: await person(h, { accountId: a.id, role: 'owner' }),
      admin: await person(h, { accountId: a.id, role: 'admin' }),
      developer: await person(h, { accountId: a.id, role: 'developer' }),
      viewer: await person(h, { accountId: a.id, role: 'viewer' }),
    };
  });

  const invite = (s: Session, email: string, role: string, accountId = a.id) =>
    h.app.inject({ method: 'POST', url: `/accounts/${accountId}/invitations`, headers: s.headers(), payload: { email, role } });
  const accept = (payload: object, headers: Record<string, string> = {}) => h.app.inject({ method: 'POST', url: '/auth/invitations/accept', headers, payload });
  const open = (s: Session, accountId = a.id) => h.app.inject({ method: 'GET', url: `/accounts/${accountId}/invitations`, headers: s.headers() });

  it('invites an address: an email with a single-use link; the answer and the list never show the token', async () => {
    const email = fresh();
    const res = await invite(team.admin, email.toUpperCase(), 'developer');
    expect(res.statusCode, res.body).toBe(200);
    const inv = res.json();
    expect(inv).toEqual({ id: expect.stringMatching(/^inv_/), email, role: 'developer', invited_by: team.admin.userId, created_at: expect.any(String), expires_at: expect.any(String) });
    expect(Date.parse(inv.expires_at) - Date.parse(inv.created_at)).toBe(7 * 24 * 3_600_000);

    const mail = await mailTo(h, email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain(team.admin.email);
    expect(mail[0]!.body).toContain('as developer');
    expect(mail[0]!.body).toContain('https://hellio.example.com/dashboard/accept-invitation?token=');
    const token = await linkToken(h, email, 'accept-invitation');
    expect(res.body).not.toContain(token);
    const listed = await open(team.viewer);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data).toEqual([inv]);
    expect(listed.body).not.toContain(token);
    // Stored hashed.
    expect((await h.rt.store.userTokens.get(inv.id))!.token_hash).toBe(hashSecret(token));

    const audit = (await listAudit(h.rt.store, a.id, { action: 'member.invite' })).data[0];
    expect(audit).toMatchObject({ target: inv.id, actor: { id: team.admin.userId }, after: { email, role: 'developer' } });
  });

  it('makes a new user on acceptance, signs them in, and the link works once', async () => {
    const email = fresh();
    await invite(team.owner, email, 'viewer');
    const token = await linkToken(h, email, 'accept-invitation');
    expectError(await accept({ token }), 422, 'validation_failed');
    expectError(await accept({ token, password: 'short' }), 422, 'validation_failed');

    const res = await accept({ token, password: 'a long password', name: 'Vi' });
    expect(res.statusCode, res.body).toBe(200);
    const me = res.json();
    expect(me.user).toMatchObject({ email, name: 'Vi', email_verified: true, operator: false });
    expect(me.accounts).toEqual([{ id: a.id, name: expect.any(String), status: 'active', role: 'viewer' }]);
    // Signed in: the cookie works, and only in A (not in B, nor anywhere else).
    const cookie = cookieOf(res);
    expect((await h.app.inject({ method: 'GET', url: `/accounts/${a.id}/members`, headers: { cookie } })).statusCode).toBe(200);
    expectError(await h.app.inject({ method: 'GET', url: `/accounts/${b.id}/members`, headers: { cookie } }), 404, 'not_found');

    expectError(await accept({ token, password: 'a long password' }), 400, 'token_invalid');
    expect((await open(team.owner)).json().data).toEqual([]);
    const joined = (await listAudit(h.rt.store, a.id, { action: 'member.join' })).data[0];
    expect(joined).toMatchObject({ target: me.user.id, after: { email, role: 'viewer', invited_by: team.owner.userId } });
  });

  it('adds an existing user who is signed in as themselves, or who gives their password', async () => {
    const existing = await person(h, { accountId: b.id, role: 'viewer' });
    await invite(team.admin, existing.email, 'developer');
    const token = await linkToken(h, existing.email, 'accept-invitation');
    // Not signed in and no password; signed in without the CSRF token; signed in as someone else.
    expectError(await accept({ token }), 401, 'not_signed_in');
    expectError(await accept({ token }, existing.headers({ csrf: false })), 403, 'csrf_failed');
    expectError(await accept({ token }, team.viewer.headers()), 403, 'forbidden');
    expectError(await accept({ token, password: 'not their password' }), 401, 'invalid_credentials');

    const res = await accept({ token }, existing.headers());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.json().accounts.map((m: { id: string; role: string }) => [m.id, m.role]).sort()).toEqual([[a.id, 'developer'], [b.id, 'viewer']].sort());
    expect(res.json().csrf_token).toBe(existing.csrf);

    // With the password instead of a session.
    const other = await person(h, {});
    await invite(team.owner, other.email, 'admin');
    const second = await linkToken(h, other.email, 'accept-invitation');
    const withPassword = await accept({ token: second, password: other.password });
    expect(withPassword.statusCode, withPassword.body).toBe(200);
    expect(cookieOf(withPassword)).toMatch(/^hellio_session=/);
    expect((await h.rt.store.users.membership(a.id, other.userId))!.role).toBe('admin');
  });

  it('asks an existing user with a second factor for their code when they accept with a password', async () => {
    const email = fresh();
    await createUser(h.rt.ctx, null, { email, password: 'a long password' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const user = (await h.rt.store.users.byEmail(email))!;
    await h.rt.store.users.update(user.id, { totp_secret: secret, totp_enabled_at: clock.now() });
    await invite(team.owner, email, 'viewer');
    const token = await linkToken(h, email, 'accept-invitation');
    expectError(await accept({ token, password: 'a long password' }), 401, 'totp_required');
    const res = await accept({ token, password: 'a long password', totp_code: totpCode(secret, clock.now()) });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses an expired invitation, one already used, one withdrawn, an unknown token and a token of another kind', async () => {
    const late = fresh();
    await invite(team.owner, late, 'viewer');
    const lateToken = await linkToken(h, late, 'accept-invitation');
    clock.advance(7 * 24 * 3_600_000 + 1);
    expectError(await accept({ token: lateToken, password: 'a long password' }), 400, 'token_invalid');
    expect(await h.rt.store.users.byEmail(late)).toBeUndefined();

    // (The clock moved past every session's life: sign in again.)
    const owner = await signIn(h, team.owner.email, team.owner.password);
    expect((await open(owner)).json().data).toEqual([]);

    const withdrawn = fresh();
    const inv = (await invite(owner, withdrawn, 'viewer')).json();
    const withdrawnToken = await linkToken(h, withdrawn, 'accept-invitation');
    const del = await h.app.inject({ method: 'DELETE', url: `/accounts/${a.id}/invitations/${inv.id}`, headers: owner.headers() });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toEqual({ id: inv.id, revoked: true });
    expectError(await h.app.inject({ method: 'DELETE', url: `/accounts/${a.id}/invitations/${inv.id}`, headers: owner.headers() }), 404, 'not_found');
    expectError(await accept({ token: withdrawnToken, password: 'a long password' }), 400, 'token_invalid');
    expect((await listAudit(h.rt.store, a.id, { action: 'member.invite.revoke' })).data[0]).toMatchObject({ target: inv.id, before: { email: withdrawn } });

    expectError(await accept({ token: 'made-up-token', password: 'a long password' }), 400, 'token_invalid');
    await h.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email: owner.email } });
    const reset = await linkToken(h, owner.email, 'reset-password');
    expectError(await accept({ token: reset, password: 'a long password' }), 400, 'token_invalid');
  });

  it('keeps one account\'s invitations out of another account', async () => {
    const email = fresh();
    const inv = (await invite(team.owner, email, 'admin')).json();
    // Someone who owns both accounts cannot list or withdraw A's invitation through B.
    await h.rt.store.users.addMembership({ account_id: b.id, user_id: team.owner.userId, role: 'owner', created_at: clock.now() });
    expect((await open(team.owner, b.id)).json().data).toEqual([]);
    expectError(await h.app.inject({ method: 'DELETE', url: `/accounts/${b.id}/invitations/${inv.id}`, headers: team.owner.headers() }), 404, 'not_found');
    // B's owner, who is not in A: 404 like a missing account, whatever the id.
    const foreign = await h.app.inject({ method: 'DELETE', url: `/accounts/${a.id}/invitations/${inv.id}`, headers: ownerB.headers() });
    const missing = await h.app.inject({ method: 'DELETE', url: `/accounts/acc_00000000000000000000000000/invitations/${inv.id}`, headers: ownerB.headers() });
    expectError(foreign, 404, 'not_found');
    expect(foreign.body).toBe(missing.body);
    expectError(await invite(ownerB, fresh(), 'viewer'), 404, 'not_found');
    expectError(await open(ownerB), 404, 'not_found');
    // Still open, and accepting it joins A only.
    expect((await open(team.owner)).json().data.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    const res = await accept({ token: await linkToken(h, email, 'accept-invitation'), password: 'a long password' });
    expect(res.json().accounts).toEqual([{ id: a.id, name: expect.any(String), status: 'active', role: 'admin' }]);
  });

  it('applies the role rules: only an owner invites an owner; developers and viewers invite nobody', async () => {
    expectError(await invite(team.admin, fresh(), 'owner'), 403, 'forbidden');
    expectError(await invite(team.developer, fresh(), 'viewer'), 403, 'forbidden');
    expectError(await invite(team.viewer, fresh(), 'viewer'), 403, 'forbidden');
    expectError(await open(team.developer), 403, 'forbidden');
    const ownerInvite = await invite(team.owner, fresh(), 'owner');
    expect(ownerInvite.statusCode, ownerInvite.body).toBe(200);
    // Only an admin-or-better withdraws one.
    expectError(await h.app.inject({ method: 'DELETE', url: `/accounts/${a.id}/invitations/${ownerInvite.json().id}`, headers: team.viewer.headers() }), 403, 'forbidden');
  });

  it('validates an invitation, refuses a member\'s address, and replaces an open invitation to the same address', async () => {
    expectError(await invite(team.owner, 'not an address', 'viewer'), 422, 'validation_failed');
    expectError(await invite(team.owner, fresh(), 'superuser'), 422, 'validation_failed');
    expectError(await invite(team.owner, team.viewer.email, 'admin'), 409, 'conflict');

    const email = fresh();
    await invite(team.owner, email, 'viewer');
    const first = await linkToken(h, email, 'accept-invitation');
    const second = (await invite(team.owner, email, 'developer')).json();
    const secondToken = await linkToken(h, email, 'accept-invitation');
    expect((await open(team.owner)).json().data.map((i: { id: string }) => i.id)).toEqual([second.id]);
    expectError(await accept({ token: first, password: 'a long password' }), 400, 'token_invalid');
    expect((await accept({ token: secondToken, password: 'a long password' })).json().accounts[0].role).toBe('developer');
  });

  it('refuses an invitation of someone who became a member meanwhile, and leaves it open', async () => {
    const other = await person(h, {});
    await invite(team.owner, other.email, 'admin');
    const token = await linkToken(h, other.email, 'accept-invitation');
    await h.rt.store.users.addMembership({ account_id: a.id, user_id: other.userId, role: 'viewer', created_at: clock.now() });
    expectError(await accept({ token }, other.headers()), 409, 'conflict');
    expect((await h.rt.store.users.membership(a.id, other.userId))!.role).toBe('viewer');
    expect((await open(team.owner)).json().data).toHaveLength(1);
  });

  it('sends none for a person whose address is unverified, or from an account not yet active, and a few an hour at most', async () => {
    const unverified = await createUser(h.rt.ctx, null, { email: fresh(), password: 'a long password', accountId: a.id, role: 'owner', emailVerified: false });
    const s = await signIn(h, unverified.email, 'a long password');
    expectError(await invite(s, fresh(), 'viewer'), 403, 'forbidden');

    const pending = await h.account({ status: 'pending' });
    const pendingOwner = await person(h, { accountId: pending.id, role: 'owner' });
    expectError(await invite(pendingOwner, fresh(), 'viewer', pending.id), 403, 'account_not_active');

    const busy = await h.account();
    const owner = await person(h, { accountId: busy.id, role: 'owner' });
    for (let i = 0; i < INVITATIONS_PER_HOUR; i++) expect((await invite(owner, fresh(), 'viewer', busy.id)).statusCode).toBe(200);
    const refused = await invite(owner, fresh(), 'viewer', busy.id);
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

