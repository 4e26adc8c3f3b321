import { placeCall } from '../../src/modules/voice/place.ts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/http/types.ts';
import { newId } from '../../src/lib/ids.ts';
import { changeAllowlist } from '../../src/modules/access/accounts.ts';
import { approveSender } from '../../src/modules/messages/senders.ts';
import { invite } from '../../src/modules/people/invitations.ts';
import { createUser } from '../../src/modules/people/users.ts';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Role } from '../../src/modules/people/roles.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, type InjectedResponse } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';
import { closedPort, fillPath, loadRouteTable, pathParams, routeName } from '../support/route-table.ts';
import { storeInboundEmail } from '../support/inbound-email.ts';

/**
 * The role policy, enforced: one suite for every session route, generated from the app's own route
 * table (h.app.routeTable) so that a new route cannot be left out. For every account route (auth
 * "session" with a permission), on each backend:
 *
 *   1. each role (owner, admin, developer, viewer) is let through iff ROLE_PERMISSIONS grants the
 *      route's permission — with the route's fixture, the request then succeeds (200) — and is
 *      refused 403 forbidden otherwise;
 *   2. an operator who is not a member is let through (acting as an owner);
 *   3. a member of another account naming this account → 404, exactly as for an account that
 *      does not exist;
 *   4. no session cookie → 401 not_signed_in;
 *   5. a state-changing request without the CSRF token → 403 csrf_failed.
 *
 * Every other session route (signed in, no account): 4 and 5, and for operator routes, a person
 * who is not an operator → 403 forbidden.
 *
 * The route table itself must pass too: every account route with an id in its path besides the
 * account's has an entry in FIXTURES (a new route fails "the route table" naming itself until it
 * gets one), and every entry names a route.
 */

const ENV = {
  // Webhook endpoints on 127.0.0.1 (a closed port: test deliveries fail at once, and are stored).
  HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true',
  HELLIO_RATE_LIMIT_PER_MINUTE: '1000000',
  // Everyone in the suite signs in from 127.0.0.1.
  HELLIO_LOGIN_PER_IP: '1000',
  // The audio fixture places a call on the simulator: faster than real time.
  HELLIO_VOICE_SIMULATOR_SPEED: '100',
};

const ROUTES = await loadRouteTable(ENV);
/** Account routes: /accounts/:account_id/…, each with the permission a role must grant. */
const MANAGED = ROUTES.filter((r) => r.auth === 'session' && r.permission !== undefined);
/** Routes of any signed-in person (their profile, their sessions, their accounts; operators' routes). */
const SIGNED_IN = ROUTES.filter((r) => r.auth === 'session' && r.permission === undefined);

const SAFE = new Set(['GET', 'HEAD']);
/** The path ids of an account route besides the account's own. */
const idsOf = (r: RouteEntry) => pathParams(r.url).filter((p) => p !== 'account_id');

// ---------------------------------------------------------------------------------------------
// Fixtures: what each route's request names and sends, so that an allowed role's request succeeds.

/** Who asks: a member with a role, or an operator who is not a member. */
type Who = Role | 'operator';
const EVERYONE: Who[] = [...ROLES, 'operator'];

interface World {
  h: Harness;
  /** A closed port on 127.0.0.1 for webhook endpoints. */
  closedPort: number;
  /** A counter for values that must differ between fixtures (sender ids, addresses). */
  n: number;
}

/** Where a fixture is made: the account, with its key holding every scope. */
type Acc = TestAccount;

interface Fixture {
  /** Every path parameter besides account_id, with the prefix of the ids it takes. */
  params: Record<string, string>;
  /** Makes, in the account, what one request names; answers the path values (and any others the body or query use). */
  make(w: World, a: Acc): Promise<Record<string, string>>;
  /** A body that gets the request through validation to a 200. */
  body?: (v: Record<string, string>) => object;
  /** A query string (without "?") the request needs. */
  query?: (v: Record<string, string>) => string;
}

