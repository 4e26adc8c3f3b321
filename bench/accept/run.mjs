// bench/accept: `POST /sms/send` through the whole pipeline of `hellio api` (authentication,
// allowlist, scope, rate limit, idempotency, validation, sender, price, caps, debit, message,
// event, job — durable: a 2xx is sent after the commit, SQLite WAL synchronous=FULL or a
// PostgreSQL commit with fsync on) beside its baselines, all in ONE run, so that the ratios of
// issue 7's accept-side targets (1–4 and 6) come from the same minutes on the same machine.
//
//   flock /tmp/hellio-bench.lock npm run bench:accept                         # SQLite
//   flock /tmp/hellio-bench.lock env BENCH_BACKEND=postgres npm run bench:accept
//   flock /tmp/hellio-bench.lock env BENCH_SOAK_S=300 npm run bench:accept     # with target 6's soak
//
// In order (each load: BENCH_WARMUP_S of warm-up on fresh connections, then BENCH_DURATION_S
// measured; one autocannon in this process, BENCH_CONNECTIONS connections, for every server):
//   1. hello      a bare Fastify 5 hello-world (hello.mjs)                       baseline of target 1
//      node-http  a bare node:http hello (hello-http.mjs)                         context
//   2. kannel     Kannel `sendsms` → bearerbox (spool store) → fakesmsc: installed with apt-get if
//                 missing (needs root), configured in a temp dir, started and stopped on loopback
//                 (kannel.mjs); the figure counts only if fakesmsc received every accepted message
//      kannel-nostore  the same without a store                                  context
//   3. ceiling    the database alone (ceiling.mjs, a child): PostgreSQL — one debit+insert
//                 transaction per request on 16 connections (target 4's ceiling), the same as one
//                 CTE statement, and all on one wallet; SQLite — one fsync'd debit+insert
//                 transaction per request, and 100 per transaction (context)
//   4. Hellio: one `hellio api` on a throwaway database with BENCH_ACCOUNTS accounts (each a key,
//      a top-up and the HELLIO sender; accounts.mjs), its RSS sampled every second throughout;
//      first BENCH_HELLIO_WARMUP_S of `many` load, not measured (a fresh server is slow), then:
//      many         requests spread round-robin over all the accounts' keys, each with its own
//                   Idempotency-Key as the SDK sends                      target 1 (the headline)
//      no-key       the same without Idempotency-Key                                context
//      one-account  every request from one account's key, with Idempotency-Key      target 2
//      latency      an open-loop client at half of `many`'s rate for BENCH_LATENCY_S, latency
//                   counted from each request's due time (bench/lib.mjs pacedLoad)   target 3
//      soak         `many` at full load for BENCH_SOAK_S (0 = skipped), RSS every
//                   BENCH_SOAK_SAMPLE_S                                              target 6
//      Afterwards every acknowledged message must be in the database.
//
// Knobs (environment): BENCH_BACKEND (sqlite | postgres), BENCH_DURATION_S (10),
// BENCH_WARMUP_S (2), BENCH_HELLIO_WARMUP_S (10), BENCH_CONNECTIONS (50), BENCH_ACCOUNTS (50),
// BENCH_CEILING_S (10; its context variants take half), BENCH_LATENCY_S (10), BENCH_SOAK_S (0),
// BENCH_SOAK_SAMPLE_S (2), BENCH_SKIP (comma-separated phase names from the list above, e.g. node-http,kannel-nostore),
// BENCH_PG_URL (the PostgreSQL server's admin URL). Any HELLIO_* setting in the environment
// reaches `hellio api` (e.g. HELLIO_LOG_LEVEL, HELLIO_PG_POOL_SIZE); the bench sets only the
// database and HELLIO_RATE_LIMIT_PER_MINUTE (a limit the load would otherwise hit).
// BENCH_DURATION is read as BENCH_DURATION_S (the older name).
//
// Default run time ≈ 2–2.5 minutes without the soak. Results: bench/accept/results/<backend>-<time>.json
// (machine, every figure, the ratios and each target's verdict); a summary is printed at the end.
// Only the ratios mean much on a shared 2-core machine; run it under the bench lock.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  autocannonRun,
  childGuard,
  freePort,
  loadSummary,
  machine,
  pacedLoad,
  percentiles,
  sampleRss,
  slope,
  stopChild,
  throwawayDatabase,
  waitFor,
} from '../lib.mjs';
import { ensureKannel, kannelVersion, startKannel } from './kannel.mjs';

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
const duration = num('BENCH_DURATION_S', num('BENCH_DURATION', 10));
const warmup = num('BENCH_WARMUP_S', 2);
const connections = num('BENCH_CONNECTIONS', 50);
const nAccounts = Math.max(2, num('BENCH_ACCOUNTS', 50));
const ceilingS = num('BENCH_CEILING_S', 10);
const latencyS = num('BENCH_LATENCY_S', 10);
const hellioWarmup = num('BENCH_HELLIO_WARMUP_S', 10);
const soakS = num('BENCH_SOAK_S', 0);
const soakSampleS = num('BENCH_SOAK_SAMPLE_S', 2) || 2;
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const PHASES = ['hello', 'node-http', 'kannel', 'kannel-nostore', 'ceiling', 'many', 'no-key', 'one-account', 'latency'];
for (const s of skip) if (!PHASES.includes(s)) throw new Error(`BENCH_SKIP: unknown phase "${s}" (one of ${PHASES.join(', ')})`);
if (skip.has('many') && (!skip.has('latency') || soakS > 0)) throw new Error('BENCH_SKIP=many needs latency skipped and no soak (both run at many\'s rate)');

