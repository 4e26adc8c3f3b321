// bench/chaos: `hellio start` (what `npm start` runs) under a steady load of POST /sms/send (and
// some POST /send email), each request with its own Idempotency-Key and retried with the same key
// until acknowledged, as a careful client would; every acknowledged (2xx) message id is recorded.
// Meanwhile, in order, the scenarios asked for:
//   kill     kill -9 of the server --kills times, --duration s apart, restarted at once each time
//   outage   the SMSC (bench/deliver/smsc.mjs over HELLIO_SMPP_URL) and the SMTP server
//            (bench/deliver/smtp-sink.mjs over HELLIO_SMTP_URL) down together for --outage s
//   redis    REDIS_URL points at a redis-server this harness starts on a port of its own (never
//            the shared one), killed for --redis-outage s: what the API answers meanwhile is reported
//   pg       PostgreSQL restarted (pg_ctlcluster … restart) — only with --pg-restart and the
//            postgres backend: the cluster is shared, so this is opt-in
// Then the load stops and the harness waits up to --settle s for every message to reach a final
// status (one more restart first, so that nothing waits on a lease of a killed process), and
// reports per backend:
//   acknowledged_lost   2xx answers whose message is not in the database
//   charged_twice       messages (or campaigns) with more than one debit in the ledger
//   uncharged           acknowledged messages with no debit
//   not_final           messages not delivered / failed / undelivered / bounced / canceled
//   wallet_vs_ledger    accounts whose balance is not the sum of their ledger
//   smsc_submits        submit_sm the SMSC answered vs SMS messages (more = handed over twice)
//
//   npm run bench:chaos                                          # all but pg, SQLite, defaults below
//   npm run bench:chaos -- --kills 3 --duration 15 --outage 20 --redis-outage 10
//   npm run bench:chaos -- --backend postgres --scenarios kill,outage,redis,pg --pg-restart
//
// Knobs: --backend sqlite|postgres (a throwaway database on BENCH_PG_URL), --scenarios
// (comma-separated; default kill,outage,redis), --kills 10, --duration 20 (s of load between
// kills), --outage 60, --redis-outage 20, --pg-outage 5 (s the cluster stays stopped), --rate 100
// (requests/s), --email-share 0.1, --settle 180, --lease-ms 10000 (HELLIO_JOB_LEASE_MS: how soon
// a killed worker's jobs are taken over). Results: bench/chaos/results/<backend>-<time>.json; exit
// code 1 when a count above is not 0.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openBenchDb } from '../db.mjs';
import { childGuard, freePort, machine, stopChild, throwawayDatabase } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');
const FINAL = new Set(['delivered', 'failed', 'undelivered', 'bounced', 'canceled']);

