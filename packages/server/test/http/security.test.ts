import { placeCall } from '../../src/modules/voice/place.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/http/types.ts';
import { newId } from '../../src/lib/ids.ts';
import { messageSid } from '../../src/lib/twilio.ts';
import { setAccountStatus } from '../../src/modules/access/accounts.ts';
import { revokeKey } from '../../src/modules/access/keys.ts';
import { SCOPES } from '../../src/modules/access/scopes.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { storeInboundEmail } from '../support/inbound-email.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, type InjectedResponse } from '../support/http-assert.ts';
import { isResendPath, resendError } from '../../src/http/resend-errors.ts';
import { closedPort, credentialHeaders, expectHeadLike, expectRefusal, fillPath, loadRouteTable, pathParams, routeName } from '../support/route-table.ts';

/**
 * One suite for every authenticated route, generated from the app's own route table
 * (h.app.routeTable), so a new route cannot be left out. For each route, on each backend:
 *
 *   0. a live key with every scope gets through the pipeline (the control for 1–4);
 *   1. no key → 401 missing_credentials;
 *   2. a revoked key → 401 invalid_credentials;
 *   3. a key of a suspended account → 403 account_not_active;
 *   4. a key with every scope but the route's → 403 insufficient_scope;
 *   5. for routes with ids in the path: another account's ids → 404, exactly as ids that do not exist.
 *
 * HEAD: Fastify adds a HEAD route for every GET, and the pipeline runs for it too, so HEAD routes
 * are tested like any other. A HEAD answer has no body; its refusal's code is read from the GET
 * twin (same request), and the HEAD answer must match that twin in status, type and length.
 *
 * The route table itself must pass too: every route without a scope is in PUBLIC_ROUTES below, and
 * every authenticated route with a path parameter has an entry in FIXTURES.
 */

/** The token that registers POST /providers/:name/receipts (a public route, checked below). */
const CALLBACK_TOKEN = 'security-suite-callback-token-0123456789';
const ENV = {
  // Webhook endpoints on 127.0.0.1 (a closed port: test deliveries fail at once, and are stored).
  HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true',
  // Account B's key makes a few hundred requests a minute here; the limiter is not under test.
  HELLIO_RATE_LIMIT_PER_MINUTE: '1000000',
  HELLIO_PROVIDER_CALLBACK_TOKEN: CALLBACK_TOKEN,
  // The audio fixture places a call on the simulator: faster than real time.
  HELLIO_VOICE_SIMULATOR_SPEED: '100',
};

/**
 * Every route that answers without an API key, and why. A route without a scope that is not here
 * fails the suite: a new route that forgot `config.scope` would otherwise be open to anyone.
 */
const PUBLIC_ROUTES: Array<{ methods: string[]; url: string; prefix?: true; why: string }> = [
  { methods: ['GET', 'HEAD'], url: '/healthz', why: 'liveness probe' },
  { methods: ['GET', 'HEAD'], url: '/readyz', why: 'readiness probe (database, Redis)' },
  { methods: ['GET', 'HEAD'], url: '/openapi.json', why: 'the API description' },
  { methods: ['GET', 'HEAD'], url: '/metrics', why: 'Prometheus scrapes: loopback and private addresses, or Authorization: Bearer HELLIO_METRICS_TOKEN (test/http/metrics.test.ts)' },
  { methods: ['GET', 'HEAD'], url: '/docs', prefix: true, why: 'Swagger UI: /docs and its assets under /docs/' },
  {
    methods: ['POST'],
    url: '/providers/:name/receipts',
    why: 'HTTP SMS providers’ status callbacks: guarded by HELLIO_PROVIDER_CALLBACK_TOKEN, not a key (registered only when it is set)',
  },
  {
    methods: ['POST'],
    url: '/providers/:name/inbound',
    why: 'HTTP SMS providers’ inbound messages: guarded by HELLIO_PROVIDER_CALLBACK_TOKEN, not a key (registered only when it is set)',
  },
  { methods: ['POST'], url: '/auth/login', why: 'signing in (limited per address and per email)' },
  { methods: ['GET', 'HEAD'], url: '/auth/setup', why: 'first run: whether the setup link is still needed (no user exists yet); tells nothing else' },
  { methods: ['POST'], url: '/auth/setup', why: 'first run: spends the one-time setup link the server printed; refused once any user exists' },
  { methods: ['POST'], url: '/auth/signup', why: 'sign-up per HELLIO_SIGNUP (403 when closed); limited per address and per email; same answer for taken addresses' },
  { methods: ['POST'], url: '/auth/verify-email', why: 'the emailed verification link (a single-use token)' },
  { methods: ['POST'], url: '/auth/password-reset', why: '"forgot password": limited per address and per email; same answer whether the address has a user or not' },
  { methods: ['POST'], url: '/auth/password-reset/confirm', why: 'the emailed reset link (a single-use, expiring token)' },
  { methods: ['POST'], url: '/auth/invitations/accept', why: 'the emailed invitation link (a single-use, expiring token); an existing user also signs in or sends their session with its CSRF token' },
];

