import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.ts';
import { GatheredReads } from '../../src/store/repos/gathered-reads.ts';
import { IdempotencyRepo } from '../../src/store/repos/idempotency.ts';
import { SuppressionsRepo } from '../../src/store/repos/suppressions.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';

/** A reader whose statements are counted: each call of `readAll` answers the keys found in `rows`. */
function countedReader(rows: Map<string, string>) {
  const statements: string[][] = [];
  const reads = new GatheredReads<string, string>(
    (k) => k,
    async (keys) => {
      statements.push(keys);
      return keys.filter((k) => rows.has(k)).map((k) => ({ id: k, row: rows.get(k)! }));
    },
  );
  return { reads, statements };
}

describe('GatheredReads', () => {
  it('answers the lookups made together with one statement, each with its own row', async () => {
    const { reads, statements } = countedReader(new Map([['a', 'row a'], ['c', 'row c']]));
    const answers = await Promise.all(['a', 'b', 'c', 'a'].map((k) => reads.read(k)));
    expect(answers).toEqual(['row a', undefined, 'row c', 'row a']);
    expect(statements).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('starts a new statement for lookups made after the last one was sent', async () => {
    const { reads, statements } = countedReader(new Map([['a', 'row a']]));
    expect(await reads.read('a')).toBe('row a');
    expect(await reads.read('b')).toBeUndefined();
    expect(statements).toEqual([['a'], ['b']]);
  });

  it('fails every lookup of a statement that failed, and the next ones still run', async () => {
    let fail = true;
    const reads = new GatheredReads<string, string>(
      (k) => k,
      async (keys) => {
        if (fail) throw new Error('connection lost');
        return keys.map((k) => ({ id: k, row: k }));
      },
    );
    const failed = await Promise.allSettled([reads.read('a'), reads.read('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await reads.read('c')).toBe('c');
  });
});

describe.each(BACKENDS)('gathered lookups on %s', (backend) => {
  let h: Harness;
  let db: Db;
  let a: string;
  let b: string;

  beforeAll(async () => {
    h = await createHarness(backend);
    db = openDb(h.config);
    a = (await h.account()).id;
    b = (await h.account()).id;
  });
  afterAll(async () => {
    await db?.db.destroy();
    await h?.close();
  });

  it('Idempotency-Keys: each request gets its own account’s row, none of another account’s with the same key', async () => {
    const now = Date.now();
    const claim = (accountId: string, key: string, body: string) => ({
      accountId,
      key,
      requestHash: `hash-${body}`,
      createdAt: now,
      expiresAt: now + 60_000,
      answer: { status: 202, body },
    });
    await h.rt.ctx.store.idempotency.claimMany([claim(a, 'k1', 'a1'), claim(b, 'k2', 'b2')], now - 1, now);
    const repo = new IdempotencyRepo(db.db, db.capabilities, true);
    const asked: Array<[string, string]> = [[a, 'k1'], [a, 'k2'], [b, 'k1'], [b, 'k2'], [a, 'k1']];
    const rows = await Promise.all(asked.map(([account, key]) => repo.get(account, key)));
    expect(rows.map((r) => r?.response_body)).toEqual(['a1', undefined, undefined, 'b2', 'a1']);
    expect(rows[0]).toMatchObject({ account_id: a, idem_key: 'k1', status: 'completed', response_status: 202 });
  });

  it('suppressions: a recipient is listed for the account and channel that listed it only', async () => {
    const store = h.rt.ctx.store;
    const entry = (id: string, accountId: string, channel: 'sms' | 'email', value: string) =>
      store.suppressions.insertIfAbsent({ id, account_id: accountId, channel, value, source: 'manual', reason: null, created_at: Date.now() });
    await entry('sup_gather_1', a, 'sms', '+14155550101');
    await entry('sup_gather_2', b, 'email', 'ann@example.com');
    const repo = new SuppressionsRepo(db.db, db.capabilities, true);
    const asked: Array<[string, 'sms' | 'email', string]> = [
      [a, 'sms', '+14155550101'],
      [b, 'sms', '+14155550101'],
      [a, 'email', 'ann@example.com'],
      [b, 'email', 'ann@example.com'],
      [a, 'sms', '+14155550102'],
    ];
    const listed = await Promise.all(asked.map(([account, channel, value]) => repo.listedAmong(account, channel, [value])));
    expect(listed).toEqual([['+14155550101'], [], [], ['ann@example.com'], []]);
  });
});
