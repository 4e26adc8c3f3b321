import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/modules/people/audit.ts';
import type { Role } from '../../src/modules/people/roles.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';

describe.each(BACKENDS)('members (%s)', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let b: TestAccount;
  let ownerB: Session;
  let operator: Session;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_LOGIN_PER_IP: '100000' } });
    b = await h.account();
    ownerB = await person(h, { accountId: b.id, role: 'owner' });
    operator = await person(h, { operator: true });
  });
  afterAll(async () => h?.close());

  // A fresh account for each test: owner, admin, developer, viewer.
  let team: Record<Role, Session>;
  beforeEach(async () => {
    a = await h.account();
    team = {
      owner: await person(h, { accountId: a.id, role: 'owner' }),
      admin: await person(h, { accountId: a.id, role: 'admin' }),
      developer: await person(h, { accountId: a.id, role: 'developer' }),
      viewer: await person(h, { accountId: a.id, role: 'viewer' }),
    };
  });

  const list = (s: Session, accountId = a.id) => h.app.inject({ method: 'GET', url: `/accounts/${accountId}/members`, headers: s.headers() });
  const patch = (s: Session, userId: string, role: string, accountId = a.id) =>
    h.app.inject({ method: 'PATCH', url: `/accounts/${accountId}/members/${userId}`, headers: s.headers(), payload: { role } });
  const remove = (s: Session, userId: string, accountId = a.id) => h.app.inject({ method: 'DELETE', url: `/accounts/${accountId}/members/${userId}`, headers: s.headers() });

  it('lists the members with their roles to those who may read them', async () => {
    for (const role of ['owner', 'admin', 'viewer'] as const) {
      const res = await list(team[role]);
      expect(res.statusCode, `${role}: ${res.body}`).toBe(200);
      const data = res.json().data as Array<{ user_id: string; email: string; role: string; joined_at: string }>;
      expect(data.map((m) => [m.user_id, m.role])).toEqual((['owner', 'admin', 'developer', 'viewer'] as const).map((r) => [team[r].userId, r]));
      expect(data[0]).toEqual({ user_id: team.owner.userId, email: team.owner.email, name: null, role: 'owner', joined_at: expect.any(String) });
    }
    expectError(await list(team.developer), 403, 'forbidden');
    // Another account's owner: as if the account did not exist.
    const foreign = await list(ownerB);
    const missing = await list(ownerB, 'acc_00000000000000000000000000');
    expectError(foreign, 404, 'not_found');
    expect(foreign.body).toBe(missing.body);
    // An operator acts as an owner anywhere.
    expect((await list(operator)).statusCode).toBe(200);
  });

  it('lets an admin manage the other roles, with an audit row, but not ownership', async () => {
    const res = await patch(team.admin, team.developer.userId, 'viewer');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user_id: team.developer.userId, role: 'viewer' });
    const rows = (await listAudit(h.rt.store, a.id, { action: 'member.role' })).data;
    expect(rows[0]).toMatchObject({ target: team.developer.userId, actor: { id: team.admin.userId }, before: { role: 'developer' }, after: { role: 'viewer' } });

    expectError(await patch(team.admin, team.viewer.userId, 'owner'), 403, 'forbidden');
    expectError(await patch(team.admin, team.owner.userId, 'admin'), 403, 'forbidden');
    expectError(await remove(team.admin, team.owner.userId), 403, 'forbidden');
    expectError(await patch(team.developer, team.viewer.userId, 'admin'), 403, 'forbidden');
    expectError(await patch(team.viewer, team.viewer.userId, 'admin'), 403, 'forbidden');
    expect((await h.rt.store.users.membership(a.id, team.owner.userId))!.role).toBe('owner');
  });

  it('lets an owner grant and take away ownership, but never leave the account without an owner', async () => {
    expectError(await patch(team.owner, team.owner.userId, 'admin'), 409, 'conflict');
    expectError(await remove(team.owner, team.owner.userId), 409, 'conflict');

    expect((await patch(team.owner, team.admin.userId, 'owner')).statusCode).toBe(200);
    // Two owners: one may step down, and then the other is the last.
    const down = await patch(team.owner, team.owner.userId, 'developer');
    expect(down.statusCode, down.body).toBe(200);
    expectError(await patch(team.admin, team.admin.userId, 'viewer'), 409, 'conflict');
    expectError(await remove(team.admin, team.admin.userId), 409, 'conflict');
    const members = (await list(team.admin)).json().data as Array<{ role: string }>;
    expect(members.filter((m) => m.role === 'owner')).toHaveLength(1);
  });

  it('keeps one owner when two owners demote each other at once', async () => {
    expect((await patch(team.owner, team.admin.userId, 'owner')).statusCode).toBe(200);
    const [x, y] = await Promise.all([patch(team.owner, team.admin.userId, 'viewer'), patch(team.admin, team.owner.userId, 'viewer')]);
    // One wins. The other is refused: 409 when both got past the session hook (the last-owner
    // check in the transaction), or 403 when the winner had already demoted its author.
    const codes = [x.statusCode, y.statusCode].sort();
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    expect(await h.rt.store.users.countRole(a.id, 'owner')).toBe(1);
  });

  it('removes a member, whose access ends at once, with an audit row', async () => {
    const res = await remove(team.admin, team.viewer.userId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ user_id: team.viewer.userId, removed: true });
    expectError(await list(team.viewer), 404, 'not_found');
    const rows = (await listAudit(h.rt.store, a.id, { action: 'member.remove' })).data;
    expect(rows[0]).toMatchObject({ target: team.viewer.userId, before: { role: 'viewer', email: team.viewer.email } });
    // Gone: a second removal, or a change of role, is 404.
    expectError(await remove(team.admin, team.viewer.userId), 404, 'not_found');
    expectError(await patch(team.admin, team.viewer.userId, 'admin'), 404, 'not_found');
    // An owner removes another owner.
    await patch(team.owner, team.admin.userId, 'owner');
    expect((await remove(team.owner, team.admin.userId)).statusCode).toBe(200);
  });

  it('answers 404 for users that are not members and for another account; 422 for an unknown role; 403 without the CSRF token', async () => {
    expectError(await patch(team.owner, ownerB.userId, 'viewer'), 404, 'not_found');
    expectError(await remove(team.owner, ownerB.userId), 404, 'not_found');
    // B's owner names A's members through B: not there.
    expectError(await patch(ownerB, team.viewer.userId, 'admin', b.id), 404, 'not_found');
    // …and through A, which is not theirs: 404 like a missing account.
    expectError(await patch(ownerB, team.viewer.userId, 'admin'), 404, 'not_found');
    expectError(await remove(ownerB, team.viewer.userId), 404, 'not_found');
    expectError(await patch(team.owner, team.viewer.userId, 'superuser'), 422, 'validation_failed');
    const noCsrf = await h.app.inject({ method: 'DELETE', url: `/accounts/${a.id}/members/${team.viewer.userId}`, headers: team.owner.headers({ csrf: false }) });
    expectError(noCsrf, 403, 'csrf_failed');
    expect(await h.rt.store.users.membership(a.id, team.viewer.userId)).toBeDefined();
    expectError(await h.app.inject({ method: 'GET', url: `/accounts/${a.id}/members` }), 401, 'not_signed_in');
  });

  it('lets an operator who is not a member manage ownership (as an owner)', async () => {
    const res = await patch(operator, team.admin.userId, 'owner');
    expect(res.statusCode, res.body).toBe(200);
    const row = (await listAudit(h.rt.store, a.id, { action: 'member.role' })).data[0]!;
    expect(row.actor).toMatchObject({ id: operator.userId, operator: true });
  });
});