const publicEntryOf = (r: RouteEntry) =>
  PUBLIC_ROUTES.find((p) => p.methods.includes(r.method) && (r.url === p.url || (p.prefix === true && r.url.startsWith(`${p.url}/`))));

/** What the pipeline answers when it refuses; a request it lets through answers none of these. */
const PIPELINE_CODES = ['missing_credentials', 'invalid_credentials', 'account_not_active', 'ip_not_allowed', 'insufficient_scope', 'rate_limited'];

const ROUTES = await loadRouteTable(ENV);
const AUTHENTICATED = ROUTES.filter((r) => r.scope !== undefined);
// Session routes (the dashboard's) are not open either: test/people/roles.test.ts walks them.
const UNSCOPED = ROUTES.filter((r) => r.auth === 'public');

// ---------------------------------------------------------------------------------------------
// Fixtures for case 5: how to make, in account A, what each route's path ids name.

interface World {
  h: Harness;
  /** The owner of every fixture. */
  a: TestAccount;
  /** The other account: active, funded, a key with every scope. */
  b: TestAccount;
  /** A closed port on 127.0.0.1 for webhook endpoints. */
  closedPort: number;
  /** An account's Twilio account SID (the compatibility API's routes name it). */
  accountSid(acc: { id: string }): Promise<string>;
}

