// bench/webhooks: how many webhook deliveries per second `hellio worker` makes to a local
// receiver, beside a raw HTTP client doing the same requests in the same run.
//
//   npm run bench:webhooks                          # SQLite
//   BENCH_BACKEND=postgres npm run bench:webhooks
//   BENCH_N=10000 BENCH_ENDPOINTS=8 BENCH_DELAY_MS=0 npm run bench:webhooks
//
// The receiver (receiver.mjs) is a child process answering 200 to every POST. Baseline: a raw
// node:http client with a keep-alive agent in this process, sending N signed POSTs of the same
// size as Hellio's with C in flight — C = 4 (one endpoint's limit in Hellio) and C = 4 × E.
// Hellio: a throwaway database with E endpoints subscribed to message.scheduled, and N/E
// scheduled SMS accepted beforehand through a `hellio api` child (so N deliveries wait, and
// no SMS is due); then one `hellio worker`, timed from the first webhook the receiver gets to
// the N-th. Run once with E endpoints and once with a single endpoint.
//
// Other knobs: BENCH_DELAY_MS (the receiver answers after this long), BENCH_TIMEOUT_S,
// BENCH_WORKER_CONCURRENCY, BENCH_CPU_PROF=<dir>, BENCH_PG_URL. Only ratios mean much here.
import { fork, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAccount, machine, startApi, stopChild, throwawayDatabase } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');
const backend = process.env.BENCH_BACKEND ?? 'sqlite';
const N = Number(process.env.BENCH_N ?? 5_000);
const E = Number(process.env.BENCH_ENDPOINTS ?? 8);
const delayMs = Number(process.env.BENCH_DELAY_MS ?? 0);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? 180) * 1000;
const workerConcurrency = process.env.BENCH_WORKER_CONCURRENCY;
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const PER_ENDPOINT = 4; // WEBHOOK_ENDPOINT_CONCURRENCY
const CAMPAIGN = 1_000;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rate = (count, ms) => (ms > 0 ? Math.round((count * 1000) / ms) : null);
const log = (line) => process.stderr.write(`[bench:webhooks] ${line}\n`);

