import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killed, startServer, type RunningServer } from '../support/cli.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { until } from '../support/wait.ts';

const LOOPS = 40;

/**
 * The promise of a 2xx: the request is on disk. `hellio api` is SIGKILLed in the middle of a
 * stream of concurrent sends (group commit has batches in flight); after a restart on the same
 * database every acknowledged message is there, every acknowledged Idempotency-Key replays its
 * answer, and each wallet still equals its ledger.
 */
describe.each(BACKENDS)('kill -9 of the API under load on %s', (backend) => {
  let h: Harness;
  let server: RunningServer | null = null;

  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => {
    if (server) await killed(server.child, 'SIGKILL');
    await h?.close();
  });

  const env = () => ({ ...h.database.env, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000' });
  const post = (base: string, a: TestAccount, idem: string, i: number) =>
    fetch(`${base}/sms/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json', 'idempotency-key': idem },
      body: JSON.stringify({ from: 'HELLIO', to: `+1415556${String(1000 + (i % 9000)).padStart(4, '0')}`, message: `durable ${i}` }),
    });

  it('loses no acknowledged message', async () => {
    const accounts = await Promise.all([h.account({ balance: '1000.00' }), h.account({ balance: '1000.00' })]);
    server = await startServer(env(), 60_000, 'api');
    const base = server.url;
    const acked: Array<{ a: TestAccount; idem: string; i: number; id: string }> = [];
    let failed = 0;
    let stop = false;
    let n = 0;
    const loops = Array.from({ length: LOOPS }, async (_, l) => {
      while (!stop) {
        const i = n++;
        const a = accounts[l % 2]!;
        const idem = `crash-${i}`;
        try {
          const res = await post(base, a, idem, i);
          if (res.status === 200) acked.push({ a, idem, i, id: (await res.json()).messages[0].id });
          else failed++;
        } catch {
          // The connection died with the server: not acknowledged, so no promise was made.
          failed++;
          return;
        }
      }
    });
    // Kill it once plenty has been acknowledged, with requests still in flight.
    await until('acknowledged requests', () => acked.length >= 400, { timeoutMs: 30_000 });
    await killed(server.child, 'SIGKILL');
    stop = true;
    await Promise.all(loops);
    const ackedAtKill = acked.length;
    expect(failed).toBeGreaterThan(0); // the kill did cut requests off

    server = await startServer(env(), 60_000, 'api');
    for (const x of acked) {
      const res = await fetch(`${server.url}/messages/${x.id}`, { headers: { authorization: `Bearer ${x.a.key}` } });
      expect(res.status, x.id).toBe(200);
    }
    // Every acknowledged key replays the answer it gave (a sample: the replays are requests too).
    for (const x of acked.filter((_, k) => k % 10 === 0)) {
      const res = await post(server.url, x.a, x.idem, x.i);
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect((await res.json()).messages[0].id).toBe(x.id);
    }
    for (const a of accounts) {
      const debits = (await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit');
      // A debit per message in the database: acknowledged ones, and any that committed unanswered.
      expect(debits.length).toBeGreaterThanOrEqual(acked.filter((x) => x.a === a).length);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
    }
    expect(acked.length).toBe(ackedAtKill);
  }, 120_000);
});
