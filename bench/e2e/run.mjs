// bench/e2e (issue 17): the default process end to end — `hellio start` accepting POST /sms/send
// over HTTP (each 2xx after its durable commit) and handing every message to an SMSC
// (submit_sm_resp received) — beside Kannel doing the same in the same run, plus the accept-side
// ratios of the issue's goals 3 and 4.
//
//   flock /tmp/hellio-bench.lock npm run bench:e2e                       # SQLite
//   flock /tmp/hellio-bench.lock env BENCH_BACKEND=postgres npm run bench:e2e
//
// One SMSC child (bench/deliver/smsc.mjs, receipts off) answers every submit_sm at once and counts
// them; both systems bind to it with the same window (BENCH_SMPP_WINDOW, default 10: Hellio's and
// Kannel's default). In order, on the same two cores, one autocannon in this process:
//   hello        a Fastify 5 POST route parsing the same body (hello-post.mjs)   goal 4's baseline
//   kannel       sendsms → smsbox → bearerbox (spool store) → SMPP → the SMSC, BENCH_E2E_S closed
//                loop (BENCH_CONNECTIONS connections)                            goal 1's baseline
//   start        `hellio start` (API + workers in one process, HELLIO_SMPP_URL at the SMSC), the
//                same load on one account's key, a fresh Idempotency-Key each    goal 1
//   start-paced  then an open-loop client (bench/lib.mjs pacedLoad) at half of start's accepted
//                rate for BENCH_PACED_S, while it delivers                        goal 2
//   api          `hellio api` alone on a fresh database, the closed loop for BENCH_API_S with one
//                account's key, then round-robin over BENCH_ACCOUNTS keys        goals 3 and 4
//   hello-again  the Fastify baseline once more (the machine drifts; the mean is the baseline)
//   scale        PostgreSQL only: BENCH_SCALE (default 1,2) `hellio api` processes + one `hellio
//                worker` on one database, the load split over them               goal 5
// Every sustained load is preceded by BENCH_WARMUP_S of the same load and a drain (everything
// accepted handed over), then the SMSC's counters are reset. Each second of a sustained load
// records the 2xx answered so far (accepted) and the submit_sm_resp the SMSC sent so far (handed
// over); the backlog is their difference. After the load the bench waits until the SMSC has
// answered at least as many submits as 2xx were counted (Kannel: and its queue and store are empty).
// Each measured load also counts the CPU time (user + system, all threads, off /proc) of the
// processes doing the work — the Fastify hello, bearerbox and smsbox, `hellio start` or `hellio
// api`, and on PostgreSQL every `postgres` process — from the start of the load until all of it was
// handed over, per message answered (not the SMSC's, nor the client's): the `cpu_*` ratios ask the
// goals' questions of CPU per message. A shared machine moves these too, if less than throughput:
// only ratios from one run mean much.
//
// Knobs: BENCH_BACKEND (sqlite | postgres), BENCH_E2E_S (60), BENCH_WARMUP_S (5), BENCH_PACED_S
// (20), BENCH_API_S (15), BENCH_HELLO_S (10), BENCH_CONNECTIONS (50), BENCH_ACCOUNTS (50),
// BENCH_SMPP_WINDOW (10), BENCH_SCALE (1,2), BENCH_SKIP (phase names above, comma-separated),
// BENCH_ROUNDS (1; N > 1 runs kannel's and start's closed loops and api's one-account loop N
// times, each round in the other order, and goals 1 and 3 take the median round's ratio: a shared
// machine's speed drifts by up to 2× over minutes),
// BENCH_NODE_FLAGS (node's flags for this tree's Hellio processes, not the baseline's),
// BENCH_BASELINE_ROOT=<dir> (another checkout whose `hellio start` runs the start phases first,
// and whose `hellio api` the api phase: before/after in one run), BENCH_CPU_PROF=<dir> (runs `hellio start` and `hellio api` under node --cpu-prof; summarise with
// bench/deliver/profile-summary.mjs), BENCH_TIMINGS=1 (`hellio start` runs with the bench/timings.cjs
// preload, and the open loop's results say where its requests' time went: batch waits, write
// turns, WAL syncs, per thread), BENCH_PG_URL. HELLIO_* variables reach Hellio's processes.
// Results: bench/e2e/results/<backend>-<time>.json. Only the ratios of one run mean much.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMeter, pidsNamed, threadMeter } from '../cpu.mjs';
import { childGuard, freePort, machine, pacedLoad, percentiles, slope, stopChild, throwawayDatabase, waitFor } from '../lib.mjs';
import { ensureKannel, kannelVersion, startKannel } from '../accept/kannel.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');
const num = (name, dflt) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return n;
};
const backend = process.env.BENCH_BACKEND ?? 'sqlite';
if (backend !== 'sqlite' && backend !== 'postgres') throw new Error('BENCH_BACKEND must be sqlite or postgres');
const e2eS = num('BENCH_E2E_S', 60);
const warmupS = num('BENCH_WARMUP_S', 5);
const pacedS = num('BENCH_PACED_S', 20);
const apiS = num('BENCH_API_S', 15);
const helloS = num('BENCH_HELLO_S', 10);
const connections = num('BENCH_CONNECTIONS', 50);
const nAccounts = Math.max(2, num('BENCH_ACCOUNTS', 50));
const window = Math.max(1, num('BENCH_SMPP_WINDOW', 10));
const scale = (process.env.BENCH_SCALE ?? '1,2').split(',').map(Number).filter((n) => n > 0);
const rounds = Math.max(1, num('BENCH_ROUNDS', 1));
// Node's flags for this tree's Hellio processes only (the baseline's run without): a runtime
// setting's before/after in one run.
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
// Another checkout (e.g. `git archive <commit> | tar -x -C dir`, node_modules linked): its
// `hellio start` runs the same phase first, for a before/after in one run.
const baselineRoot = process.env.BENCH_BASELINE_ROOT ? resolve(process.env.BENCH_BASELINE_ROOT) : null;
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const timingsOn = process.env.BENCH_TIMINGS === '1';
const PHASES = ['hello', 'kannel', 'start', 'start-paced', 'api', 'hello-again', 'scale'];
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
for (const s of skip) if (!PHASES.includes(s)) throw new Error(`BENCH_SKIP: unknown phase "${s}" (one of ${PHASES.join(', ')})`);