const SMS = { from: 'HELLIO', to: '+14155552671', message: 'Your code is 123456' };
const BODY = JSON.stringify(SMS);
const RSS_LIMIT_MIB = 250;
// What the bench calls flat: the soak's second half grows by less than this (a leak of a few KB
// per request at thousands of requests per second shows as tens of MiB per minute).
const FLAT_MIB_PER_MIN = 1;

const guard = childGuard('bench:accept');
const { log, track } = guard;
const ratio = (a, b) => (a != null && b ? Number((a / b).toFixed(3)) : null);

// ---- baselines ----

/** A small server child (hello.mjs, hello-http.mjs) under autocannon GET /. */
async function benchChildServer(file) {
  const port = await freePort();
  const child = track(fork(join(here, file), { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }));
  await new Promise((r, j) => {
    child.once('message', r);
    child.once('exit', (code) => j(new Error(`${file} exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}/`;
  if (warmup > 0) await autocannonRun({ url, connections, duration: warmup });
  const r = await autocannonRun({ url, connections, duration });
  await stopChild(child);
  return loadSummary(r);
}

/** Kannel with `store` ('spool' or null): sendsms under the same load, then proof of forwarding. */
async function benchKannel(store) {
  const dir = mkdtempSync(join(tmpdir(), 'hellio-bench-kannel-'));
  const drop = guard.onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const k = await startKannel({ dir, store, track });
  try {
    const url = `${k.url}?${k.query}`;
    let accepted = k.probes;
    if (warmup > 0) accepted += (await autocannonRun({ url, connections, duration: warmup }))['2xx'];
    const r = await autocannonRun({ url, connections, duration });
    accepted += r['2xx'];
    const drainMs = await k.drained(accepted);
    const counts = await k.counts();
    const { fakesmsc_received } = await k.stop();
    // Every 202 reached the SMSC (autocannon does not count answers still in flight when a load
    // stops, so Kannel may have sent a few more than were counted, never fewer).
    const forwarded = drainMs !== null && counts.sent >= accepted && fakesmsc_received === counts.sent;
    if (!forwarded) log(`kannel (${store ?? 'no store'}): accepted ${accepted}, bearerbox sent ${counts.sent}, fakesmsc received ${fakesmsc_received}`);
    return {
      ...loadSummary(r),
      store: store ?? 'none',
      verified: {
        accepted_total_counted: accepted,
        bearerbox_sent: counts.sent,
        fakesmsc_received,
        every_accepted_message_forwarded: forwarded,
        ms_after_the_load_until_all_sent: drainMs,
      },
    };
  } finally {
    await k.stop().catch(() => undefined);
    await drop();
  }
}

/** The database alone: ceiling.mjs in a child, on a throwaway database of the same server/disk. */
async function benchCeiling() {
  const db = await throwawayDatabase(backend, 'ceiling');
  const drop = guard.onCleanup(db.drop);
  try {
    const env = {
      ...process.env,
      CEILING_BACKEND: backend,
      CEILING_DURATION_S: String(ceilingS),
      CEILING_SHORT_S: String(Math.max(1, ceilingS / 2)),
      ...(backend === 'postgres' ? { CEILING_PG_URL: db.url } : { CEILING_DIR: db.dir }),
    };
    const child = track(spawn(process.execPath, [join(here, 'ceiling.mjs')], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const code = await new Promise((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`ceiling.mjs exited with ${code}`);
    return JSON.parse(out);
  } finally {
    await drop();
  }
}

// ---- Hellio ----

/** autocannon `requests` for POST /sms/send: keys round-robin, optionally a fresh Idempotency-Key each. */
function sendRequests(keys, idempotency) {
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
        const headers = { ...req.headers, authorization: `Bearer ${keys[i % keys.length]}` };
        if (idempotency) headers['idempotency-key'] = `bench-${tag}-${i}`;
        return { ...req, headers };
      },
    },
  ];
}

async function countMessages(db) {
  if (backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const lite = new Database(join(db.dir, 'hellio.db'), { readonly: true, fileMustExist: true });
    try {
      return lite.prepare('select count(*) as n from messages').get().n;
    } finally {
      lite.close();
    }
  }
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query('select count(*)::int as n from messages')).rows[0].n;
  } finally {
    await c.end();
  }
}

async function postgresSettings(url) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out = {};
    for (const s of ['fsync', 'synchronous_commit', 'wal_sync_method', 'server_version']) out[s] = (await c.query(`show ${s}`)).rows[0][s];
    return out;
  } finally {
    await c.end();
  }
}

function rssSummary(samples) {
  if (!samples.length) return null;
  const values = samples.map((s) => s.rss_mib);
  const perMin = (pts) => {
    const s = slope(pts.map((p) => [p.t_s / 60, p.rss_mib]));
    return s === null ? null : Number(s.toFixed(2));
  };
  const half = samples.filter((s) => s.t_s >= samples[samples.length - 1].t_s / 2);
  return {
    start_mib: values[0],
    median_mib: percentiles(values).p50,
    max_mib: Math.max(...values),
    end_mib: values[values.length - 1],
    slope_mib_per_min: perMin(samples),
    slope_second_half_mib_per_min: perMin(half),
  };
}

async function benchHellio() {
  const db = await throwawayDatabase(backend, 'accept');
  const drop = guard.onCleanup(db.drop);
  const env = { ...process.env, ...db.env, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000000' };
  if (backend === 'sqlite') delete env.DATABASE_URL;
  const out = { phases: {} };
  let server = null;
  let acknowledged = 0;
  const counted = (r) => {
    acknowledged += r['2xx'] ?? r.answered_2xx;
    return r;
  };
  try {
    log(`making ${nAccounts} accounts`);
    const { accounts } = JSON.parse(execFileSync(process.execPath, [join(here, 'accounts.mjs'), String(nAccounts)], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString());
    const keys = accounts.map((a) => a.key);

    const port = await freePort();
    // `hellio api`, not `hellio start`: the workers would deliver what is being accepted on the
    // same two cores and the same database (bench/deliver measures them).
    server = track(spawn(process.execPath, [hellio, 'api'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] }));
    let serverErr = '';
    let stopping = false;
    server.stderr.on('data', (b) => (serverErr = (serverErr + b).slice(-5000)));
    server.once('exit', (code, sig) => {
      if (!stopping && !guard.interrupted) log(`hellio api exited early (${code ?? sig})\n${serverErr}`);
    });
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    const base = `http://127.0.0.1:${port}`;
    out.settings = {
      log_level: env.HELLIO_LOG_LEVEL || 'info (default)',
      durability: backend === 'sqlite'
        ? 'SQLite WAL, synchronous=FULL (src/store/db.ts): a 2xx is sent after the commit fsync returned'
        : 'PostgreSQL commit with the server settings below: a 2xx is sent after COMMIT returned',
      ...(backend === 'postgres' ? { postgres: await postgresSettings(db.url) } : {}),
      hellio_env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('HELLIO_') && k !== 'HELLIO_DATA_DIR')),
    };
    out.rss_idle_mib = sampleRss(server.pid, 1000).stop()[0]?.rss_mib ?? null;

    const rss = sampleRss(server.pid, 1000);
    const load = async (keysUsed, idempotency) => {
      if (warmup > 0) counted(await autocannonRun({ url: base, connections, duration: warmup, requests: sendRequests(keysUsed, idempotency) }));
      const r = counted(await autocannonRun({ url: base, connections, duration, requests: sendRequests(keysUsed, idempotency) }));
      return loadSummary(r);
    };
    if (hellioWarmup > 0) {
      // A fresh server runs at a third of its pace for its first seconds (measured: ~500 req/s in
      // the first 5 s, ~1,700 after, same load): without this, whichever phase came first would
      // pay for it. Every key is used, so each one's look-ups are warm too.
      log(`hellio: warm-up, ${hellioWarmup} s`);
      const r = counted(await autocannonRun({ url: base, connections, duration: hellioWarmup, requests: sendRequests(keys, true) }));
      out.warmup = { duration_s: hellioWarmup, requests_per_second: loadSummary(r).requests_per_second, note: 'not a figure: the server warming up' };
    }
    if (!skip.has('many')) {
      log('hellio: many accounts, Idempotency-Key');
      out.phases.many = { accounts: keys.length, idempotency_key: true, ...(await load(keys, true)) };
    }
    if (!skip.has('no-key')) {
      log('hellio: many accounts, no Idempotency-Key');
      out.phases.no_key = { accounts: keys.length, idempotency_key: false, ...(await load(keys, false)) };
    }
    if (!skip.has('one-account')) {
      log('hellio: one account, Idempotency-Key');
      out.phases.one_account = { accounts: 1, idempotency_key: true, ...(await load([keys[0]], true)) };
    }
    if (!skip.has('latency')) {
      const rate = Math.max(1, Math.floor(out.phases.many.requests_per_second / 2));
      log(`hellio: latency at ${rate} req/s (half of many)`);
      const http = await import('node:http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
      const requests = () => {
        const tag = randomUUID().slice(0, 8);
        return (i) => ({
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[i % keys.length]}`, 'idempotency-key': `bench-${tag}-${i}` },
          body: BODY,
        });
      };
      const url = `${base}/sms/send`;
      // The warm-up opens the sockets, so the measured part starts on warm connections.
      if (warmup > 0) counted(await pacedLoad({ url, rate, durationS: warmup, connections, agent, request: requests() }));
      const r = counted(await pacedLoad({ url, rate, durationS: latencyS, connections, agent, request: requests() }));
      agent.destroy();
      out.phases.latency = { accounts: keys.length, idempotency_key: true, duration_s: latencyS, ...r };
    }
    const loadSamples = rss.stop();
    out.rss_during_load = { ...rssSummary(loadSamples), note: 'sampled every second through the phases above (warm-ups included)' };

    if (soakS > 0) {
      log(`hellio: soak, ${soakS} s at full load`);
      const soakRss = sampleRss(server.pid, soakSampleS * 1000);
      const r = counted(await autocannonRun({ url: base, connections, duration: soakS, requests: sendRequests(keys, true) }));
      const samples = soakRss.stop();
      const perMinute = (from, to) => {
        const secs = r.perSecond.slice(from, to);
        return secs.length ? Math.round(secs.reduce((a, b) => a + b, 0) / secs.length) : null;
      };
      out.phases.soak = {
        accounts: keys.length,
        idempotency_key: true,
        ...loadSummary(r),
        requests_per_second_first_minute: perMinute(0, 60),
        requests_per_second_last_minute: perMinute(-60),
        rss: { ...rssSummary(samples), sample_every_s: soakSampleS, samples },
      };
    }

    stopping = true;
    await stopChild(server);
    const inDb = await countMessages(db);
    out.verified = {
      acknowledged_2xx_total: acknowledged,
      messages_in_database: inDb,
      // Requests still in flight when a load stopped may have committed without being counted.
      every_acknowledged_message_stored: inDb >= acknowledged,
    };
    if (inDb < acknowledged) log(`LOST: ${acknowledged} acknowledged, ${inDb} in the database`);
    return out;
  } finally {
    if (server) await stopChild(server);
    await drop();
  }
}

// ---- the run ----

const started = Date.now();
const result = {
  date: new Date().toISOString(),
  machine: await machine(),
  backend,
  method: {
    load_generator: 'autocannon (in the bench process) for every server; an open-loop node:http client for the latency phase',
    connections,
    warmup_s: warmup,
    duration_s: duration,
    accounts: nAccounts,
    request: { method: 'POST', path: '/sms/send', body: SMS },
  },
  baselines: {},
  hellio: null,
  ratios: {},
  targets: {},
};

try {
  if (!skip.has('hello')) {
    log('fastify hello');
    result.baselines.fastify_hello = await benchChildServer('hello.mjs');
  }
  if (!skip.has('node-http')) {
    log('node:http hello');
    result.baselines.node_http_hello = await benchChildServer('hello-http.mjs');
  }
  if (!skip.has('kannel') || !skip.has('kannel-nostore')) {
    const missing = ensureKannel(log);
    if (missing) {
      log(`kannel skipped: ${missing}`);
      result.baselines.kannel_skipped = missing;
    } else {
      result.baselines.kannel_version = kannelVersion();
      if (!skip.has('kannel')) {
        log('kannel, spool store');
        result.baselines.kannel_spool = await benchKannel('spool');
      }
      if (!skip.has('kannel-nostore')) {
        log('kannel, no store');
        result.baselines.kannel_no_store = await benchKannel(null);
      }
    }
  }
  if (!skip.has('ceiling')) {
    log(`database ceiling (${backend})`);
    result.baselines.db_ceiling = await benchCeiling();
  }
  result.hellio = await benchHellio();
} finally {
  await guard.runCleanups();
}

// ---- ratios and verdicts ----

const b = result.baselines;
const h = result.hellio.phases;
const rps = (x) => x?.requests_per_second ?? null;
const kannelOk = b.kannel_spool?.verified.every_accepted_message_forwarded;
const kannel = kannelOk ? rps(b.kannel_spool) : null;
const ceil = b.db_ceiling;
result.ratios = {
  many_to_fastify_hello: ratio(rps(h.many), rps(b.fastify_hello)),
  many_to_node_http_hello: ratio(rps(h.many), rps(b.node_http_hello)),
  many_to_kannel_spool: ratio(rps(h.many), kannel),
  many_to_kannel_no_store: ratio(rps(h.many), b.kannel_no_store?.verified.every_accepted_message_forwarded ? rps(b.kannel_no_store) : null),
  one_account_to_many: ratio(rps(h.one_account), rps(h.many)),
  one_account_to_fastify_hello: ratio(rps(h.one_account), rps(b.fastify_hello)),
  one_account_to_kannel_spool: ratio(rps(h.one_account), kannel),
  no_key_to_many: ratio(rps(h.no_key), rps(h.many)),
  kannel_spool_to_fastify_hello: ratio(kannel, rps(b.fastify_hello)),
  ...(backend === 'postgres'
    ? {
        many_to_pg_tx_per_request: ratio(rps(h.many), ceil?.tx.per_second),
        many_to_pg_cte_per_request: ratio(rps(h.many), ceil?.cte.per_second),
        one_account_to_pg_tx_one_wallet: ratio(rps(h.one_account), ceil?.tx_one_wallet.per_second),
      }
    : {
        many_to_sqlite_tx_per_request: ratio(rps(h.many), ceil?.tx.per_second),
        many_to_sqlite_batch_100_rows: ratio(rps(h.many), ceil?.batch_100.rows_per_second),
      }),
};
const verdict = (value, cmp, limit, note) => ({ value, target: `${cmp} ${limit}`, met: value == null ? null : cmp === '>=' ? value >= limit : value <= limit, ...(note ? { note } : {}) });
const r = result.ratios;
const soak = h.soak;
const valid = result.hellio.verified.every_acknowledged_message_stored && [h.many, h.no_key, h.one_account, h.latency, h.soak].every((p) => !p || (p.non_2xx === 0 && p.errors === 0));
result.targets = {
  valid_run: valid,
  '1_vs_fastify_hello': verdict(r.many_to_fastify_hello, '>=', 0.5),
  '1_vs_kannel_spool': verdict(r.many_to_kannel_spool, '>=', 2, kannelOk === false ? 'Kannel did not forward every message: no figure' : undefined),
  '2_one_account_vs_fastify_hello': verdict(r.one_account_to_fastify_hello, '>=', 0.5),
  '2_one_account_vs_kannel_spool': verdict(r.one_account_to_kannel_spool, '>=', 2),
  '3_p99_ms_at_half_max': verdict(h.latency?.latency_ms_from_due_time.p99 ?? null, '<=', 10, h.latency?.non_2xx || h.latency?.errors ? 'some requests failed' : undefined),
  ...(backend === 'postgres'
    ? {
        '4_vs_pg_tx_per_request': verdict(r.many_to_pg_tx_per_request, '>=', 2),
        '4_vs_pg_cte_per_request': verdict(r.many_to_pg_cte_per_request, '>=', 2, 'the stricter reading: the ceiling written as one statement'),
      }
    : {}),
  '6_rss_max_mib': soak
    ? verdict(soak.rss.max_mib, '<=', RSS_LIMIT_MIB, soakS < 300 ? `a ${soakS} s soak: the target asks for 5 minutes` : undefined)
    : verdict(result.hellio.rss_during_load?.max_mib ?? null, '<=', RSS_LIMIT_MIB, 'no soak (BENCH_SOAK_S=300 for the target): the maximum during the load phases'),
  '6_flat': soak
    ? verdict(soak.rss.slope_second_half_mib_per_min, '<=', FLAT_MIB_PER_MIN, `least-squares slope of RSS over the soak's second half, MiB per minute${soakS < 300 ? `; a ${soakS} s soak only` : ''}`)
    : { value: null, target: `<= ${FLAT_MIB_PER_MIN} MiB/min over a 5-minute soak`, met: null, note: 'no soak run' },
};
result.total_s = Math.round((Date.now() - started) / 1000);

mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `${backend}-${result.date.slice(0, 19).replace(/:/g, '')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

// ---- the summary ----

const line = (name, x, extra = '') => console.log(`  ${name.padEnd(34)} ${x == null ? '—' : String(x).padStart(8)} ${extra}`);
console.log(`\nbench/accept on ${backend}, ${connections} connections, ${duration} s each (${result.total_s} s in all)`);
line('Fastify hello', rps(b.fastify_hello), 'req/s');
line('node:http hello', rps(b.node_http_hello), 'req/s');
line('Kannel sendsms, spool store', rps(b.kannel_spool), `msg/s${b.kannel_spool ? ` (all forwarded: ${b.kannel_spool.verified.every_accepted_message_forwarded})` : ''}`);
line('Kannel sendsms, no store', rps(b.kannel_no_store), `msg/s${b.kannel_no_store ? ` (all forwarded: ${b.kannel_no_store.verified.every_accepted_message_forwarded})` : ''}`);
if (ceil?.backend === 'postgres') {
  line('PG tx per request (16 conns)', ceil.tx.per_second, 'tx/s');
  line('PG CTE per request (16 conns)', ceil.cte.per_second, 'tx/s');
  line('PG tx per request, one wallet', ceil.tx_one_wallet.per_second, 'tx/s');
} else if (ceil) {
  line('SQLite tx per request (FULL)', ceil.tx.per_second, 'tx/s');
  line('SQLite 100 rows per tx', ceil.batch_100.rows_per_second, 'rows/s');
}
line('Hellio, many accounts', rps(h.many), `req/s  p50 ${h.many?.latency_ms.p50} ms, p99 ${h.many?.latency_ms.p99} ms`);
line('Hellio, no Idempotency-Key', rps(h.no_key), 'req/s');
line('Hellio, one account', rps(h.one_account), 'req/s');
if (h.latency) line(`Hellio at ${h.latency.target_rate} req/s: p50/p99/max`, `${h.latency.latency_ms_from_due_time.p50}/${h.latency.latency_ms_from_due_time.p99}/${h.latency.latency_ms_from_due_time.max}`, 'ms');
line('Hellio RSS max during load', result.hellio.rss_during_load?.max_mib, 'MiB');
if (soak) line(`Soak ${soakS} s: RSS start/median/max/end`, `${soak.rss.start_mib}/${soak.rss.median_mib}/${soak.rss.max_mib}/${soak.rss.end_mib}`, `MiB, slope ${soak.rss.slope_mib_per_min} (2nd half ${soak.rss.slope_second_half_mib_per_min}) MiB/min`);
console.log('targets:');
for (const [k, v] of Object.entries(result.targets)) {
  if (k === 'valid_run') continue;
  console.log(`  ${k.padEnd(34)} ${String(v.value ?? '—').padStart(8)}  ${v.target.padEnd(8)} ${v.met === null ? 'n/a' : v.met ? 'met' : 'NOT met'}${v.note ? `  (${v.note})` : ''}`);
}
if (!valid) console.log('  INVALID RUN: failed requests or acknowledged messages missing from the database (see the results file)');
console.log(`results: ${file}`);