/** Sends as the account's key and expects 200; answers the JSON body. */
async function ok(w: World, a: Acc, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await w.h.app.inject({ method, url, headers: bearer(a.key), ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

const smsTo = '+447911123456';
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const next = (w: World) => ++w.n;

const make = {
  message: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/sms/send', { from: 'HELLIO', to: smsTo, message: 'roles' })).messages[0].id as string,
  scheduled: async (w: World, a: Acc) =>
    (await ok(w, a, 'POST', '/sms/send', { from: 'HELLIO', to: smsTo, message: 'later', scheduled_at: inAnHour() })).messages[0].id as string,
  campaign: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/sms/send', { from: 'HELLIO', to: [smsTo, '+447911123457'], message: 'many' })).campaign_id as string,
  lookup: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/lookup', { number: smsTo })).id as string,
  /** A queued call (no worker runs here): its owner may still cancel it. */
  call: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/voice/send', { to: '+14155550199', text: 'roles' })).id as string,
  /** A call placed on the (sped-up) simulator, so that its audio exists. */
  placedCall: async (w: World, a: Acc) => {
    const id = await make.call(w, a);
    const rt = w.h.rt;
    await placeCall({ store: rt.store, clock: rt.clock, channels: rt.channels, speech: rt.ctx.speech, otpKeys: rt.ctx.otp.keys, currency: 'USD' }, id, { attempt: 1, maxAttempts: 3 });
    return id;
  },
  verification: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/email/verify', { email: 'not an address' })).id as string,
  domain: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/domains', { domain: `roles-${next(w)}-${newId('d').slice(-6)}.example.org` })).id as string,
  endpoint: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/webhooks', { url: `http://127.0.0.1:${w.closedPort}/hook`, events: ['*'] })).id as string,
  key: async (w: World, a: Acc) => (await w.h.key(a.id, { scopes: 'reports' })).id,
  suppression: async (w: World, a: Acc) => (await ok(w, a, 'POST', '/suppressions', { channel: 'sms', value: `+4479111${String(10000 + next(w))}` })).id as string,
  inboundEmail: (w: World, a: Acc) => storeInboundEmail(w.h.rt.store, a.id),
};

/** A viewer of the account (whom an owner or admin may promote or remove). */
async function member(w: World, a: Acc): Promise<string> {
  const u = await createUser(w.h.rt.ctx, null, { email: `member-${next(w)}-${newId('m').slice(-6)}@example.com`, password: 'a long password', accountId: a.id, role: 'viewer' });
  return u.id;
}

const one = (prefix: string, makeId: (w: World, a: Acc) => Promise<string>, extra: Partial<Fixture> = {}): Fixture => ({
  params: { id: prefix },
  make: async (w, a) => ({ id: await makeId(w, a) }),
  ...extra,
});

/** A fixture for a route without path ids: only what it sends. */
const sends = (extra: Partial<Fixture>): Fixture => ({ params: {}, make: async () => ({}), ...extra });

const A = '/accounts/:account_id';

/**
 * Keyed by "METHOD url" (HEAD routes use their GET twin's). Required for every account route with
 * an id in its path besides the account's; optional for the others, where it makes the allowed
 * request a full success (without one, any answer but a refusal of the session hook will do).
 * Each asker asks in an account of its own (where it holds its role), with fixtures made there for
 * it alone, so routes that change or delete what they name are not disturbed — and no account
 * reaches a limit (20 webhook endpoints).
 */
const FIXTURES: Record<string, Fixture> = {
  // The reads and writes shared with API keys (http/route.ts authenticated({session})).
  [`GET ${A}/messages/:id`]: one('msg', make.message),
  [`POST ${A}/messages/:id/cancel`]: one('msg', make.scheduled),
  [`GET ${A}/campaigns/:id`]: one('cmp', make.campaign),
  [`DELETE ${A}/suppressions/:id`]: one('sup', make.suppression),
  [`GET ${A}/lookup/:id`]: one('lkp', make.lookup),
  [`GET ${A}/voice/:id`]: one('call', make.call),
  [`POST ${A}/voice/:id/cancel`]: one('call', make.call),
  [`GET ${A}/voice/:id/audio`]: one('call', make.placedCall),
  [`GET ${A}/email/verifications/:id`]: one('emv', make.verification),
  [`POST ${A}/domains`]: sends({ make: async (w) => ({ domain: `roles-new-${next(w)}-${newId('d').slice(-6)}.example.org` }), body: (v) => ({ domain: v.domain! }) }),
  [`GET ${A}/domains/:id`]: one('dom', make.domain),
  [`POST ${A}/domains/:id/verify`]: one('dom', make.domain),
  [`POST ${A}/webhooks`]: sends({ make: async (w) => ({ port: String(w.closedPort) }), body: (v) => ({ url: `http://127.0.0.1:${v.port}/new`, events: ['message.delivered'] }) }),
  [`GET ${A}/webhooks/:id`]: one('wh', make.endpoint),
  [`PATCH ${A}/webhooks/:id`]: one('wh', make.endpoint, { body: () => ({ description: 'changed by a member' }) }),
  [`DELETE ${A}/webhooks/:id`]: one('wh', make.endpoint),
  [`POST ${A}/webhooks/:id/rotate-secret`]: one('wh', make.endpoint),
  [`POST ${A}/webhooks/:id/test`]: one('wh', make.endpoint),
  [`GET ${A}/webhooks/:id/deliveries`]: one('wh', make.endpoint),
  [`POST ${A}/webhooks/:id/deliveries/:delivery_id/retry`]: {
    params: { id: 'wh', delivery_id: 'whd' },
    make: async (w, a) => {
      const id = await make.endpoint(w, a);
      const d = await ok(w, a, 'POST', `/webhooks/${id}/test`);
      return { id, delivery_id: d.id as string };
    },
  },
  [`POST ${A}/webhooks/:id/deliveries/retry-failed`]: one('wh', make.endpoint, { body: () => ({ since: '2026-01-01T00:00:00Z' }) }),
  [`GET ${A}/messages/:id/webhook-deliveries`]: one('msg', make.message),
  [`GET ${A}/emails/inbound/:id`]: one('inm', make.inboundEmail),
  [`GET ${A}/emails/inbound/:id/attachments/:n`]: { params: { id: 'inm', n: 'n' }, make: async (w, a) => ({ id: await make.inboundEmail(w, a), n: '1' }) },
  // The management API's own.
  [`PATCH ${A}`]: sends({ body: () => ({ name: 'Renamed by the role suite' }) }),
  [`POST ${A}/keys`]: sends({ body: () => ({ name: 'role suite', scopes: ['reports'] }) }),
  [`POST ${A}/keys/:id/revoke`]: one('key', make.key),
  [`POST ${A}/keys/:id/rotate`]: one('key', make.key, { body: () => ({ overlap_seconds: 60 }) }),
  // 127.0.0.1 (where app.inject comes from): A's key keeps working for the fixtures made after.
  [`POST ${A}/allowlist`]: sends({ body: () => ({ ip: '127.0.0.1' }) }),
  [`DELETE ${A}/allowlist`]: sends({
    make: async (w, a) => {
      const ip = `198.51.100.${next(w)}`;
      await changeAllowlist(w.h.rt.ctx, a.id, 'add', ip);
      return { ip };
    },
    query: (v) => `ip=${encodeURIComponent(v.ip!)}`,
  }),
  [`POST ${A}/senders`]: sends({ make: async (w) => ({ sender: `RS${next(w)}` }), body: (v) => ({ sender: v.sender!, note: 'role suite' }) }),
  [`DELETE ${A}/senders/:id`]: one('snd', async (w, a) => (await approveSender(w.h.rt.ctx, a.id, `RD${next(w)}`)).id),
  [`PATCH ${A}/members/:user_id`]: { params: { user_id: 'usr' }, make: async (w, a) => ({ user_id: await member(w, a) }), body: () => ({ role: 'developer' }) },
  [`DELETE ${A}/members/:user_id`]: { params: { user_id: 'usr' }, make: async (w, a) => ({ user_id: await member(w, a) }) },
  [`POST ${A}/invitations`]: sends({ make: async (w) => ({ email: `invitee-${next(w)}@example.com` }), body: (v) => ({ email: v.email!, role: 'viewer' }) }),
  [`DELETE ${A}/invitations/:id`]: one('inv', async (w, a) => {
    const actor = { userId: 'usr_fixture', email: 'fixture@example.com', operator: true, sessionId: 'ses_fixture', ip: '127.0.0.1', accountId: a.id, role: 'owner' as const };
    return (await invite(w.h.rt.ctx, w.h.rt.ctx.people, actor, { email: `invited-${next(w)}@example.com`, role: 'viewer' })).id;
  }),
  [`PUT ${A}/caps`]: sends({ body: () => ({ daily: '500.00', monthly: null }) }),
  [`PUT ${A}/alerts/low-balance`]: sends({ body: () => ({ below: '1.00' }) }),
};

const fixtureKey = (r: RouteEntry) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
const fixtureOf = (r: RouteEntry): Fixture | undefined => FIXTURES[fixtureKey(r)];

// ---------------------------------------------------------------------------------------------
// The route table: what the generator walks, and what it refuses to walk past.

describe('the route table (session routes)', () => {
  it(`lists the account routes (${MANAGED.length}) and the signed-in routes (${SIGNED_IN.length})`, () => {
    expect(MANAGED.length).toBeGreaterThanOrEqual(30);
    expect(SIGNED_IN.some((r) => r.url === '/accounts' && r.method === 'GET')).toBe(true);
    expect(new Set(ROUTES.map(routeName)).size).toBe(ROUTES.length);
  });

  for (const r of MANAGED) {
    it(`${routeName(r)} is an account route with a known permission`, () => {
      expect(r.url.startsWith('/accounts/:account_id'), 'account routes live under /accounts/:account_id').toBe(true);
      expect(PERMISSIONS).toContain(r.permission);
    });
    if (idsOf(r).length > 0) {
      it(`${routeName(r)} has a fixture for its path ids`, () => {
        const f = fixtureOf(r);
        expect(f, `${routeName(r)} names ids in its path (${idsOf(r).join(', ')}) but has no entry in FIXTURES of test/people/roles.test.ts: add one that makes them in account A`).toBeDefined();
        expect(Object.keys(f!.params).sort(), `FIXTURES["${fixtureKey(r)}"].params`).toEqual(idsOf(r).sort());
      });
    }
  }

  it('every fixture names an account route (the table does not go stale)', () => {
    for (const key of Object.keys(FIXTURES)) {
      expect(MANAGED.some((r) => fixtureKey(r) === key && r.method !== 'HEAD'), `FIXTURES["${key}"] names no account route`).toBe(true);
    }
  });

  it('every permission is asked for by some route, and every route outside /accounts/:account_id asks for none', () => {
    for (const p of PERMISSIONS) {
      // members:* and the account's sign-up flows belong to another part of the API; they may come later.
      if (p.startsWith('members:')) continue;
      expect(MANAGED.some((r) => r.permission === p), `no route asks for ${p}`).toBe(true);
    }
    for (const r of ROUTES.filter((x) => x.permission !== undefined)) expect(r.url.startsWith('/accounts/:account_id'), routeName(r)).toBe(true);
  });

  it('docs/api.md (Management API → Routes) lists exactly the account routes, each with its permission', () => {
    const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8').split('\n');
    const at = doc.findIndex((l) => l.trim() === '### Routes');
    expect(at, 'docs/api.md has a "### Routes" section').toBeGreaterThanOrEqual(0);
    const documented = new Map<string, string>();
    for (const line of doc.slice(at + 1)) {
      if (line.startsWith('#')) break;
      const m = /^\| `([A-Z]+) (\/accounts\/\{account_id\}[^`]*)` \| `([a-z]+:[a-z]+)` \|/.exec(line);
      if (m) documented.set(`${m[1]} ${m[2]!.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1')}`, m[3]!);
    }
    const routes = new Map(MANAGED.filter((r) => r.method !== 'HEAD').map((r) => [routeName(r), r.permission!]));
    for (const [name, permission] of routes) {
      expect(documented.get(name), `${name} (${permission}) is not in the routes table of docs/api.md § Management API: add a row`).toBe(permission);
    }
    for (const name of documented.keys()) expect(routes.has(name), `docs/api.md lists ${name}, which the app does not serve`).toBe(true);
  });

  it('every route that names an account checks the membership (managed(), not signedIn() or publicRoute())', () => {
    // Without a permission the session hook never looks at :account_id: any signed-in person would get in.
    for (const r of ROUTES.filter((x) => x.url.includes(':account_id') && x.auth !== 'key')) {
      expect(r.permission, `${routeName(r)} names an account but asks for no permission`).toBeDefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The generated cases, on each backend.

type Kind = { who: Who } | { case: 'stranger' | 'no-cookie' | 'csrf' };
interface Case {
  name: string;
  route: RouteEntry;
  kind: Kind;
}

const allowedFor = (who: Who, r: RouteEntry) => who === 'operator' || ROLE_PERMISSIONS[who].has(r.permission!);

const CASES: Case[] = MANAGED.flatMap((route) => {
  const n = routeName(route);
  const cases: Case[] = EVERYONE.map((who) => ({
    name:
      who === 'operator'
        ? `${n} — an operator who is not a member acts as an owner: allowed`
        : `${n} — ${who}: ${allowedFor(who, route) ? 'allowed' : `403 forbidden (no ${route.permission})`}`,
    route,
    kind: { who },
  }));
  cases.push({ name: `${n} — a member of another account → 404 like an account that does not exist`, route, kind: { case: 'stranger' } });
  cases.push({ name: `${n} — no session → 401 not_signed_in`, route, kind: { case: 'no-cookie' } });
  if (!SAFE.has(route.method)) cases.push({ name: `${n} — without the CSRF token → 403 csrf_failed`, route, kind: { case: 'csrf' } });
  return cases;
});

const SIGNED_IN_CASES: Case[] = SIGNED_IN.flatMap((route) => {
  const n = routeName(route);
  const cases: Case[] = [{ name: `${n} — no session → 401 not_signed_in`, route, kind: { case: 'no-cookie' } }];
  if (!SAFE.has(route.method)) cases.push({ name: `${n} — without the CSRF token → 403 csrf_failed`, route, kind: { case: 'csrf' } });
  if (route.operator) cases.push({ name: `${n} — a person who is not an operator → 403 forbidden`, route, kind: { who: 'owner' } });
  return cases;
});

/** What the session hook answers when it refuses; an allowed request answers none of these. */
function expectNotRefused(res: InjectedResponse, what: string): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
  expect([401, 403], `${what}: ${res.body}`).not.toContain(res.statusCode);
  if (res.statusCode === 404 && res.body !== '') expect(res.json().message, `${what}: the session hook's 404`).not.toBe('Account not found');
}

let dns: DnsTestServer;
beforeAll(async () => {
  // An empty zone: POST /domains/:id/verify asks it (NXDOMAIN at once) instead of the internet.
  dns = await startDnsServer();
});
afterAll(async () => dns?.close());

describe.each(BACKENDS)('every session route, by role, on %s', (backend) => {
  let h: Harness;
  let w: World;
  /** Each asker, signed in, and the account it asks in: its own, where it holds its role (the operator: none). */
  const people = new Map<Who, Session>();
  const accounts = new Map<Who, Acc>();
  /** The owner of yet another account: a member, but not of the account it names. */
  let stranger: Session;
  /** Per fixture key and asker ("refusals": the cases refused before any handler, in the owner's account): the request. */
  const requests = new Map<string, { url: string; payload?: object }>();
  type FixtureSet = Who | 'refusals';
  const requestKey = (r: RouteEntry, set: FixtureSet) => `${fixtureKey(r)} | ${set}`;

  beforeAll(async () => {
    h = await createHarness(backend, { env: { ...ENV, HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}` } });
    w = { h, closedPort: await closedPort(), n: 0 };
    for (const who of EVERYONE) {
      const acc = await h.account();
      accounts.set(who, acc);
      people.set(who, who === 'operator' ? await person(h, { operator: true }) : await person(h, { accountId: acc.id, role: who }));
    }
    stranger = await person(h, { accountId: (await h.account()).id, role: 'owner' });

    // Every request's fixtures, made before any request of the suite (a GET and its HEAD share theirs).
    for (const route of MANAGED.filter((r) => r.method !== 'HEAD')) {
      const f = fixtureOf(route);
      if (idsOf(route).length > 0 && !f) continue; // the route table's test names it
      for (const set of [...EVERYONE, 'refusals'] as FixtureSet[]) {
        const acc = accounts.get(set === 'refusals' ? 'owner' : set)!;
        const values = f ? await f.make(w, acc) : {};
        const url = fillPath(route.url, { account_id: acc.id, ...values }) + (f?.query ? `?${f.query(values)}` : '');
        requests.set(requestKey(route, set), { url, ...(f?.body && !SAFE.has(route.method) ? { payload: f.body(values) } : {}) });
      }
    }
  });
  afterAll(async () => h?.close());

  const send = (method: string, url: string, headers: Record<string, string>, payload?: object): Promise<InjectedResponse> =>
    h.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) }) as Promise<InjectedResponse>;

  /** A refusal: its code checked with expectError, or — a HEAD answer has no body — on the GET twin. */
  async function refused(route: RouteEntry, url: string, headers: Record<string, string>, status: number, code: string, payload?: object) {
    const res = await send(route.method, url, headers, payload);
    if (route.method !== 'HEAD') return expectError(res, status, code);
    expect(res.statusCode).toBe(status);
    return expectError(await send('GET', url, headers, payload), status, code);
  }

  async function runCase(c: Case): Promise<void> {
    const { route } = c;
    const req = requests.get(requestKey(route, 'who' in c.kind ? c.kind.who : 'refusals'));
    expect(req, `no fixture for ${fixtureKey(route)} in FIXTURES`).toBeDefined();
    const { url, payload } = req!;
    if ('who' in c.kind) {
      const who = c.kind.who;
      const s = people.get(who)!;
      if (!allowedFor(who, route)) {
        const body = await refused(route, url, s.headers(), 403, 'forbidden', payload);
        expect(body.message).toContain(route.permission);
        return;
      }
      const res = await send(route.method, url, s.headers(), payload);
      // A read, or a request its fixture completes, must succeed; any other must not be refused.
      if (SAFE.has(route.method) || fixtureOf(route)) expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
      else expectNotRefused(res, who);
      return;
    }
    switch (c.kind.case) {
      case 'stranger': {
        const headers = stranger.headers();
        const foreign = await refused(route, url, headers, 404, 'not_found', payload);
        const missingUrl = url.replace(accounts.get('owner')!.id, newId('acc'));
        expect(missingUrl).not.toBe(url);
        const missing = await refused(route, missingUrl, headers, 404, 'not_found', payload);
        expect(foreign).toEqual(missing);
        return;
      }
      case 'no-cookie':
        await refused(route, url, {}, 401, 'not_signed_in', payload);
        return;
      case 'csrf':
        await refused(route, url, people.get('owner')!.headers({ csrf: false }), 403, 'csrf_failed', payload);
        return;
    }
  }

  it('documents every session route in /openapi.json, with the session scheme and a summary', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const r of [...MANAGED, ...SIGNED_IN].filter((x) => x.method !== 'HEAD')) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${routeName(r)} is not in /openapi.json`).toBeDefined();
      expect(op.security, routeName(r)).toEqual([{ session: [] }]);
      expect(typeof op.summary, routeName(r)).toBe('string');
      expect(op.responses['200'], routeName(r)).toBeDefined();
    }
  });

  for (const c of CASES) it(c.name, () => runCase(c));

  describe('signed-in routes', () => {
    for (const c of SIGNED_IN_CASES) {
      it(c.name, async () => {
        const route = c.route;
        const url = fillPath(route.url, Object.fromEntries(pathParams(route.url).map((p) => [p, newId('x')])));
        if ('who' in c.kind) {
          // Not an operator, with the CSRF token: refused for the flag alone.
          await refused(route, url, people.get('owner')!.headers(), 403, 'forbidden');
          return;
        }
        if (c.kind.case === 'no-cookie') await refused(route, url, {}, 401, 'not_signed_in');
        else await refused(route, url, people.get('owner')!.headers({ csrf: false }), 403, 'csrf_failed');
      });
    }
  });
});
