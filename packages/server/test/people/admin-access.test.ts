/**
 * Who may use /admin: every route the app registers under /admin (taken from its route table, so
 * a route added later is covered too) is for signed-in operators only — no session 401, anyone
 * else 403 (an account's owner included), a state-changing request without the CSRF token 403 —
 * and a refused request changes nothing and audits nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/modules/people/audit.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';
import { fillPath, routeName } from '../support/route-table.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
const SAFE = new Set(['GET', 'HEAD']);

describe.each(BACKENDS)('who may use the admin API (%s)', (backend) => {
  let h: Harness;
  let acc: TestAccount;
  let op: Session;
  let owner: Session;
  beforeAll(async () => {
    h = await createHarness(backend);
    acc = await h.account();
    op = await person(h, { operator: true });
    owner = await person(h, { accountId: acc.id, role: 'owner' });
  });
  afterAll(async () => h?.close());

  const adminRoutes = () => h.app.routeTable.filter((r) => r.url.startsWith('/admin'));
  const call = (r: { method: string; url: string }, headers: Record<string, string>) =>
    h.app.inject({
      method: r.method as Method,
      url: fillPath(r.url, { id: acc.id }),
      headers,
      ...(SAFE.has(r.method) ? {} : { payload: { name: 'X', sender: 'EVILCO', amount: '1000.00', note: 'x', reason: 'x', channel: 'sms', prefix: '', price: '0', provider: 'simulator', operator: true, email: 'e@example.com', password: 'a long password' } }),
    });
  const auditSize = async () => (await listAudit(h.rt.store, null, { limit: 100 })).data.length;

  it('registers the whole console, every route of it for operators only, in /openapi.json with the session scheme', async () => {
    const names = adminRoutes().filter((r) => r.method !== 'HEAD').map(routeName);
    expect(names.sort()).toEqual(
      [
        'GET /admin/accounts',
        'POST /admin/accounts',
        'GET /admin/accounts/:id',
        'POST /admin/accounts/:id/activate',
        'POST /admin/accounts/:id/suspend',
        'POST /admin/accounts/:id/wallet/topup',
        'POST /admin/accounts/:id/wallet/adjust',
        'POST /admin/accounts/:id/senders',
        'DELETE /admin/accounts/:id/senders',
        'GET /admin/sender-requests',
        'POST /admin/sender-requests/:id/approve',
        'POST /admin/sender-requests/:id/reject',
        'GET /admin/prices',
        'GET /admin/prices/quote',
        'PUT /admin/prices',
        'DELETE /admin/prices',
        'GET /admin/providers',
        'GET /admin/routes',
        'PUT /admin/routes',
        'DELETE /admin/routes',
        'GET /admin/users',
        'POST /admin/users',
        'POST /admin/users/:id/operator',
        'GET /admin/audit',
        'GET /admin/numbers',
        'POST /admin/numbers',
        'DELETE /admin/numbers',
      ].sort(),
    );
    for (const r of adminRoutes()) {
      expect({ route: routeName(r), auth: r.auth, operator: r.operator }).toEqual({ route: routeName(r), auth: 'session', operator: true });
    }
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const r of adminRoutes().filter((x) => x.method !== 'HEAD')) {
      const path = r.url.replace(/:([a-z_]+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${routeName(r)} in /openapi.json`).toBeDefined();
      expect(op.security).toEqual([{ session: [] }]);
      expect(op.tags).toEqual(['admin']);
    }
  });

  it('answers 401 not_signed_in without a session, on every admin route', async () => {
    for (const r of adminRoutes()) {
      const res = await call(r, {});
      if (r.method === 'HEAD') expect(res.statusCode, routeName(r)).toBe(401);
      else expectError(res, 401, 'not_signed_in');
    }
  });

  it('answers 403 forbidden to an account\'s owner (not an operator) on every admin route, and changes nothing', async () => {
    const audits = await auditSize();
    for (const r of adminRoutes()) {
      const res = await call(r, owner.headers());
      if (r.method === 'HEAD') expect(res.statusCode, routeName(r)).toBe(403);
      else expect(expectError(res, 403, 'forbidden').message, routeName(r)).toMatch(/operator/i);
    }
    expect(await auditSize()).toBe(audits);
    const a = (await h.rt.store.accounts.get(acc.id))!;
    expect(a.status).toBe('active');
    expect(a.balance_micros).toBe(100_000_000);
    expect((await h.rt.store.users.get(owner.userId))!.operator).toBe(0);
  });

  it('refuses every state-changing admin request without the CSRF token, or from another site, even an operator\'s', async () => {
    const audits = await auditSize();
    for (const r of adminRoutes().filter((x) => !SAFE.has(x.method))) {
      expectError(await call(r, op.headers({ csrf: false })), 403, 'csrf_failed');
      expectError(await call(r, { ...op.headers(), 'sec-fetch-site': 'cross-site' }), 403, 'csrf_failed');
      expectError(await call(r, { ...op.headers(), origin: 'https://evil.example' }), 403, 'csrf_failed');
    }
    expect(await auditSize()).toBe(audits);
    expect((await h.rt.store.accounts.get(acc.id))!.status).toBe('active');
    // The same request with the token goes through: the refusal was the token's.
    const ok = await h.app.inject({ method: 'POST', url: `/admin/accounts/${acc.id}/suspend`, headers: op.headers() });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await auditSize()).toBe(audits + 1);
  });
});
