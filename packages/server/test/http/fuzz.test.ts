import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRequest, type HostileRequest, hostileRequest, judge, operations, prng } from '../../../../bench/fuzz/generate.mjs';
import { type Db, openDb } from '../../src/store/db.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { person, type Session } from '../support/people.ts';

/** Hostile requests per backend: a small slice of bench/fuzz (which sends ≥ 100,000 to a real server). */
const REQUESTS = Number(process.env.HELLIO_FUZZ_TEST_REQUESTS ?? 2_000);
const SEED = Number(process.env.HELLIO_FUZZ_SEED ?? 15);

/** Row counts of every table, the wallets' total and the ledger's, to see whether anything was written. */
async function snapshot(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await db.db.introspection.getTables()) {
    if (t.isView || t.name.startsWith('kysely_') || t.name.startsWith('sqlite_')) continue;
    const r = await (db.db as unknown as Db['db']).selectFrom(t.name as 'jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t.name] = Number(r.n);
  }
  return out;
}

/**
 * Hostile requests generated from /openapi.json (bench/fuzz/generate.mjs: wrong types, missing and
 * extra fields, huge and odd strings, invalid UTF-8, bad JSON and content types, long URLs and
 * parameters, other accounts' ids, bad credentials), with and without valid credentials: no 5xx,
 * every error in the SPEC body with an X-Request-Id, no other account's resource answered, and
 * the requests that answered an error, sent again, write nothing.
 */
describe.each(BACKENDS)('fuzzing the API from its OpenAPI document on %s', (backend) => {
  let h: Harness;
  let db: Db;
  let a: TestAccount;
  let b: TestAccount;
  let member: Session;
  let operator: Session;
  const own: string[] = [];
  const other: string[] = [];

  beforeAll(async () => {
    // Limits lifted, so that the requests reach validation rather than a 429.
    h = await createHarness(backend, {
      env: { HELLIO_RATE_LIMIT_PER_MINUTE: '10000000', HELLIO_SESSION_REQUESTS_PER_MINUTE: '1000000', HELLIO_OTP_PER_IP_PER_HOUR: '1000000000', HELLIO_OTP_PER_DESTINATION_PER_HOUR: '1000000000', HELLIO_OTP_RESEND_COOLDOWN_SECONDS: '0' },
    });
    db = openDb(h.config);
    [a, b] = [await h.account({ balance: '1000.00' }), await h.account({ balance: '1000.00' })];
    member = await person(h, { accountId: a.id, role: 'owner' });
    operator = await person(h, { operator: true });
    for (const [acc, ids] of [
      [a, own],
      [b, other],
    ] as const) {
      const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(acc.key), payload: { from: 'HELLIO', to: ['+14155550101', '+14155550102'], message: 'seed' } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      ids.push(...body.messages.map((m: { id: string }) => m.id));
      if (body.campaign_id) ids.push(body.campaign_id);
    }
    other.push(b.id, b.keyId);
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
  });

  const send = (q: HostileRequest) =>
    h.app.inject({ method: q.method as 'GET', url: q.url, headers: q.headers, ...(q.body !== undefined ? { payload: q.body } : {}) });

  /** What the first pass found, for the checks below. */
  const found = {
    fiveXX: [] as Array<Record<string, unknown>>,
    nonSpec: [] as Array<Record<string, unknown>>,
    leaks: [] as Array<Record<string, unknown>>,
    errored: [] as HostileRequest[],
    statuses: {} as Record<number, number>,
  };
  /** Failures grouped by status, reason and kind of request, with one example each: a readable failure message. */
  const grouped = (list: Array<Record<string, unknown>>) => {
    const g = new Map<string, { n: number; example: Record<string, unknown> }>();
    for (const x of list) {
      const k = `${x.status} ${x.why}`;
      const e = g.get(k);
      if (e) e.n++;
      else g.set(k, { n: 1, example: x });
    }
    return [...g].map(([k, v]) => ({ kind: k, n: v.n, example: `${v.example.method} ${v.example.url} ${v.example.body}`.slice(0, 200) }));
  };

  it(`sends ${REQUESTS} hostile requests generated from /openapi.json`, async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops = operations(spec);
    expect(ops.length).toBeGreaterThan(50);
    const r = prng(SEED);
    const auth = { key: bearer(a.key), session: member.headers(), operator: operator.headers(), otherKey: bearer(b.key) };
    const ids = { accountId: a.id, otherAccountId: b.id, own, other };
    for (let i = 0; i < REQUESTS; i++) {
      const q = hostileRequest(r, ops[i % ops.length]!, auth, ids);
      const res = await send(q);
      found.statuses[res.statusCode] = (found.statuses[res.statusCode] ?? 0) + 1;
      const v = judge(res.statusCode, res.headers, res.body);
      if (v.fiveXX) found.fiveXX.push(describeRequest(q, res.statusCode, '5xx'));
      if (v.fiveXX && process.env.HELLIO_FUZZ_DEBUG) console.log(JSON.stringify(describeRequest(q, res.statusCode, res.body)));
      if (v.nonSpec) found.nonSpec.push(describeRequest(q, res.statusCode, v.why));
      // Another account's message, campaign or key named in the path, read with our credentials.
      if (res.statusCode < 300 && q.authKind === 'valid' && q.method === 'GET' && !q.url.startsWith('/admin/') && other.some((id) => q.url.includes(id)))
        found.leaks.push(describeRequest(q, res.statusCode, 'another account’s resource answered'));
      if (res.statusCode >= 400) found.errored.push(q);
    }
    // Most hostile requests are refused; a run that is mostly 2xx generated nothing hostile.
    expect(found.errored.length).toBeGreaterThan(REQUESTS / 2);
  }, 600_000);

  it('answers none of them with a 5xx', () => {
    expect(grouped(found.fiveXX), JSON.stringify(found.statuses)).toEqual([]);
  });

  it('answers every error in the SPEC body, and everything with an X-Request-Id', () => {
    expect(grouped(found.nonSpec), JSON.stringify(found.statuses)).toEqual([]);
  });

  it('answers no request naming another account’s resource with it', () => {
    expect(found.leaks).toEqual([]);
  });

  it('writes nothing when the requests that answered an error are sent again', async () => {
    expect(found.errored.length).toBeGreaterThan(0);
    const before = await snapshot(db);
    const wallets = [await h.rt.store.wallet.balance(a.id), await h.rt.store.wallet.balance(b.id)];
    // A request that now succeeds (the state moved on since) may write: it is left out.
    const flipped: HostileRequest[] = [];
    for (const q of found.errored) if ((await send(q)).statusCode < 400) flipped.push(q);
    const after = await snapshot(db);
    expect(flipped.map((q) => `${q.method} ${q.url}`)).toEqual([]);
    expect(Object.entries(after).filter(([t, n]) => before[t] !== n)).toEqual([]);
    expect([await h.rt.store.wallet.balance(a.id), await h.rt.store.wallet.balance(b.id)]).toEqual(wallets);
  }, 600_000);
});