const SMS = { from: 'HELLIO', to: '+14155552671', message: 'Your code is 123456' };
const BODY = JSON.stringify(SMS);
const SYSTEM_ID = 'hellio';
const PASSWORD = 'secret';

const guard = childGuard('bench:e2e');
const { log, track } = guard;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ratio = (a, b) => (a != null && b ? Number((a / b).toFixed(3)) : null);
const median = (xs) => {
  const v = xs.filter((x) => x != null).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : Number(((v[v.length / 2 - 1] + v[v.length / 2]) / 2).toFixed(3))) : null;
};
const load1 = () => Number(loadavg()[0].toFixed(2));
/** Microseconds of CPU per message (or request), of `cpuS` seconds over `n` of them. */
const usPer = (cpuS, n) => (n > 0 ? Math.round((cpuS * 1e6) / n) : null);
/** CPU seconds a phase's processes used, and per message (or request) it answered, in µs. */
const cpuPerMessage = (cpuS, n, per = 'message') => ({ cpu_s: Number(cpuS.toFixed(2)), [`cpu_us_per_${per}`]: usPer(cpuS, n) });

// ---- the SMSC child ----

/** bench/deliver/smsc.mjs as a child: `answered()` asks it for its count of submit_sm_resp sent. */
async function startSmsc() {
  const child = track(fork(join(root, 'bench/deliver/smsc.mjs'), ['--port', '0', '--quiet', '--no-receipts', '--system-id', SYSTEM_ID, '--password', PASSWORD], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  }));
  const waiters = [];
  let last = null;
  child.on('message', (m) => {
    if (m.type === 'stats') last = m;
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
  });
  const next = (type) => new Promise((resolve) => waiters.push({ type, resolve }));
  const { port } = await next('listening');
  return {
    child,
    port,
    url: `smpp://${SYSTEM_ID}:${PASSWORD}@127.0.0.1:${port}`,
    async reset() {
      const p = next('reset');
      child.send({ cmd: 'reset' });
      await p;
      last = null;
    },
    async stats() {
      const p = next('stats');
      child.send({ cmd: 'stats' });
      return p;
    },
    get last() {
      return last;
    },
  };
}

// ---- load ----

/**
 * A closed loop of `connections` (autocannon) for `durationS`, counting 2xx answers as they come;
 * every second a sample of accepted so far, handed over so far (the SMSC's count since its reset)
 * and the backlog between them.
 */
