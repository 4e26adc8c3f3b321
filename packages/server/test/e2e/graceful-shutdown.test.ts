import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES } from '../../src/modules/messages/views.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { killed, type RunningServer, startServer } from '../support/cli.ts';
import { BACKENDS, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { startSmsc, type TestSmsc } from '../support/smsc.ts';
import { until } from '../support/wait.ts';

const LOOPS = 16;
/** Acknowledged sends before the SIGTERM. */
const ACKED_BEFORE_STOP = 300;

type Outcome = { kind: 'ok'; id: string } | { kind: 'status'; status: number; body: string; requestId: string | undefined } | { kind: 'error'; code: string };

/** One POST /sms/send over a kept-alive socket of `agent`, classified. */
function send(agent: http.Agent, base: string, a: TestAccount, i: number): Promise<Outcome> {
  const u = new URL(`${base}/sms/send`);
  const body = JSON.stringify({ from: 'HELLIO', to: `+1415557${String(i % 10_000).padStart(4, '0')}`, message: `graceful ${i}` });
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json', 'idempotency-key': `graceful-${i}`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.once('end', () => {
          if (res.statusCode === 200) resolve({ kind: 'ok', id: JSON.parse(text).messages[0].id });
          else resolve({ kind: 'status', status: res.statusCode!, body: text, requestId: res.headers['x-request-id'] as string | undefined });
        });
        res.once('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'error', code: e.code ?? e.message }));
      },
    );
    req.once('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'error', code: e.code ?? e.message }));
    req.end(body);
  });
}

/**
 * SIGTERM of `hellio start` under a stream of sends over kept-alive connections, with submit_sm
 * outstanding at an SMSC: the process stops in order (docs/reliability.md) — every 2xx is in the
 * database, no request is cut off unanswered (new ones are refused at connect once the listener
 * is closed, or answered 503 with the SPEC body on a kept-alive connection), the SMPP link is
 * unbound, no job is left claimed, and the process exits 0. A restarted process then takes every
 * message to a final status.
 */
describe.each(BACKENDS)('graceful shutdown of hellio start on %s', (backend) => {
  let smsc: TestSmsc;
  let h: Harness;
  let db: Db;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    smsc = await startSmsc({ systemId: 'hellio', password: 'secret' });
    h = await createHarness(backend, { env: { HELLIO_SMPP_URL: smsc.url } });
    db = openDb(h.config);
  });
  afterAll(async () => {
    for (const s of servers) await killed(s.child, 'SIGKILL');
    await smsc?.close();
    await db?.db.destroy();
    await h?.close();
  });

  const env = () => ({ ...h.database.env, HELLIO_SMPP_URL: smsc.url, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000', HELLIO_SHUTDOWN_TIMEOUT_MS: '10000' });

  it('answers or refuses every request, keeps every 2xx, unbinds, releases its jobs and exits 0', async () => {
    const a = await h.account({ balance: '1000.00' });
    // Each submit_sm is answered late, so the worker always has some outstanding.
    smsc.onSubmit = (_s, index) => ({ delayMs: 20 + (index % 4) * 10 });
    const first = await startServer(env(), 60_000, 'start');
    servers.push(first);
    const agent = new http.Agent({ keepAlive: true, maxSockets: LOOPS });
    const outcomes: Outcome[] = [];
    let n = 0;
    let refused = false;
    const loops = Array.from({ length: LOOPS }, async () => {
      // Each loop sends until the listener refuses it: from then on the server is gone for new work.
      while (!refused) {
        const o = await send(agent, first.url, a, n++);
        outcomes.push(o);
        if (o.kind === 'error' && o.code === 'ECONNREFUSED') refused = true;
      }
    });
    const acked = () => outcomes.filter((o) => o.kind === 'ok').length;
    await until('acknowledged sends and submit_sm outstanding', () => acked() >= ACKED_BEFORE_STOP && smsc.inFlight > 0, { timeoutMs: 60_000, everyMs: 5 });
    const exit = once(first.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    first.child.kill('SIGTERM');
    const [code, signal] = await exit;
    refused = true;
    await Promise.all(loops);
    agent.destroy();

    expect({ code, signal }, first.output()).toEqual({ code: 0, signal: null });
    // Nothing cut off: only answers, and connections refused once the listener was closed.
    const errors = outcomes.filter((o): o is Extract<Outcome, { kind: 'error' }> => o.kind === 'error');
    expect(errors.filter((e) => e.code !== 'ECONNREFUSED')).toEqual([]);
    // Anything but a 2xx is the shutdown's 503, in the SPEC body with a request id.
    for (const o of outcomes.filter((x): x is Extract<Outcome, { kind: 'status' }> => x.kind === 'status')) {
      expect(o.status, o.body).toBe(503);
      expect(JSON.parse(o.body)).toMatchObject({ code: 'not_ready', message: expect.any(String), detail: expect.any(String) });
      expect(o.requestId).toMatch(/^req_/);
    }
    // The SMPP link was closed with an unbind, not dropped.
    expect(smsc.unbinds).toBeGreaterThanOrEqual(1);

    const ids = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok').map((o) => o.id);
    expect(ids.length).toBeGreaterThanOrEqual(ACKED_BEFORE_STOP);
    const stored = await db.db.selectFrom('messages').select('id').where('account_id', '=', a.id).execute();
    const storedIds = new Set(stored.map((r) => r.id));
    expect(ids.filter((id) => !storedIds.has(id))).toEqual([]);
    // No job is left claimed by the stopped worker: each is done or back in the queue.
    const claimed = await db.db.selectFrom('jobs').select(['id', 'kind']).where('status', '=', 'running').execute();
    expect(claimed).toEqual([]);

    // A restarted process sends the rest; receipts then take every message to a final status.
    smsc.onSubmit = () => undefined;
    const second = await startServer(env(), 60_000, 'start');
    servers.push(second);
    const statuses = async () => db.db.selectFrom('messages').select(['id', 'status']).where('account_id', '=', a.id).execute();
    await until('every message to be handed to the SMSC', async () => (await statuses()).every((m) => m.status === 'sent'), {
      timeoutMs: 60_000,
      everyMs: 100,
      last: async () => (await statuses()).filter((m) => m.status !== 'sent').slice(0, 5),
    });
    for (const s of smsc.submits) if (s.messageId) await smsc.sendReceipt(s.messageId, 'DELIVRD');
    await until('every message to reach a final status', async () => (await statuses()).every((m) => FINAL_STATUSES.has(m.status)), {
      timeoutMs: 60_000,
      everyMs: 100,
      last: async () => (await statuses()).filter((m) => !FINAL_STATUSES.has(m.status)).slice(0, 5),
    });
    expect(new Set((await statuses()).map((m) => m.status))).toEqual(new Set(['delivered']));
    expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));

    const exit2 = once(second.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    second.child.kill('SIGTERM');
    expect(await exit2).toEqual([0, null]);
  }, 180_000);
});