const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** The receiver child, with `next(type)` resolving on its next message of that type. */
async function startReceiver() {
  const child = track(fork(join(here, 'receiver.mjs'), ['--delay-ms', String(delayMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const waiters = [];
  child.on('message', (m) => {
    for (const w of waiters.filter((x) => x.type === m.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const next = (type) => new Promise((resolve) => waiters.push({ type, resolve }));
  const { port } = await next('listening');
  const ask = async (cmd, extra = {}) => {
    const p = next(cmd);
    child.send({ cmd, ...extra });
    await p;
  };
  return { child, port, next, reset: () => ask('reset'), target: (n) => ask('target', { n }) };
}

// ---- the baseline: the same POSTs from a plain client ----

async function rawClient(port, count, inFlight, body) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const key = randomBytes(32);
  const post = (i) =>
    new Promise((resolve, reject) => {
      const id = `ev_${i}`;
      const ts = Math.floor(Date.now() / 1000);
      const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
      const req = http.request(
        { host: '127.0.0.1', port, path: '/raw', method: 'POST', agent, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const run = async (n) => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < n) await post(next++);
    }));
  };
  await run(Math.min(500, count)); // warm-up
  const t0 = now();
  await run(count);
  const ms = now() - t0;
  agent.destroy();
  return { in_flight: inFlight, requests: count, seconds: Number((ms / 1000).toFixed(3)), per_second: rate(count, ms) };
}

// ---- Hellio ----

/** A database holding `deliveries` webhook deliveries spread over `endpoints` endpoints at the receiver. */
async function prepare(db, receiverPort, endpoints, deliveries) {
  const env = {
    ...process.env,
    ...db.env,
    HELLIO_RATE_LIMIT_PER_MINUTE: '1000000000',
    HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true',
    HELLIO_LOG_LEVEL: 'warn',
    ...(workerConcurrency ? { HELLIO_WORKER_CONCURRENCY: workerConcurrency } : {}),
  };
  delete env.HELLIO_SMPP_URL;
  delete env.HELLIO_SMTP_URL;
  const { key } = await benchAccount(hellio, env, 'sms:send,webhooks');
  const { api, post } = await startApi(hellio, env, key, track);
  for (let e = 0; e < endpoints; e++) await post('/webhooks', { url: `http://127.0.0.1:${receiverPort}/e${e}`, events: ['message.scheduled'] });
  const messages = Math.ceil(deliveries / endpoints);
  const later = new Date(Date.now() + 86_400_000).toISOString();
  let sample = null;
  for (let done = 0; done < messages; done += CAMPAIGN) {
    const to = Array.from({ length: Math.min(CAMPAIGN, messages - done) }, (_, i) => `+1415${String(2000000 + done + i)}`);
    const r = await post('/sms/send', { from: 'HELLIO', to, message: 'Your code is 123456', scheduled_at: later });
    sample ??= r.messages[0].id;
  }
  await stopChild(api);
  return { env, messages, total: messages * endpoints };
}

function startWorker(env, logFile) {
  const fd = openSync(logFile, 'w');
  const args = [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), hellio, 'worker'];
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  return child;
}

async function benchHellio(receiver, endpoints) {
  const db = await throwawayDatabase(backend, 'webhooks');
  try {
    log(`Hellio: preparing ${N} deliveries to ${endpoints} endpoint(s) on ${backend}`);
    const { env, total } = await prepare(db, receiver.port, endpoints, N);
    await receiver.reset();
    await receiver.target(total);
    const reached = receiver.next('reached');
    const logFile = join(db.dir, 'worker.log');
    const worker = startWorker(env, logFile);
    const started = now();
    const outcome = await Promise.race([reached, sleep(timeoutMs).then(() => null)]);
    await stopChild(worker);
    if (!outcome) {
      log(`  timed out; worker log:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
      return { endpoints, deliveries: total, aborted: true };
    }
    const ms = outcome.last - outcome.first;
    const result = {
      endpoints,
      deliveries: total,
      unique_events_received: outcome.unique,
      seconds: Number((ms / 1000).toFixed(3)),
      per_second: rate(total, ms),
      worker_start_to_first_ms: Math.round(outcome.first - started),
    };
    log(`  ${result.per_second} deliveries/s`);
    return result;
  } finally {
    await db.drop();
  }
}

async function main() {
  const receiver = await startReceiver();
  // A body of the size Hellio sends for message.scheduled.
  const body = JSON.stringify({ type: 'message.scheduled', timestamp: new Date().toISOString(), data: { id: 'msg_01kbcdefghjkmnpqrstvwxyz12', channel: 'sms', status: 'scheduled', from: 'HELLIO', to: '+14152000000', subject: null, body: 'Your code is 123456', segments: 1, encoding: 'GSM-7', price: '0.0080', currency: 'USD', sandbox: false, campaign_id: 'cmp_01kbcdefghjkmnpqrstvwxyz12', reference: null, error: null, scheduled_at: new Date().toISOString(), created_at: new Date().toISOString(), updated_at: new Date().toISOString() } });
  log(`raw client: ${N} POSTs, ${PER_ENDPOINT} in flight`);
  const raw4 = await rawClient(receiver.port, N, PER_ENDPOINT, body);
  log(`  ${raw4.per_second}/s`);
  log(`raw client: ${N} POSTs, ${PER_ENDPOINT * E} in flight`);
  const rawE = await rawClient(receiver.port, N, PER_ENDPOINT * E, body);
  log(`  ${rawE.per_second}/s`);
  const many = await benchHellio(receiver, E);
  const one = await benchHellio(receiver, 1);
  const result = {
    date: new Date().toISOString(),
    machine: await machine(),
    backend,
    n: N,
    receiver_delay_ms: delayMs,
    raw_client: { [`in_flight_${PER_ENDPOINT}`]: raw4, [`in_flight_${PER_ENDPOINT * E}`]: rawE },
    hellio: { [`endpoints_${E}`]: many, endpoints_1: one },
    ratios: {
      [`endpoints_${E}_vs_raw_${PER_ENDPOINT * E}`]: many.per_second && rawE.per_second ? Number((many.per_second / rawE.per_second).toFixed(3)) : null,
      [`endpoints_1_vs_raw_${PER_ENDPOINT}`]: one.per_second && raw4.per_second ? Number((one.per_second / raw4.per_second).toFixed(3)) : null,
    },
  };
  await stopChild(receiver.child);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', `${backend}-${result.date.slice(0, 19).replace(/:/g, '')}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exit(1);
});