async function sustained({ url, requests, durationS, smsc }) {
  const { default: autocannon } = await import('autocannon');
  let ok = 0;
  let other = 0;
  const samples = [];
  const t0 = performance.now();
  const sample = async () => {
    const answered = (await smsc.stats()).answered;
    samples.push({ t_s: Number(((performance.now() - t0) / 1000).toFixed(1)), accepted: ok, handed_over: answered, backlog: ok - answered });
  };
  const timer = setInterval(() => void sample(), 1000);
  const result = await new Promise((res, rej) => {
    const inst = autocannon({ url, connections, duration: durationS, ...(requests ? { requests } : {}) }, (err, r) => (err ? rej(err) : res(r)));
    inst.on('response', (_client, status) => {
      if (status >= 200 && status < 300) ok++;
      else other++;
    });
  });
  clearInterval(timer);
  await sample();
  const elapsed = (performance.now() - t0) / 1000;
  const end = samples[samples.length - 1];
  const second = samples.filter((s) => s.t_s >= elapsed / 2);
  const backlogSlope = slope(second.map((s) => [s.t_s, s.backlog]));
  return {
    duration_s: Number(elapsed.toFixed(1)),
    accepted_2xx: ok,
    non_2xx: other,
    errors: result.errors,
    timeouts: result.timeouts,
    accepted_per_second: Math.round(ok / elapsed),
    handed_over_during_load: end.handed_over,
    handed_over_per_second: Math.round(end.handed_over / elapsed),
    accept_latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    backlog_at_end: end.backlog,
    backlog_max: Math.max(...samples.map((s) => s.backlog)),
    // Messages per second the backlog grew by over the second half of the load (≈ 0: keeping up).
    backlog_growth_per_second_second_half: backlogSlope === null ? null : Number(backlogSlope.toFixed(1)),
    samples,
  };
}

/** Waits until the SMSC has answered at least `n` submits; the ms it took, or null after `ms`. */
async function drained(smsc, n, ms = 120_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if ((await smsc.stats()).answered >= n) return Math.round(performance.now() - t0);
    await sleep(50);
  }
  return null;
}

/** autocannon `requests` for POST /sms/send: keys round-robin, a fresh Idempotency-Key each. */
function sendRequests(keys) {
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  return [
    {
      method: 'POST',
      path: '/sms/send',
      headers: { 'content-type': 'application/json' },
      body: BODY,
      setupRequest: (req) => {
        const i = n++;
        return { ...req, headers: { ...req.headers, authorization: `Bearer ${keys[i % keys.length]}`, 'idempotency-key': `e2e-${tag}-${i}` } };
      },
    },
  ];
}

/** A closed loop without the SMSC (accept only) against the server `pids()`: 2xx per second, latency, the server's CPU per 2xx. */
async function acceptOnly(url, requests, durationS, pids) {
  const { default: autocannon } = await import('autocannon');
  if (warmupS > 0) await new Promise((res, rej) => autocannon({ url, connections, duration: Math.min(warmupS, 3), requests }, (e, r) => (e ? rej(e) : res(r))));
  const cpu = cpuMeter(pids);
  const r = await new Promise((res, rej) => autocannon({ url, connections, duration: durationS, requests }, (e, r) => (e ? rej(e) : res(r))));
  const cpuS = cpu.stop();
  return {
    load_average_1m: load1(),
    requests_per_second: Math.round(r['2xx'] / r.duration),
    ...cpuPerMessage(cpuS, r['2xx'], 'request'),
    answered_2xx: r['2xx'],
    non_2xx: r.non2xx,
    errors: r.errors,
    latency_ms: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  };
}

// ---- the systems ----

async function benchHello() {
  const port = await freePort();
  const child = track(fork(join(here, 'hello-post.mjs'), { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }));
  await new Promise((r, j) => {
    child.once('message', r);
    child.once('exit', (code) => j(new Error(`hello-post.mjs exited (${code})`)));
  });
  try {
    return await acceptOnly(`http://127.0.0.1:${port}/sms/send`, [{ method: 'POST', path: '/sms/send', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: BODY }], helloS, () => [child.pid]);
  } finally {
    await stopChild(child);
  }
}

async function benchKannel(smsc) {
  const dir = mkdtempSync(join(tmpdir(), 'hellio-bench-e2e-kannel-'));
  const drop = guard.onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  await smsc.reset();
  const k = await startKannel({ dir, store: 'spool', track, smpp: { port: smsc.port, systemId: SYSTEM_ID, password: PASSWORD, window } });
  try {
    const url = `${k.url}?${k.query}`;
    const { default: autocannon } = await import('autocannon');
    if (warmupS > 0) {
      const w = await new Promise((res, rej) => autocannon({ url, connections, duration: warmupS }, (e, r) => (e ? rej(e) : res(r))));
      await drained(smsc, w['2xx'] + k.probes);
    }
    await k.drained(0, 30_000);
    await smsc.reset();
    const loadAvg = load1();
    log(`kannel: ${e2eS} s closed loop, ${connections} connections`);
    const cpu = cpuMeter(() => k.pids);
    const r = await sustained({ url, durationS: e2eS, smsc });
    const drainMs = await drained(smsc, r.accepted_2xx);
    const cpuS = cpu.stop();
    const counts = await k.counts();
    return { load_average_1m: loadAvg, store: 'spool', smpp_window: window, ...r, ms_after_the_load_until_all_handed_over: drainMs, ...cpuPerMessage(cpuS, r.accepted_2xx), bearerbox: counts };
  } finally {
    await k.stop().catch(() => undefined);
    await drop();
  }
}

/**
 * A throwaway database with `n` accounts, made by the accounts script of the tree whose `bin`
 * will serve it (its migrations: a baseline tree may not know the newest); their keys.
 */