/** Sends the request and expects 200; answers the JSON body. */
async function ok(w: World, acc: TestAccount, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await w.h.app.inject({ method, url, headers: bearer(acc.key), ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const smsTo = '+447911123456';

const make = {
  message: async (w: World, acc: TestAccount) => (await ok(w, acc, 'POST', '/sms/send', { from: 'HELLIO', to: smsTo, message: 'security' })).messages[0].id as string,
  scheduledMessage: async (w: World, acc: TestAccount) =>
    (await ok(w, acc, 'POST', '/sms/send', { from: 'HELLIO', to: smsTo, message: 'later', scheduled_at: inAnHour() })).messages[0].id as string,
  campaign: async (w: World, acc: TestAccount) => {
    const id = (await ok(w, acc, 'POST', '/sms/send', { from: 'HELLIO', to: [smsTo, '+447911123457'], message: 'many' })).campaign_id as string;
    expect(id).toMatch(/^cmp_/);
    return id;
  },
  scheduledEmail: async (w: World, acc: TestAccount) =>
    (await ok(w, acc, 'POST', '/resend/emails', { from: 'news@example.com', to: 'later@example.org', subject: 'later', text: 'x', scheduled_at: 'in 1 hour' })).id as string,
  lookup: async (w: World, acc: TestAccount) => (await ok(w, acc, 'POST', '/lookup', { number: smsTo })).id as string,
  /** A queued call (no worker runs here), which its owner may still cancel. */
  call: async (w: World, acc: TestAccount) => (await ok(w, acc, 'POST', '/voice/send', { to: '+14155550199', text: 'security' })).id as string,
  /** A call placed on the simulator, so that its audio exists. */
  placedCall: async (w: World, acc: TestAccount) => {
    const id = await make.call(w, acc);
    const rt = w.h.rt;
    await placeCall({ store: rt.store, clock: rt.clock, channels: rt.channels, speech: rt.ctx.speech, otpKeys: rt.ctx.otp.keys, currency: 'USD' }, id, { attempt: 1, maxAttempts: 3 });
    return id;
  },
  verification: async (w: World, acc: TestAccount) => {
    // Answered from the syntax check alone (no DNS, no SMTP), and stored like any other.
    const v = await ok(w, acc, 'POST', '/email/verify', { email: 'not an address' });
    expect(v).toMatchObject({ result: 'undeliverable', reason: 'invalid_syntax', checks: { domain: null, mx: null, smtp: null } });
    return v.id as string;
  },
  suppression: async (w: World, acc: TestAccount) =>
    (await ok(w, acc, 'POST', '/suppressions', { channel: 'sms', value: `+4479111${String(Math.floor(Math.random() * 90000) + 10000)}` })).id as string,
  domain: async (w: World, acc: TestAccount) => (await ok(w, acc, 'POST', '/domains', { domain: `${newId('d').slice(2)}.example.org` })).id as string,
  endpoint: async (w: World, acc: TestAccount) =>
    (await ok(w, acc, 'POST', '/webhooks', { url: `http://127.0.0.1:${w.closedPort}/hook`, events: ['*'] })).id as string,
  /** An email received for A, with one attachment. */
  inboundEmail: (w: World, acc: TestAccount) => storeInboundEmail(w.h.rt.store, acc.id),
  /** A settled (failed: the port is closed) delivery of webhook.test, which may be retried. */
  delivery: async (w: World, acc: TestAccount, endpointId: string) => {
    const d = await ok(w, acc, 'POST', `/webhooks/${endpointId}/test`);
    expect(d.status).toBe('failed');
    return d.id as string;
  },
};

/** One request of case 5 that must answer 200 (after B's), proving the fixture is real. */
interface Proof {
  who: 'a' | 'b';
  method: string;
  url: string;
}

/** One instance of case 5: B asks for `foreign` and for `missing`; both must answer the same 404. */
interface ForeignIdCase {
  foreign: string;
  missing: string;
  /** GET URLs of A's resources that A reads before and after B's requests: nothing may have changed. */
  watch: string[];
  proofs: Proof[];
}

interface IdFixture {
  /** Every path parameter of the route, with the prefix of the ids it takes. */
  params: Record<string, string>;
  /** Makes the resource in account A; answers A's value of every path parameter. */
  make(w: World): Promise<Record<string, string>>;
  /** A body that gets the request past validation to the handler. */
  body?: object;
  /** For routes that change what they name: where A reads it (path parameters as in the route). */
  watch?: string[];
  /** Further cases beyond "another account's ids", by name (routes with more than one id). */
  more?: Record<string, (w: World, route: RouteEntry) => Promise<ForeignIdCase>>;
}

const one = (prefix: string, makeId: (w: World) => Promise<string>, extra: Partial<IdFixture> = {}): IdFixture => ({
  params: { id: prefix },
  make: async (w) => ({ id: await makeId(w) }),
  ...extra,
});

/**
 * Keyed by "METHOD url" of every authenticated route with a path parameter; HEAD routes use
 * their GET twin's entry. Each route gets fixtures of its own (made once, before the tests), so
 * routes that change or delete what they name (cancel, DELETE, retry…) cannot disturb others.
 */
const FIXTURES: Record<string, IdFixture> = {
  'GET /messages/:id': one('msg', (w) => make.message(w, w.a)),
  // A scheduled message, so that A's own cancel (the proof) succeeds.
  'POST /messages/:id/cancel': one('msg', (w) => make.scheduledMessage(w, w.a), { watch: ['/messages/:id'] }),
  'GET /campaigns/:id': one('cmp', (w) => make.campaign(w, w.a)),
  'GET /lookup/:id': one('lkp', (w) => make.lookup(w, w.a)),
  'GET /voice/:id': one('call', (w) => make.call(w, w.a)),
  'POST /voice/:id/cancel': one('call', (w) => make.call(w, w.a), { watch: ['/voice/:id'] }),
  'GET /voice/:id/audio': one('call', (w) => make.placedCall(w, w.a)),
  'GET /email/verifications/:id': one('emv', (w) => make.verification(w, w.a)),
  'DELETE /suppressions/:id': one('sup', (w) => make.suppression(w, w.a), { watch: ['/suppressions'] }),
  'GET /domains/:id': one('dom', (w) => make.domain(w, w.a)),
  'POST /domains/:id/verify': one('dom', (w) => make.domain(w, w.a), { watch: ['/domains/:id'] }),
  'GET /webhooks/:id': one('wh', (w) => make.endpoint(w, w.a)),
  'PATCH /webhooks/:id': one('wh', (w) => make.endpoint(w, w.a), { body: { description: 'changed by its owner' }, watch: ['/webhooks/:id'] }),
  'DELETE /webhooks/:id': one('wh', (w) => make.endpoint(w, w.a), { watch: ['/webhooks/:id'] }),
  'POST /webhooks/:id/rotate-secret': one('wh', (w) => make.endpoint(w, w.a), { watch: ['/webhooks/:id'] }),
  'POST /webhooks/:id/test': one('wh', (w) => make.endpoint(w, w.a), { watch: ['/webhooks/:id/deliveries'] }),
  'GET /webhooks/:id/deliveries': one('wh', (w) => make.endpoint(w, w.a)),
  'POST /webhooks/:id/deliveries/retry-failed': one('wh', (w) => make.endpoint(w, w.a), { body: { since: '2026-01-01T00:00:00Z' }, watch: ['/webhooks/:id/deliveries'] }),
  'GET /messages/:id/webhook-deliveries': one('msg', (w) => make.message(w, w.a)),
  'GET /emails/inbound/:id': one('inm', (w) => make.inboundEmail(w, w.a)),
  'GET /emails/inbound/:id/attachments/:n': {
    params: { id: 'inm', n: 'n' },
    make: async (w) => ({ id: await make.inboundEmail(w, w.a), n: '1' }),
  },
  // Resend's compatibility API: a scheduled email, so that A's own change and cancel (the proofs) succeed.
  'GET /resend/emails/:id': one('msg', (w) => make.scheduledEmail(w, w.a)),
  'PATCH /resend/emails/:id': one('msg', (w) => make.scheduledEmail(w, w.a), { body: { scheduled_at: 'in 2 hours' }, watch: ['/messages/:id'] }),
  'POST /resend/emails/:id/cancel': one('msg', (w) => make.scheduledEmail(w, w.a), { watch: ['/messages/:id'] }),
  // The Twilio-compatible API (credentials: HTTP Basic with the account's SID; the suite sends them).
  'POST /twilio/2010-04-01/Accounts/:AccountSid/Messages.json': {
    params: { AccountSid: 'AC' },
    make: async (w) => ({ AccountSid: await w.accountSid(w.a) }),
    body: { To: smsTo, From: 'HELLIO', Body: 'security' },
  },
  'GET /twilio/2010-04-01/Accounts/:AccountSid/Messages.json': {
    params: { AccountSid: 'AC' },
    make: async (w) => ({ AccountSid: await w.accountSid(w.a) }),
  },
  'GET /twilio/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json': {
    params: { AccountSid: 'AC', Sid: 'SM' },
    make: async (w) => ({ AccountSid: await w.accountSid(w.a), Sid: messageSid(await make.message(w, w.a))! }),
    more: {
      "own account's SID with another account's message SID → 404 like a missing message": async (w, route) => {
        const aMessage = messageSid(await make.message(w, w.a))!;
        const bSid = await w.accountSid(w.b);
        return {
          foreign: fillPath(route.url, { AccountSid: bSid, Sid: aMessage }),
          missing: fillPath(route.url, { AccountSid: bSid, Sid: messageSid(newId('msg'))! }),
          watch: [],
          proofs: [{ who: 'a', method: route.method, url: fillPath(route.url, { AccountSid: await w.accountSid(w.a), Sid: aMessage }) }],
        };
      },
    },
  },
  'POST /webhooks/:id/deliveries/:delivery_id/retry': {
    params: { id: 'wh', delivery_id: 'whd' },
    make: async (w) => {
      const id = await make.endpoint(w, w.a);
      return { id, delivery_id: await make.delivery(w, w.a, id) };
    },
    watch: ['/webhooks/:id/deliveries'],
    more: {
      "own endpoint with another account's delivery id → 404 like a missing delivery": async (w, route) => {
        const aEndpoint = await make.endpoint(w, w.a);
        const aDelivery = await make.delivery(w, w.a, aEndpoint);
        const bEndpoint = await make.endpoint(w, w.b);
        return {
          foreign: fillPath(route.url, { id: bEndpoint, delivery_id: aDelivery }),
          missing: fillPath(route.url, { id: bEndpoint, delivery_id: newId('whd') }),
          watch: [`/webhooks/${aEndpoint}/deliveries`],
          proofs: [
            // B's endpoint is real (so the 404 is about the delivery), and A's delivery too.
            { who: 'b', method: 'GET', url: `/webhooks/${bEndpoint}` },
            { who: 'a', method: route.method, url: fillPath(route.url, { id: aEndpoint, delivery_id: aDelivery }) },
          ],
        };
      },
    },
  },
};

const fixtureKey = (r: RouteEntry) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
const fixtureOf = (r: RouteEntry): IdFixture | undefined => FIXTURES[fixtureKey(r)];

const foreignCaseName = (r: RouteEntry) =>
  pathParams(r.url).length === 1 ? "another account's id → 404 like a missing one" : "another account's ids → 404 like missing ones";

/** A URL of the route naming ids that do not exist (any well-formed id: the pipeline runs before validation). */
const missingUrl = (r: RouteEntry) =>
  fillPath(r.url, Object.fromEntries(pathParams(r.url).map((p) => [p, newId(fixtureOf(r)?.params[p] ?? 'x')])));

// ---------------------------------------------------------------------------------------------
// The route table: what the generator walks, and what it refuses to walk past.

describe('the route table', () => {
  it(`lists a sane number of authenticated routes (${AUTHENTICATED.length})`, () => {
    expect(AUTHENTICATED.length).toBeGreaterThanOrEqual(25);
    // Test names (and the fixtures' keys) are "METHOD url": each must name one route.
    expect(new Set(ROUTES.map(routeName)).size).toBe(ROUTES.length);
  });

  // (Loops of it(), not it.each: vitest cuts interpolated names at 40 characters.)
  for (const r of UNSCOPED) {
    it(`${routeName(r)} has no scope: it must be a listed public route`, () => {
      expect(publicEntryOf(r), `${routeName(r)} has no config.scope and is not in PUBLIC_ROUTES`).toBeDefined();
    });
  }

  it('every listed public route exists (the list does not go stale)', () => {
    for (const p of PUBLIC_ROUTES) {
      for (const method of p.methods) {
        expect(UNSCOPED.some((r) => r.method === method && (r.url === p.url || (p.prefix === true && r.url.startsWith(`${p.url}/`)))), `${method} ${p.url}`).toBe(true);
      }
    }
  });

  for (const r of AUTHENTICATED) {
    it(`${routeName(r)} asks for a known scope`, () => {
      expect([...SCOPES, 'send']).toContain(r.scope);
    });
  }

  it('every authenticated route with a path parameter has a fixture naming exactly its parameters, and every fixture a route', () => {
    for (const r of AUTHENTICATED.filter((x) => pathParams(x.url).length > 0)) {
      const f = fixtureOf(r);
      expect(f, `no fixture for ${routeName(r)} in FIXTURES`).toBeDefined();
      expect(Object.keys(f!.params).sort(), routeName(r)).toEqual(pathParams(r.url).sort());
    }
    for (const key of Object.keys(FIXTURES)) {
      expect(AUTHENTICATED.some((r) => fixtureKey(r) === key && r.method !== 'HEAD'), `FIXTURES["${key}"] names no authenticated route`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The generated cases, on each backend.

type Kind = 'control' | 'no-key' | 'revoked' | 'suspended' | 'scope' | 'foreign';
interface Case {
  name: string;
  route: RouteEntry;
  kind: Kind;
  /** For kind "foreign": which case of the fixture ("" for another account's ids). */
  variant: string;
}

const CASES: Case[] = AUTHENTICATED.flatMap((route) => {
  const n = routeName(route);
  const lacking = route.scope === 'send' ? 'sms:send and email:send' : `"${route.scope}"`;
  const cases: Case[] = [
    { name: `${n} — a live key with every scope gets through the pipeline`, route, kind: 'control', variant: '' },
    { name: `${n} — no key → 401 missing_credentials`, route, kind: 'no-key', variant: '' },
    { name: `${n} — revoked key → 401 invalid_credentials`, route, kind: 'revoked', variant: '' },
    { name: `${n} — suspended account → 403 account_not_active`, route, kind: 'suspended', variant: '' },
    { name: `${n} — key without ${lacking} → 403 insufficient_scope`, route, kind: 'scope', variant: '' },
  ];
  if (pathParams(route.url).length > 0) {
    cases.push({ name: `${n} — ${foreignCaseName(route)}`, route, kind: 'foreign', variant: '' });
    for (const variant of Object.keys(fixtureOf(route)?.more ?? {})) cases.push({ name: `${n} — ${variant}`, route, kind: 'foreign', variant });
  }
  return cases;
});

/**
 * A refusal of Resend's compatibility API: Resend's body `{statusCode, name, message}` with the
 * name and status its one mapping gives Hellio's code (src/http/resend-errors.ts).
 */
function expectResendError(res: InjectedResponse, code: string): { message: string } {
  const { status, body: expected } = resendError(code as never, '');
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['message', 'name', 'statusCode']);
  expect(body).toMatchObject({ statusCode: status, name: expected.name });
  expect(body.message.length).toBeGreaterThan(0);
  expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
  return body;
}

let dns: DnsTestServer;
beforeAll(async () => {
  // An empty zone: POST /domains/:id/verify asks it (NXDOMAIN at once) instead of the internet.
  dns = await startDnsServer();
});
afterAll(async () => dns?.close());

describe.each(BACKENDS)('every authenticated route on %s', (backend) => {
  let h: Harness;
  let w: World;
  /** B's second key, every scope, revoked. */
  let revoked: string;
  /** The key, every scope, of an account that was then suspended. */
  let suspended: string;
  /** Keys of B with every scope but the one named (for "send": neither send scope). */
  const lacking = new Map<string, string>();
  const foreignCases = new Map<string, ForeignIdCase>();
  /** Every key the suite sends, with its account and id (the compatibility APIs' credentials name them). */
  const owners = new Map<string, { accountId: string; keyId: string }>();
  const sids = new Map<string, string>();
  const credentialOwners = {
    accountSidOf: (key: string) => sids.get(key) ?? 'AC-unknown',
    keyIdOf: (key: string) => owners.get(key)?.keyId ?? 'unknown',
  };

  beforeAll(async () => {
    h = await createHarness(backend, { env: { ...ENV, HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}` } });
    const accountSid = async (acc: { id: string }) => (await h.rt.store.accounts.get(acc.id))!.twilio_account_sid;
    w = { h, a: await h.account(), b: await h.account(), closedPort: await closedPort(), accountSid };
    owners.set(w.a.key, { accountId: w.a.id, keyId: w.a.keyId });
    owners.set(w.b.key, { accountId: w.b.id, keyId: w.b.keyId });

    const balance = (key: string) => h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key) });
    // Each key works before it is revoked or its account suspended: the refusal is about that alone.
    const second = await h.key(w.b.id);
    expect((await balance(second.key)).statusCode, 'the second key before its revocation').toBe(200);
    await revokeKey(h.rt.ctx, second.id);
    revoked = second.key;
    owners.set(revoked, { accountId: w.b.id, keyId: second.id });

    const s = await h.account();
    expect((await balance(s.key)).statusCode, 'the account before its suspension').toBe(200);
    await setAccountStatus(h.rt.ctx, s.id, 'suspended');
    suspended = s.key;
    owners.set(suspended, { accountId: s.id, keyId: s.keyId });

    for (const scope of new Set(AUTHENTICATED.map((r) => r.scope!))) {
      const without = scope === 'send' ? ['sms:send', 'email:send'] : [scope];
      const scopes = SCOPES.filter((x) => !without.includes(x));
      const k = await h.key(w.b.id, { scopes: scopes.join(' ') });
      lacking.set(scope, k.key);
      owners.set(k.key, { accountId: w.b.id, keyId: k.id });
    }

    for (const [key, o] of owners) sids.set(key, await accountSid({ id: o.accountId }));
    for (const c of CASES.filter((x) => x.kind === 'foreign')) {
      const f = fixtureOf(c.route);
      if (!f) continue; // its test fails, naming the route
      if (c.variant !== '') {
        foreignCases.set(c.name, await f.more![c.variant]!(w, c.route));
        continue;
      }
      const ids = await f.make(w);
      const foreign = fillPath(c.route.url, ids);
      foreignCases.set(c.name, {
        foreign,
        missing: missingUrl(c.route),
        watch: (f.watch ?? []).map((t) => fillPath(t, ids)),
        proofs: [{ who: 'a', method: c.route.method, url: foreign }],
      });
    }
  });
  afterAll(async () => h?.close());

  const send = (method: string, url: string, key: string | null, payload?: object, form: Pick<RouteEntry, 'credentials'> = { credentials: 'bearer' }): Promise<InjectedResponse> =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: credentialHeaders(form, key, credentialOwners),
      ...(payload ? { payload } : {}),
    }) as Promise<InjectedResponse>;

  /**
   * Sends the request and checks the refusal with expectError; answers its body. A HEAD answer
   * has no body: the code is checked on its GET twin, and the HEAD answer must match the twin.
   */
  async function refused(route: RouteEntry, url: string, key: string | null, status: number, code: string, payload?: object) {
    const check = (r: InjectedResponse) =>
      (isResendPath(route.url) ? expectResendError(r, code) : expectRefusal(route, r, status, code)) as ReturnType<typeof expectError>;
    const res = await send(route.method, url, key, payload, route);
    if (route.method !== 'HEAD') return check(res);
    const twin = await send('GET', url, key, payload, route);
    const body = check(twin);
    expectHeadLike(res, twin);
    return body;
  }

  it('serves the route table the generator walked', () => {
    expect(h.app.routeTable).toEqual(ROUTES);
  });

  async function runCase({ name, route, kind }: Case): Promise<void> {
    const url = missingUrl(route);
    switch (kind) {
      case 'control': {
        // Authenticated and admitted: the pipeline set the rate-limit headers, and whatever the
        // route answers next (200, 404 for the missing id, 422 for the missing body) is not a refusal of it.
        const res = await send(route.method, url, w.b.key, undefined, route);
        expect(res.headers['x-ratelimit-limit'], res.body).toBeDefined();
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect([401, 403, 429], res.body).not.toContain(res.statusCode);
        // (Kannel answers in plain text; its refusals are all one 403, excluded above. A CSV
        // export answers its 200 as text: the pipeline's refusals are JSON.)
        const json = String(res.headers['content-type'] ?? '').startsWith('application/json');
        if (route.method !== 'HEAD' && route.credentials !== 'kannel' && (json || res.statusCode !== 200)) expect(PIPELINE_CODES).not.toContain(res.json().code);
        if (route.method !== 'HEAD' && isResendPath(route.url)) expect(PIPELINE_CODES.map((c) => resendError(c as never, '').body.name)).not.toContain(res.json().name);
        return;
      }
      case 'no-key':
        await refused(route, url, null, 401, 'missing_credentials');
        return;
      case 'revoked':
        await refused(route, url, revoked, 401, 'invalid_credentials');
        return;
      case 'suspended':
        await refused(route, url, suspended, 403, 'account_not_active');
        return;
      case 'scope': {
        const key = lacking.get(route.scope!);
        expect(key).toBeDefined();
        const body = await refused(route, url, key!, 403, 'insufficient_scope');
        if (route.scope !== 'send') {
          if (route.credentials !== 'kannel') expect(body.message).toContain(`"${route.scope}"`);
          return;
        }
        // "send" admits a key with either send scope: each alone gets through the pipeline.
        for (const only of ['sms:send', 'email:send']) {
          const scopes = SCOPES.filter((x) => x === only || (x !== 'sms:send' && x !== 'email:send'));
          const k = await h.key(w.b.id, { scopes: scopes.join(' ') });
          const res = await send(route.method, url, k.key);
          expect(res.headers['x-ratelimit-limit'], `${only}: ${res.body}`).toBeDefined();
          expect(PIPELINE_CODES, only).not.toContain(res.json().code);
        }
        return;
      }
      case 'foreign': {
        const f = fixtureOf(route);
        expect(f, `no fixture for ${fixtureKey(route)} in FIXTURES: every route with an id in its path needs one`).toBeDefined();
        const c = foreignCases.get(name)!;
        expect(c).toBeDefined();
        expect(c.foreign).not.toBe(c.missing);
        const read = () =>
          Promise.all(
            c.watch.map(async (url) => {
              const res = await send('GET', url, w.a.key);
              expect(res.statusCode, `A: GET ${url}: ${res.body}`).toBe(200);
              return res.json();
            }),
          );
        const before = await read();
        const foreign = await refused(route, c.foreign, w.b.key, 404, 'not_found', f!.body);
        const missing = await refused(route, c.missing, w.b.key, 404, 'not_found', f!.body);
        expect(foreign).toEqual(missing);
        // B's requests changed nothing of A's.
        expect(await read()).toEqual(before);
        // The ids are real: their owner gets 200 for the very same request.
        for (const p of c.proofs) {
          const res = await send(p.method, p.url, p.who === 'a' ? w.a.key : w.b.key, p.method === route.method ? f!.body : undefined, route);
          // 200, or 201 where the API answers a creation so (Twilio's).
          expect([200, 201], `${p.who}: ${p.method} ${p.url}: ${res.body}`).toContain(res.statusCode);
        }
        return;
      }
    }
  }

  // One named test per route and case (a loop of it(): vitest cuts it.each's interpolated names).
  for (const c of CASES) it(c.name, () => runCase(c));
});