const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: process.env.BENCH_BACKEND ?? 'sqlite' },
    scenarios: { type: 'string', default: 'kill,outage,redis' },
    kills: { type: 'string', default: '10' },
    duration: { type: 'string', default: '20' },
    outage: { type: 'string', default: '60' },
    'redis-outage': { type: 'string', default: '20' },
    'pg-outage': { type: 'string', default: '5' },
    'pg-restart': { type: 'boolean', default: false },
    rate: { type: 'string', default: '100' },
    'email-share': { type: 'string', default: '0.1' },
    settle: { type: 'string', default: '180' },
    'lease-ms': { type: 'string', default: '10000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    'usage: node bench/chaos/run.mjs [--backend sqlite|postgres] [--scenarios kill,outage,redis[,pg]] [--pg-restart]\n' +
      '       [--kills 10] [--duration 20] [--outage 60] [--redis-outage 20] [--pg-outage 5] [--rate 100] [--email-share 0.1] [--settle 180] [--lease-ms 10000]\n',
  );
  process.exit(0);
}
const num = (k) => {
  const n = Number(opt[k]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number`);
  return n;
};
const KILLS = num('kills');
const DURATION_S = num('duration');
const OUTAGE_S = num('outage');
const REDIS_OUTAGE_S = num('redis-outage');
const PG_OUTAGE_S = num('pg-outage');
const RATE = num('rate');
const EMAIL_SHARE = num('email-share');
const SETTLE_S = num('settle');
const LEASE_MS = num('lease-ms');
const scenarios = opt.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of scenarios) if (!['kill', 'outage', 'redis', 'pg'].includes(s)) throw new Error(`unknown scenario ${s}`);
if (scenarios.includes('pg') && (!opt['pg-restart'] || opt.backend !== 'postgres')) {
  throw new Error('the pg scenario restarts the shared PostgreSQL cluster: it needs --backend postgres and --pg-restart');
}

const guard = childGuard('bench:chaos');
const { log, track } = guard;

/** A forked helper (SMSC, SMTP sink) on a fixed port; resolves once it listens. */
async function startHelper(script, args) {
  const child = track(fork(join(root, script), [...args, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const stats = { last: null };
  child.on('message', (m) => {
    if (m.type === 'stats') stats.last = m;
  });
  await new Promise((res, rej) => {
    child.on('message', (m) => m.type === 'listening' && res());
    child.once('exit', (code) => rej(new Error(`${script} exited (${code})`)));
  });
  return { child, stats };
}

async function stopHard(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

async function main() {
  const backend = opt.backend;
  const db = await throwawayDatabase(backend, 'chaos');
  guard.onCleanup(db.drop);
  const smscPort = await freePort();
  const smtpPort = await freePort();
  const redisPort = await freePort();
  const apiPort = await freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...process.env,
    ...db.env,
    HELLIO_LOG_LEVEL: process.env.HELLIO_LOG_LEVEL ?? 'error',
    HELLIO_RATE_LIMIT_PER_MINUTE: '100000000',
    HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${smscPort}`,
    HELLIO_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    HELLIO_JOB_LEASE_MS: String(LEASE_MS),
    PORT: String(apiPort),
    HOST: '127.0.0.1',
  };
  if (backend === 'sqlite') delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (scenarios.includes('redis')) env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;

  let redis = null;
  const startRedis = async () => {
    redis = track(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    await sleep(300);
  };
  if (scenarios.includes('redis')) await startRedis();

  const cli = (...args) => JSON.parse(execFileSync(process.execPath, [hellio, ...args, '--json'], { env }).toString());
  const account = cli('accounts', 'create', '--name', 'chaos').id;
  const { key } = cli('keys', 'create', '--account', account, '--scopes', 'sms:send,email:send,reports');
  cli('wallet', 'topup', '--account', account, '--amount', '1000000');
  for (const s of ['HELLIO', 'example.com']) cli('senders', 'approve', '--account', account, '--sender', s);

  let smsc = await startHelper('bench/deliver/smsc.mjs', ['--port', String(smscPort), '--receipt-delay-ms', '300']);
  let smtp = await startHelper('bench/deliver/smtp-sink.mjs', ['--port', String(smtpPort)]);
  const smscTotals = { submits: 0, answered: 0 };
  const foldSmsc = () => {
    smscTotals.submits += smsc.stats.last?.submits ?? 0;
    smscTotals.answered += smsc.stats.last?.answered ?? 0;
  };

  // ---- the server ----
  // Every server's log (HELLIO_LOG_LEVEL, default error) in one file outside the throwaway directory, for diagnosis.
  const serverLogFile = join(tmpdir(), `hellio-chaos-${backend}-${Date.now()}.log`);
  const serverLog = createWriteStream(serverLogFile);
  let server = null;
  const startServer = async () => {
    const child = track(spawn(process.execPath, [hellio, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout.pipe(serverLog, { end: false });
    child.stderr.pipe(serverLog, { end: false });
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      if (child.exitCode !== null) throw new Error('hellio start exited at start');
      await sleep(100);
    }
    server = child;
  };
  await startServer();

  // ---- the load ----
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const acked = new Map(); // idempotency key → message id
  const answers = {}; // status or error → count, per phase
  let phase = 'warm-up';
  let n = 0;
  let inFlight = 0;
  let gaveUp = 0;
  const post = (path, body, idem) =>
    new Promise((res) => {
      const text = JSON.stringify(body);
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: apiPort,
          path,
          method: 'POST',
          timeout: 15_000,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idem, 'content-length': Buffer.byteLength(text) },
        },
        (r) => {
          let data = '';
          r.setEncoding('utf8').on('data', (d) => (data += d));
          r.once('end', () => res({ status: r.statusCode, body: data }));
          r.once('error', (e) => res({ error: e.code ?? e.message }));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (e) => res({ error: e.code ?? e.message }));
      req.end(text);
    });
  const count = (what) => {
    const p = (answers[phase] ??= {});
    p[what] = (p[what] ?? 0) + 1;
  };
  /** One logical send: retried with its Idempotency-Key until a 2xx or a 4xx, or 20 tries. */
  const send = async (i) => {
    inFlight++;
    const email = (i * 7919) % 1000 < EMAIL_SHARE * 1000;
    const idem = `chaos-${i}`;
    const [path, body] = email
      ? ['/send', { from: 'Chaos <chaos@example.com>', to: `user${i % 5000}@example.net`, subject: `chaos ${i}`, text: `chaos ${i}` }]
      : ['/sms/send', { from: 'HELLIO', to: `+1415555${String(i % 10_000).padStart(4, '0')}`, message: `chaos ${i}` }];
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await post(path, body, idem);
        count(r.error ?? String(r.status));
        if (r.status >= 200 && r.status < 300) {
          const j = JSON.parse(r.body);
          acked.set(idem, j.messages?.[0]?.id ?? j.id);
          return;
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429) {
          gaveUp++;
          return;
        }
        await sleep(500 + attempt * 250);
      }
      gaveUp++;
    } finally {
      inFlight--;
    }
  };
  let loadOn = true;
  const pending = new Set();
  const load = (async () => {
    const start = performance.now();
    while (loadOn) {
      const due = Math.floor(((performance.now() - start) * RATE) / 1000);
      while (n < due && loadOn) {
        const p = send(n++);
        pending.add(p);
        p.finally(() => pending.delete(p));
      }
      await sleep(5);
    }
  })();

  // ---- the scenarios ----
  const events = [];
  const mark = (what, extra = {}) => {
    events.push({ at_s: Number(((Date.now() - t0) / 1000).toFixed(1)), what, ...extra });
    log(what);
  };
  const t0 = Date.now();
  await sleep(3_000);
  if (scenarios.includes('kill')) {
    for (let k = 1; k <= KILLS; k++) {
      phase = 'kill';
      // Somewhere in the second half of the interval, so that work is in every stage.
      await sleep(DURATION_S * 1000 * (0.5 + 0.5 * Math.random()));
      await stopHard(server);
      mark(`kill -9 #${k}`);
      await startServer();
      mark(`restarted #${k}`);
    }
  }
  if (scenarios.includes('outage')) {
    phase = 'outage';
    await sleep(2_000);
    foldSmsc();
    await stopHard(smsc.child);
    await stopHard(smtp.child);
    mark(`SMSC and SMTP server down for ${OUTAGE_S} s`);
    await sleep(OUTAGE_S * 1000);
    smsc = await startHelper('bench/deliver/smsc.mjs', ['--port', String(smscPort), '--receipt-delay-ms', '300']);
    smtp = await startHelper('bench/deliver/smtp-sink.mjs', ['--port', String(smtpPort)]);
    mark('SMSC and SMTP server back');
    phase = 'after-outage';
    await sleep(5_000);
  }
  let redisFindings = null;
  if (scenarios.includes('redis')) {
    phase = 'redis-down';
    await stopHard(redis);
    mark(`redis-server (port ${redisPort}) killed for ${REDIS_OUTAGE_S} s`);
    await sleep(REDIS_OUTAGE_S * 1000);
    redisFindings = { ...(answers['redis-down'] ?? {}) };
    const ready = await fetch(`${base}/readyz`).then((r) => r.status).catch((e) => e.message);
    redisFindings.readyz_while_down = ready;
    await startRedis();
    mark('redis-server back');
    phase = 'after-redis';
    await sleep(5_000);
  }
  if (scenarios.includes('pg')) {
    phase = 'pg-restart';
    const cluster = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0];
    mark(`PostgreSQL ${cluster} stopped for ${PG_OUTAGE_S} s`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'stop', '-m', 'fast']);
    await sleep(PG_OUTAGE_S * 1000);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'start']);
    mark('PostgreSQL started');
    phase = 'after-pg';
    await sleep(10_000);
  }
  phase = 'tail';
  await sleep(2_000);
  loadOn = false;
  await load;
  mark(`load stopped: ${n} sends started, waiting for ${pending.size} still retrying`);
  await Promise.all([...pending]);
  const loadS = (Date.now() - t0) / 1000;

  // ---- settling ----
  // A restart in order (SIGTERM: the claims in hand are given back), so that no job waits for the
  // lease of a killed process before it runs again.
  await stopChild(server, 'SIGTERM', 15_000);
  await startServer();
  mark('settling (restarted once more)');
  const dbh = await openBenchDb(db.env);
  const statusCounts = async () => Object.fromEntries((await dbh.all('select status, count(*) as n from messages group by status')).map((r) => [r.status, Number(r.n)]));
  let notFinal = Infinity;
  const settleStart = Date.now();
  let lastCounts = {};
  while (Date.now() - settleStart < SETTLE_S * 1000) {
    lastCounts = await statusCounts();
    notFinal = Object.entries(lastCounts).filter(([s]) => !FINAL.has(s)).reduce((a, [, c]) => a + c, 0);
    if (notFinal === 0) break;
    await sleep(2_000);
  }
  mark(`settled after ${((Date.now() - settleStart) / 1000).toFixed(0)} s: ${JSON.stringify(lastCounts)}`);

  // ---- the checks ----
  const ids = [...acked.values()];
  const present = new Set();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of await dbh.all(`select id from messages where id in (${chunk.map(() => '?').join(',')})`, chunk)) present.add(r.id);
  }
  const lost = ids.filter((id) => !present.has(id));
  const twice = await dbh.all("select reference, count(*) as n from ledger where kind = 'debit' group by reference having count(*) > 1");
  const uncharged = await dbh.all(
    "select count(*) as n from messages m where m.price_micros > 0 and not exists (select 1 from ledger l where l.kind = 'debit' and (l.reference = m.id or l.reference = m.campaign_id))",
  );
  const walletVsLedger = await dbh.all(
    'select a.id, a.balance_micros as balance, coalesce(sum(l.amount_micros), 0) as ledger from accounts a left join ledger l on l.account_id = a.id group by a.id, a.balance_micros having a.balance_micros <> coalesce(sum(l.amount_micros), 0)',
  );
  const notFinalByChannel = Object.fromEntries(
    (await dbh.all('select channel, status, count(*) as n from messages group by channel, status'))
      .filter((r) => !FINAL.has(r.status))
      .map((r) => [`${r.channel}:${r.status}`, Number(r.n)]),
  );
  // Receipts that arrived before their message's network id was stored wait here for the sweeper.
  const pendingReceipts = (await dbh.tables()).includes('pending_receipts') ? Number((await dbh.all('select count(*) as n from pending_receipts'))[0].n) : null;
  const smsCount = Number((await dbh.all("select count(*) as n from messages where channel = 'sms'"))[0].n);
  const notFinalByStatus = Object.fromEntries(Object.entries(lastCounts).filter(([s]) => !FINAL.has(s)));
  // Why messages ended badly, and when the ones that timed out waiting for a receipt were
  // accepted (5 s buckets on the events' clock), to tell which scenario lost their receipts.
  const endings = await dbh.all("select status, error, created_at from messages where status in ('failed', 'undelivered', 'bounced')");
  const finalReasons = {};
  const receiptTimeoutsAt = {};
  for (const r of endings) {
    const why = `${r.status}: ${String(r.error ?? 'none').split(':')[0]}`;
    finalReasons[why] = (finalReasons[why] ?? 0) + 1;
    if (String(r.error).startsWith('receipt_timeout')) {
      const bucket = `${Math.floor((Number(r.created_at) - t0) / 5000) * 5}s`;
      receiptTimeoutsAt[bucket] = (receiptTimeoutsAt[bucket] ?? 0) + 1;
    }
  }
  await dbh.close();
  foldSmsc();
  await stopHard(server);
  agent.destroy();

  const result = {
    harness: 'bench/chaos',
    date: new Date().toISOString(),
    machine: await machine(),
    backend,
    scenarios,
    settings: { kills: KILLS, duration_s: DURATION_S, outage_s: OUTAGE_S, redis_outage_s: REDIS_OUTAGE_S, pg_outage_s: PG_OUTAGE_S, rate: RATE, email_share: EMAIL_SHARE, lease_ms: LEASE_MS, settle_s: SETTLE_S },
    load_s: Number(loadS.toFixed(0)),
    sends: n,
    acknowledged: acked.size,
    gave_up: gaveUp,
    answers_by_phase: answers,
    redis: redisFindings,
    events,
    counts: {
      acknowledged_lost: lost.length,
      charged_twice: twice.length,
      uncharged: Number(uncharged[0].n),
      not_final: notFinal,
      wallet_vs_ledger: walletVsLedger.length,
    },
    not_final_by_status: notFinalByStatus,
    not_final_by_channel: notFinalByChannel,
    pending_receipts: pendingReceipts,
    messages_by_status: lastCounts,
    final_reasons: finalReasons,
    receipt_timeouts_by_accepted_at: receiptTimeoutsAt,
    smsc: { sms_messages: smsCount, submits_answered: smscTotals.answered, handed_over_more_than_once_at_least: Math.max(0, smscTotals.answered - smsCount) },
    examples: { lost: lost.slice(0, 5), charged_twice: twice.slice(0, 5) },
    server_log: serverLogFile,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `${backend}-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  const c = result.counts;
  process.stdout.write(
    `\nbench/chaos ${backend} (${scenarios.join(', ')}): ${n} sends over ${result.load_s} s, ${acked.size} acknowledged, ${gaveUp} given up\n` +
      `  acknowledged lost   ${c.acknowledged_lost}\n  charged twice       ${c.charged_twice}\n  uncharged           ${c.uncharged}\n` +
      `  not final           ${c.not_final} ${JSON.stringify(notFinalByChannel)} (receipts waiting unmatched: ${pendingReceipts})\n  wallet ≠ ledger     ${c.wallet_vs_ledger}\n` +
      `  SMSC submits        ${smscTotals.answered} for ${smsCount} SMS\n` +
      (redisFindings ? `  while Redis down    ${JSON.stringify(redisFindings)}\n` : '') +
      `  answers by phase    ${JSON.stringify(answers)}\n  server log          ${serverLogFile}\n  results             ${file}\n`,
  );
  await guard.runCleanups();
  process.exit(c.acknowledged_lost + c.charged_twice + c.uncharged + c.not_final + c.wallet_vs_ledger === 0 ? 0 : 1);
}

main().catch(async (e) => {
  log(e.stack ?? String(e));
  await guard.runCleanups();
  process.exit(2);
});