async function databaseWithAccounts(tag, bin = hellio) {
  const db = await throwawayDatabase(backend, tag);
  const drop = guard.onCleanup(db.drop);
  const env = { ...process.env, ...db.env, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000000' };
  if (backend === 'sqlite') delete env.DATABASE_URL;
  delete env.HELLIO_SMPP_URL;
  const { accounts } = JSON.parse(execFileSync(process.execPath, [join(resolve(dirname(bin), '../../..'), 'bench/accept/accounts.mjs'), String(nAccounts)], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString());
  return { db, env, drop, keys: accounts.map((a) => a.key) };
}

/** A Hellio process (`start`, `api` or `worker`) on a free port; resolves once it answers /healthz. */
async function hellioProcess(role, env, { prof = false, bin = hellio } = {}) {
  const port = await freePort();
  const flags = bin === hellio ? nodeFlags : [];
  const args = [...flags, ...(prof && cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), bin, role];
  const child = track(spawn(process.execPath, args, { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (b) => (err = (err + b).slice(-5000)));
  child.once('exit', (code, sig) => {
    if (!child.stopping && !guard.interrupted) log(`hellio ${role} exited early (${code ?? sig})\n${err}`);
  });
  if (role !== 'worker') await waitFor(`http://127.0.0.1:${port}/healthz`, 1200);
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.stopping = true;
      await stopChild(child);
    },
  };
}

/**
 * With BENCH_TIMINGS=1: the env that loads bench/timings.cjs into a Hellio process, and `window()`,
 * which ends its current window and answers what each of its threads saw in it.
 */
function timingsProbe() {
  if (!timingsOn) return { env: {}, async window() { return null; } };
  const dir = mkdtempSync(join(tmpdir(), 'hellio-timings-'));
  guard.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(root, 'bench/timings.cjs')}`.trim(), BENCH_TIMINGS_DIR: dir },
    async window(child) {
      n++;
      child.kill('SIGUSR2');
      // Every thread writes its file on its own event loop; give the busy ones a moment.
      await sleep(500);
      const threads = {};
      for (const f of readdirSync(dir).filter((f) => f.endsWith(`-${n}.json`))) {
        const t = JSON.parse(readFileSync(join(dir, f), 'utf8'));
        // The thread that answers HTTP is the API's; the one that writes `sms.sent` batches delivers.
        const name = t.http ? 'api' : t['sms.sent.write'] ? 'delivery' : `thread_${t.thread}`;
        delete t.pid;
        delete t.window;
        threads[name] = t;
      }
      return threads;
    },
  };
}

/** One line of where the open loop's time went (BENCH_TIMINGS=1). */
function timingsLine(t) {
  if (!t?.api) return null;
  const p = (x) => (x ? `${x.p50}/${x.p99}` : '-');
  return `  where it went, p50/p99 ms: server ${p(t.api.http)}; waiting for a batch ${p(t.api['accept.wait'])}, the batch ${p(t.api['accept.write'])} (write turn: waited ${p(t.api['turn.wait'])}, held ${p(t.api['turn.hold'])}; WAL sync ${p(t.api['wal-sync'])}); delivery thread's turns held ${p(t.delivery?.['turn.hold'])}`;
}

async function benchStart(smsc, out, { bin = hellio, label = 'start', paced = !skip.has('start-paced') } = {}) {
  const { env, drop, keys } = await databaseWithAccounts('e2e', bin);
  await smsc.reset();
  const probe = timingsProbe();
  const server = await hellioProcess('start', { ...env, ...probe.env, HELLIO_SMPP_URL: smsc.url, HELLIO_SMPP_WINDOW: String(window) }, { prof: label === 'start', bin });
  try {
    const one = [keys[0]];
    const { default: autocannon } = await import('autocannon');
    if (warmupS > 0) {
      log(`hellio start: warm-up ${warmupS} s`);
      const w = await new Promise((res, rej) => autocannon({ url: server.base, connections, duration: warmupS, requests: sendRequests(one) }, (e, r) => (e ? rej(e) : res(r))));
      await drained(smsc, w['2xx']);
    }
    await smsc.reset();
    const loadAvg = load1();
    log(`hellio start: ${e2eS} s closed loop, ${connections} connections, one account`);
    const cpu = cpuMeter(() => [server.child.pid]);
    const threads = threadMeter(server.child.pid);
    const dbCpu = backend === 'postgres' ? cpuMeter(() => pidsNamed('postgres')) : null;
    const r = await sustained({ url: server.base, requests: sendRequests(one), durationS: e2eS, smsc });
    const drainMs = await drained(smsc, r.accepted_2xx);
    const cpuS = cpu.stop();
    const byThread = threads.stop();
    const dbCpuS = dbCpu?.stop();
    out[label] = {
      ...(bin !== hellio ? { tree: bin } : {}),
      load_average_1m: loadAvg,
      accounts: 1,
      idempotency_key: true,
      smpp_window: window,
      ...r,
      ms_after_the_load_until_all_handed_over: drainMs,
      ...cpuPerMessage(cpuS, r.accepted_2xx),
      // The API's event loop (the main thread), the delivery thread (the busiest other), the rest.
      cpu_us_per_message_by_thread: Object.fromEntries(Object.entries(byThread).map(([k, s]) => [k, usPer(s, r.accepted_2xx)])),
      ...(dbCpuS !== undefined ? { database: cpuPerMessage(dbCpuS, r.accepted_2xx) } : {}),
    };
    if (paced) {
      const rate = Math.max(1, Math.floor(r.accepted_per_second / 2));
      await smsc.reset();
      log(`hellio start: open loop at ${rate} req/s (half of the closed loop's) for ${pacedS} s`);
      const http = await import('node:http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
      const tag = randomUUID().slice(0, 8);
      const request = (i) => ({ headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[0]}`, 'idempotency-key': `e2e-p-${tag}-${i}` }, body: BODY });
      const url = `${server.base}/sms/send`;
      await pacedLoad({ url, rate, durationS: 2, connections, agent, request });
      await smsc.reset();
      const loadP = load1();
      await probe.window(server.child);
      const p = await pacedLoad({ url, rate, durationS: pacedS, connections, agent, request: (i) => request(i + 1_000_000) });
      const timings = await probe.window(server.child);
      agent.destroy();
      const handed = (await smsc.stats()).answered;
      out[`${label}_paced`] = { load_average_1m: loadP, duration_s: pacedS, ...p, handed_over_during_load: handed, ms_after_the_load_until_all_handed_over: await drained(smsc, p.answered_2xx), ...(timings ? { timings } : {}) };
    }
  } finally {
    await server.stop();
    await drop();
  }
}

/** `hellio api` alone (of this tree, or of `bin`'s), with one account's key then (`many`) all of them. */
async function benchApi(out, { bin = hellio, prefix = 'api', many = true } = {}) {
  const { env, drop, keys } = await databaseWithAccounts('e2e_api', bin);
  const server = await hellioProcess('api', env, { bin, prof: prefix === 'api' });
  try {
    // A fresh server is slow for its first seconds (bench/accept): warm every key first.
    const pids = () => [server.child.pid, ...(backend === 'postgres' ? pidsNamed('postgres') : [])];
    await acceptOnly(server.base, sendRequests(keys), Math.max(3, warmupS), pids);
    const label = prefix === 'api' ? 'hellio api' : `${prefix.replace('_', ' ')} (${bin})`;
    log(`${label}: one account, ${apiS} s`);
    out[`${prefix}_one_account`] = { accounts: 1, ...(await acceptOnly(server.base, sendRequests([keys[0]]), apiS, pids)) };
    if (!many) return;
    log(`${label}: ${keys.length} accounts, ${apiS} s`);
    out[`${prefix}_many_accounts`] = { accounts: keys.length, ...(await acceptOnly(server.base, sendRequests(keys), apiS, pids)) };
  } finally {
    await server.stop();
    await drop();
  }
}

/** PostgreSQL: `procs` API processes and one worker on one database, the load split over the APIs. */
async function benchScale(smsc, procs) {
  const { env, drop, keys } = await databaseWithAccounts(`e2e_scale${procs}`);
  await smsc.reset();
  const live = { ...env, HELLIO_SMPP_URL: smsc.url, HELLIO_SMPP_WINDOW: String(window) };
  const apis = [];
  let worker = null;
  try {
    for (let i = 0; i < procs; i++) apis.push(await hellioProcess('api', env));
    worker = await hellioProcess('worker', live);
    const { default: autocannon } = await import('autocannon');
    const per = Math.max(1, Math.round(connections / procs));
    const run = (durationS) =>
      Promise.all(apis.map((a) => new Promise((res, rej) => autocannon({ url: a.base, connections: per, duration: durationS, requests: sendRequests(keys) }, (e, r) => (e ? rej(e) : res(r))))));
    await run(Math.max(3, warmupS));
    const loadAvg = load1();
    const before = (await smsc.stats()).answered;
    const hellioCpu = cpuMeter(() => [...apis, worker].map((p) => p.child.pid));
    const dbCpu = cpuMeter(() => pidsNamed('postgres'));
    const t0 = performance.now();
    const rs = await run(apiS);
    const s = (performance.now() - t0) / 1000;
    const handed = (await smsc.stats()).answered - before;
    const accepted = rs.reduce((a, r) => a + r['2xx'], 0);
    const [hellioS, dbS] = [hellioCpu.stop(), dbCpu.stop()];
    return {
      api_processes: procs,
      workers: 1,
      load_average_1m: loadAvg,
      accounts: keys.length,
      accepted_per_second: Math.round(accepted / s),
      handed_over_per_second: Math.round(handed / s),
      latency_ms_p99_per_process: rs.map((r) => r.latency.p99),
      ...cpuPerMessage(hellioS, accepted),
      database: cpuPerMessage(dbS, accepted),
      non_2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    };
  } finally {
    for (const a of apis) await a.stop();
    if (worker) await worker.stop();
    await drop();
  }
}

// ---- the run ----

/** What a round keeps of a closed-loop phase. */
function roundOf(p) {
  return {
    load_average_1m: p.load_average_1m,
    accepted_per_second: p.accepted_per_second,
    handed_over_per_second: p.handed_over_per_second,
    accept_latency_ms: p.accept_latency_ms,
    backlog_growth_per_second_second_half: p.backlog_growth_per_second_second_half,
    cpu_us_per_message: p.cpu_us_per_message,
    ...(p.database ? { database: p.database } : {}),
  };
}

const result = {
  date: new Date().toISOString(),
  machine: await machine(),
  backend,
  method: {
    load_generator: 'autocannon in the bench process (closed loop); bench/lib.mjs pacedLoad for the open loop',
    connections,
    e2e_s: e2eS,
    warmup_s: warmupS,
    smsc: 'bench/deliver/smsc.mjs, receipts off, answers every submit_sm at once',
    smpp_window: window,
    request: { method: 'POST', path: '/sms/send', body: SMS },
    hellio_env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HELLIO_'))),
  },
  phases: {},
  ratios: {},
  goals: {},
};
const ph = result.phases;
const smsc = await startSmsc();
try {
  if (!skip.has('hello')) {
    log('fastify POST hello');
    ph.hello = await benchHello();
  }
  if (!skip.has('kannel')) {
    const missing = ensureKannel(log);
    if (missing) ph.kannel_skipped = missing;
    else {
      result.kannel_version = kannelVersion();
      ph.kannel = await benchKannel(smsc);
      log(`  kannel: ${ph.kannel.accepted_per_second} accepted/s, ${ph.kannel.handed_over_per_second} handed over/s`);
    }
  }
  if (baselineRoot && !skip.has('start')) {
    log(`the same with the tree in ${baselineRoot}`);
    await benchStart(smsc, ph, { bin: join(baselineRoot, 'packages/server/bin/hellio.js'), label: 'start_baseline' });
    log(`  baseline start: ${ph.start_baseline.accepted_per_second} accepted/s, ${ph.start_baseline.handed_over_per_second} handed over/s, p99 ${ph.start_baseline.accept_latency_ms.p99} ms`);
  }
  if (!skip.has('start')) {
    await benchStart(smsc, ph);
    log(`  hellio start: ${ph.start.accepted_per_second} accepted/s, ${ph.start.handed_over_per_second} handed over/s, p99 ${ph.start.accept_latency_ms.p99} ms`);
  }
  if (rounds > 1 && ph.kannel && ph.start) {
    // More closed-loop rounds, each in the other order (start first in round 2), so that the
    // machine's drift over the minutes favours neither side; goals 1 and 3 take the median round.
    // Each round's `hellio api` (one account) runs between the other two; round 1's is the api
    // phase's, after the rounds.
    ph.rounds = [{ kannel: roundOf(ph.kannel), start: roundOf(ph.start) }];
    for (let i = 2; i <= rounds; i++) {
      const round = {};
      const kannel = async () => (round.kannel = roundOf(await benchKannel(smsc)));
      const start = async () => {
        const o = {};
        await benchStart(smsc, o, { paced: false });
        round.start = roundOf(o.start);
      };
      const api = async () => {
        if (skip.has('api')) return;
        const o = {};
        await benchApi(o, { many: false });
        round.api_one_account = o.api_one_account;
      };
      log(`round ${i} of ${rounds}`);
      for (const step of i % 2 === 0 ? [start, api, kannel] : [kannel, api, start]) await step();
      ph.rounds.push(round);
    }
  }
  if (baselineRoot && !skip.has('api')) await benchApi(ph, { bin: join(baselineRoot, 'packages/server/bin/hellio.js'), prefix: 'api_baseline' });
  if (!skip.has('api')) await benchApi(ph);
  if (ph.rounds && ph.api_one_account) ph.rounds[0].api_one_account = ph.api_one_account;
  if (!skip.has('hello-again')) {
    log('fastify POST hello, again');
    ph.hello_again = await benchHello();
  }
  if (backend === 'postgres' && !skip.has('scale')) {
    ph.scale = [];
    for (const n of scale) {
      log(`scale: ${n} api process(es) + 1 worker`);
      ph.scale.push(await benchScale(smsc, n));
    }
  }
} finally {
  await stopChild(smsc.child);
  await guard.runCleanups();
}

// ---- ratios and goals ----

const helloRates = [ph.hello, ph.hello_again].filter(Boolean).map((h) => h.requests_per_second);
const hello = helloRates.length ? helloRates.reduce((a, b) => a + b, 0) / helloRates.length : null;
const e2e = (p) => (p ? Math.min(p.accepted_per_second, p.handed_over_per_second) : null);
// A message's CPU in the whole system that accepted and delivered it: on PostgreSQL, the
// database server's share too (Kannel's store is in bearerbox).
const cpuOf = (p) => (p?.cpu_us_per_message != null ? p.cpu_us_per_message + (p.database?.cpu_us_per_message ?? 0) : null);
const helloCpu = [ph.hello, ph.hello_again].filter((h) => h?.cpu_us_per_request != null).map((h) => h.cpu_us_per_request);
const helloCpuUs = helloCpu.length ? helloCpu.reduce((a, b) => a + b, 0) / helloCpu.length : null;
result.ratios = {
  start_e2e_vs_kannel: ratio(e2e(ph.start), e2e(ph.kannel)),
  ...(ph.start_baseline ? { baseline_start_e2e_vs_kannel: ratio(e2e(ph.start_baseline), e2e(ph.kannel)), start_e2e_vs_baseline: ratio(e2e(ph.start), e2e(ph.start_baseline)) } : {}),
  start_accepted_vs_api_one_account: ratio(ph.start?.accepted_per_second, ph.api_one_account?.requests_per_second),
  api_one_account_vs_hello: ratio(ph.api_one_account?.requests_per_second, hello),
  api_many_accounts_vs_hello: ratio(ph.api_many_accounts?.requests_per_second, hello),
  ...(ph.api_baseline_one_account
    ? {
        api_one_account_vs_baseline: ratio(ph.api_one_account?.requests_per_second, ph.api_baseline_one_account.requests_per_second),
        api_many_accounts_vs_baseline: ratio(ph.api_many_accounts?.requests_per_second, ph.api_baseline_many_accounts.requests_per_second),
      }
    : {}),
  ...(ph.rounds
    ? {
        start_e2e_vs_kannel_per_round: ph.rounds.map((r) => ratio(e2e(r.start), e2e(r.kannel))),
        start_e2e_vs_kannel_median: median(ph.rounds.map((r) => ratio(e2e(r.start), e2e(r.kannel)))),
        cpu_kannel_vs_start_per_message_per_round: ph.rounds.map((r) => ratio(cpuOf(r.kannel), cpuOf(r.start))),
        cpu_kannel_vs_start_per_message_median: median(ph.rounds.map((r) => ratio(cpuOf(r.kannel), cpuOf(r.start)))),
        start_accepted_vs_api_one_account_per_round: ph.rounds.map((r) => ratio(r.start.accepted_per_second, r.api_one_account?.requests_per_second)),
        start_accepted_vs_api_one_account_median: median(ph.rounds.map((r) => ratio(r.start.accepted_per_second, r.api_one_account?.requests_per_second))),
      }
    : {}),
  // The same questions asked of CPU time (above 1: Hellio's message costs less than the other's).
  cpu_kannel_vs_start_per_message: ratio(cpuOf(ph.kannel), cpuOf(ph.start)),
  ...(ph.start_baseline ? { cpu_baseline_vs_start_per_message: ratio(cpuOf(ph.start_baseline), cpuOf(ph.start)) } : {}),
  cpu_hello_vs_api_one_account_per_request: ratio(helloCpuUs, ph.api_one_account?.cpu_us_per_request),
  cpu_hello_vs_api_many_accounts_per_request: ratio(helloCpuUs, ph.api_many_accounts?.cpu_us_per_request),
  ...(ph.api_baseline_one_account
    ? {
        cpu_api_baseline_vs_api_one_account_per_request: ratio(ph.api_baseline_one_account.cpu_us_per_request, ph.api_one_account?.cpu_us_per_request),
        cpu_api_baseline_vs_api_many_accounts_per_request: ratio(ph.api_baseline_many_accounts.cpu_us_per_request, ph.api_many_accounts?.cpu_us_per_request),
      }
    : {}),
};
const p99 = ph.start_paced?.latency_ms_from_due_time.p99 ?? null;
result.goals = {
  '1_e2e_ge_1x_kannel_no_growing_backlog': (() => {
    // With rounds: the median round's ratio, and no round's backlog growing.
    const r = result.ratios.start_e2e_vs_kannel_median ?? result.ratios.start_e2e_vs_kannel;
    const starts = ph.rounds ? ph.rounds.map((x) => x.start) : ph.start ? [ph.start] : [];
    const steady = starts.every((p) => (p.backlog_growth_per_second_second_half ?? 0) <= 0.01 * p.accepted_per_second);
    return {
      ratio: r,
      ...(ph.rounds ? { rounds: ph.rounds.length } : {}),
      backlog_growth_per_second_second_half: starts.map((p) => p.backlog_growth_per_second_second_half ?? null),
      met: r !== null ? r >= 1 && steady : null,
    };
  })(),
  '2_p99_at_half_rate_while_delivering': { p99_ms: p99, limit_ms: backend === 'sqlite' ? 10 : 25, met: p99 === null ? null : p99 <= (backend === 'sqlite' ? 10 : 25) },
  '3_start_ge_0.8x_api': (() => {
    // With rounds: the median round's ratio.
    const r = result.ratios.start_accepted_vs_api_one_account_median ?? result.ratios.start_accepted_vs_api_one_account;
    return { ratio: r, ...(ph.rounds ? { rounds: ph.rounds.length } : {}), met: r === null ? null : r >= 0.8 };
  })(),
  '4_api_vs_hello': {
    one_account: result.ratios.api_one_account_vs_hello,
    many_accounts: result.ratios.api_many_accounts_vs_hello,
    met: result.ratios.api_one_account_vs_hello === null ? null : result.ratios.api_one_account_vs_hello >= 0.5 && (result.ratios.api_many_accounts_vs_hello ?? 0) >= 0.35,
  },
};
if (ph.scale?.length) result.goals['5_postgres_scale'] = ph.scale.map((s) => ({ api_processes: s.api_processes, accepted_per_second: s.accepted_per_second, handed_over_per_second: s.handed_over_per_second }));

mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `${backend}-${result.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
const brief = (p) => (p ? `${p.accepted_per_second} accepted/s, ${p.handed_over_per_second} handed over/s, accept p50/p99 ${p.accept_latency_ms.p50}/${p.accept_latency_ms.p99} ms, backlog end ${p.backlog_at_end} (max ${p.backlog_max}), drained ${p.ms_after_the_load_until_all_handed_over} ms after, CPU ${cpuOf(p)} µs/message${p.cpu_us_per_message_by_thread ? ` (threads: ${Object.entries(p.cpu_us_per_message_by_thread).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}${p.database ? ` (${p.database.cpu_us_per_message} of them the database's)` : ''}` : 'skipped');
const apiLine = (one, many) => `one account ${one.requests_per_second} req/s (${one.cpu_us_per_request} µs CPU each), ${nAccounts} accounts ${many.requests_per_second} req/s (${many.cpu_us_per_request} µs)`;
process.stdout.write(
  [
    `bench:e2e (${backend}), load average ${result.machine.load_average_1m} at the start`,
    helloRates.length ? `  fastify POST hello: ${helloRates.join(', ')} req/s (${helloCpu.join(', ')} µs CPU each)` : null,
    `  kannel:       ${brief(ph.kannel)}`,
    ph.start_baseline ? `  baseline:     ${brief(ph.start_baseline)}` : null,
    ph.start_baseline_paced ? `  baseline, open loop at ${ph.start_baseline_paced.target_rate}/s: p50/p99 ${ph.start_baseline_paced.latency_ms_from_due_time.p50}/${ph.start_baseline_paced.latency_ms_from_due_time.p99} ms` : null,
    timingsLine(ph.start_baseline_paced?.timings),
    `  hellio start: ${brief(ph.start)}`,
    ph.start_paced ? `  start, open loop at ${ph.start_paced.target_rate}/s: p50/p99 ${ph.start_paced.latency_ms_from_due_time.p50}/${p99} ms` : null,
    timingsLine(ph.start_paced?.timings),
    ...(ph.rounds ?? []).map(
      (r, i) =>
        `  round ${i + 1}: kannel ${e2e(r.kannel)}/s (${cpuOf(r.kannel)} µs CPU), hellio start ${e2e(r.start)}/s (${cpuOf(r.start)} µs CPU): ${ratio(e2e(r.start), e2e(r.kannel))}×` +
        (r.api_one_account ? `; hellio api ${r.api_one_account.requests_per_second}/s: start ${ratio(r.start.accepted_per_second, r.api_one_account.requests_per_second)}× of it` : ''),
    ),
    ph.api_baseline_one_account ? `  baseline api: ${apiLine(ph.api_baseline_one_account, ph.api_baseline_many_accounts)}` : null,
    ph.api_one_account ? `  hellio api: ${apiLine(ph.api_one_account, ph.api_many_accounts)}` : null,
    ...(ph.scale ?? []).map((s) => `  scale: ${s.api_processes} api + 1 worker: ${s.accepted_per_second} accepted/s, ${s.handed_over_per_second} handed over/s, CPU ${cpuOf(s)} µs/message (${s.database.cpu_us_per_message} the database's)`),
    `  ratios: ${JSON.stringify(result.ratios)}`,
    `  results: ${file}`,
  ]
    .filter(Boolean)
    .join('\n') + '\n',
);
process.exit(0);
