// bench/deliver: how fast `hellio worker` hands accepted messages to the network, beside a raw
// client of the same network in the same run.
//
//   npm run bench:deliver                          # SQLite
//   BENCH_BACKEND=postgres npm run bench:deliver
//   BENCH_N=20000 BENCH_M=2000 BENCH_TIMEOUT_S=120 npm run bench:deliver
//
// SMS: an SMSC child (bench/deliver/smsc.mjs, receipts off) takes submit_sm. Baseline: a raw
// `smpp` client in this process, window 50, sending N submit_sm as fast as the window allows
// (and again with window 10, Hellio's default window). Hellio: a throwaway database holding N
// accepted SMS (posted beforehand to a `hellio api` child as campaigns of 1,000 recipients, so
// accepting is outside the measurement), then one `hellio worker` with HELLIO_SMPP_URL at the
// SMSC and HELLIO_SMPP_WINDOW = BENCH_SMPP_WINDOW (default 50, the raw client's), timed from its
// bind until the SMSC has answered N submits.
// Email: the same with an SMTP sink child (bench/deliver/smtp-sink.mjs), a raw nodemailer pool
// (maxConnections 5) and M emails. The raw pool runs twice: as nodemailer comes (Nagle on, which
// on a fast link costs up to a delayed ACK, ~40 ms, per message and connection), and with
// TCP_NODELAY on its sockets, as Hellio's SmtpProvider runs; the ratio is to the latter.
//
// Other knobs: BENCH_ONLY=sms|email, BENCH_WORKER_CONCURRENCY (passed as
// HELLIO_WORKER_CONCURRENCY; Hellio's default when unset), BENCH_RECEIPTS_MS (turns the SMSC's
// DELIVRD receipts on with that delay, for both clients), BENCH_CPU_PROF=<dir> (runs the worker
// under node --cpu-prof; summarise with profile-summary.mjs), BENCH_SQL_TIMING=1 (SQLite: the
// worker's time in each statement shape, sql-timing-preload.mjs), BENCH_PG_URL.
//
// Only the ratios mean much on a shared 2-core machine.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect as netConnect } from 'node:net';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import pg from 'pg';
import smpp from 'smpp';
import { benchAccount, machine, startApi, stopChild, throwawayDatabase } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');
const backend = process.env.BENCH_BACKEND ?? 'sqlite';
const N = Number(process.env.BENCH_N ?? 20_000);
const M = Number(process.env.BENCH_M ?? 2_000);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? 120) * 1000;
const only = process.env.BENCH_ONLY ?? 'all';
const workerConcurrency = process.env.BENCH_WORKER_CONCURRENCY;
const receiptsMs = process.env.BENCH_RECEIPTS_MS;
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const smppWindow = Number(process.env.BENCH_SMPP_WINDOW ?? 50);
const sqlTiming = process.env.BENCH_SQL_TIMING === '1';
const CAMPAIGN = 1_000;
const RAW_WINDOW = 50;
const SMS_TEXT = 'Your code is 123456';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => Number((ms / 1000).toFixed(3));
const rate = (count, ms) => (ms > 0 ? Math.round((count * 1000) / ms) : null);
const log = (line) => process.stderr.write(`[bench:deliver] ${line}\n`);

// ---- children: every one is stopped at the end, also on error ----

const children = new Set();
const cleanups = [];

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}


function killAllNow() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
}
process.on('exit', killAllNow);
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    interrupted = true;
    log(`${signal}: stopping children`);
    killAllNow();
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
    process.exit(130);
  });
}

/** A forked helper (smsc.mjs, smtp-sink.mjs) and the last stats it reported. */
async function startHelper(file, args) {
  const child = track(fork(join(here, file), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const helper = { child, stats: null, waiters: [] };
  child.on('message', (m) => {
    if (m.type === 'stats' || m.type === 'reached') helper.stats = m;
    for (const w of [...helper.waiters]) {
      if (w.type === m.type) {
        helper.waiters.splice(helper.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  helper.next = (type, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const w = { type, resolve };
      helper.waiters.push(w);
      if (ms !== Infinity) {
        setTimeout(() => {
          const i = helper.waiters.indexOf(w);
          if (i >= 0) {
            helper.waiters.splice(i, 1);
            reject(new Error(`${file}: no "${type}" within ${ms} ms`));
          }
        }, ms).unref();
      }
    });
  helper.reset = async () => {
    const p = helper.next('reset');
    child.send({ cmd: 'reset' });
    await p;
    helper.stats = null;
  };
  helper.fresh = async () => {
    const p = helper.next('stats');
    child.send({ cmd: 'stats' });
    return p;
  };
  const listening = await helper.next('listening');
  helper.port = listening.port;
  return helper;
}

// ---- the throwaway database, set up through the CLI ----

/** A throwaway database, with the count of its messages per status. */
async function setupDatabase() {
  const db = await throwawayDatabase(backend, 'deliver');
  const query = async (sql) => {
    if (backend === 'sqlite') {
      const lite = new Database(join(db.dir, 'hellio.db'), { readonly: true, fileMustExist: true });
      try {
        return lite.prepare(sql).all();
      } finally {
        lite.close();
      }
    }
    const q = new pg.Client({ connectionString: db.url });
    await q.connect();
    try {
      return (await q.query(sql)).rows;
    } finally {
      await q.end();
    }
  };
  return {
    ...db,
    counts: async () => Object.fromEntries((await query('select status, count(*) as n from messages group by status')).map((r) => [r.status, Number(r.n)])),
  };
}

/** A database with an account, a key, money and approved senders; `hellio api` on it. */
async function prepareHellio(db) {
  const env = {
    ...process.env,
    ...db.env,
    HELLIO_RATE_LIMIT_PER_MINUTE: '1000000000',
    ...(workerConcurrency ? { HELLIO_WORKER_CONCURRENCY: workerConcurrency } : {}),
  };
  delete env.HELLIO_SMPP_URL;
  delete env.HELLIO_SMTP_URL;
  const { key } = await benchAccount(hellio, env, 'sms:send,email:send,reports', ['HELLIO', 'example.com']);
  const { api, post } = await startApi(hellio, env, key, track);
  return { env, api, post };
}

/** `hellio worker` with its output in a log file; resolves once spawned. */
function startWorker(env, logFile) {
  const fd = openSync(logFile, 'w');
  const args = [
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    ...(sqlTiming ? ['--import', pathToFileURL(join(here, 'sql-timing-preload.mjs')).href] : []),
    hellio,
    'worker',
  ];
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  return child;
}

/** Waits for the helper to reach its target, or the deadline; either way returns what was measured. */
async function measure(helper, target, deadline) {
  const reachedAt = helper.next('reached', Infinity);
  const result = await Promise.race([reachedAt.then((m) => ({ m, at: now() })), sleep(Math.max(0, deadline - now())).then(() => null)]);
  if (result) return { aborted: false, stats: result.m, parentAt: result.at };
  return { aborted: true, stats: await helper.fresh(), parentAt: now() };
}

/** Polls the database until `want` messages have `status`, or the deadline. */
async function waitStatus(db, status, want, deadline) {
  for (;;) {
    const counts = await db.counts();
    if ((counts[status] ?? 0) >= want || now() > deadline) return { counts, at: now() };
    await sleep(100);
  }
}

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** What sql-timing-preload.mjs printed into the worker's log. */
function sqlTimingLines(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('sql-timing:')).join('\n');
  } catch {
    return '';
  }
}

// ---- SMS ----

async function rawSmpp(port, count, window) {
  const s = smpp.connect({ host: '127.0.0.1', port });
  s.on('error', (err) => log(`raw smpp client: ${err.message}`));
  await new Promise((r) => s.once('connect', r));
  s.socket.setNoDelay(true);
  s.on('deliver_sm', (pdu) => s.send(pdu.response()));
  const bind = await new Promise((r) => s.bind_transceiver({ system_id: 'hellio', password: 'secret', interface_version: 0x34 }, r));
  if (bind.command_status !== 0) throw new Error(`raw bind refused: ${bind.command_status}`);
  const shortMessage = Buffer.from(SMS_TEXT, 'latin1'); // GSM 03.38 = ASCII for these characters
  const run = (n) =>
    new Promise((resolve) => {
      let sent = 0;
      let done = 0;
      let failed = 0;
      const pump = () => {
        while (sent - done < window && sent < n) {
          const i = sent++;
          // The fields Hellio's SmppProvider sends for this message.
          s.submit_sm(
            {
              source_addr_ton: 5,
              source_addr_npi: 0,
              source_addr: 'HELLIO',
              dest_addr_ton: 1,
              dest_addr_npi: 1,
              destination_addr: String(14152000000 + i),
              esm_class: 0,
              registered_delivery: 1,
              data_coding: 0,
              short_message: shortMessage,
            },
            (resp) => {
              done++;
              if (resp.command_status !== 0) failed++;
              if (done === n) resolve(failed);
              else pump();
            },
          );
        }
      };
      pump();
    });
  await run(Math.min(1_000, count)); // warm-up, both ends
  const t0 = now();
  const failed = await run(count);
  const ms = now() - t0;
  await new Promise((r) => (s.unbind({}, r) ? setTimeout(r, 1_000) : r()));
  s.destroy();
  return { window, submits: count, failed, seconds: seconds(ms), submits_per_second: rate(count, ms) };
}

async function benchSms() {
  const smscArgs = ['--port', '0', '--quiet', ...(receiptsMs ? ['--receipt-delay-ms', receiptsMs] : ['--no-receipts'])];
  const smsc = await startHelper('smsc.mjs', smscArgs);
  cleanups.push(() => stopChild(smsc.child));
  try {
    log(`SMS: raw smpp client, ${N} submits, window ${RAW_WINDOW}`);
    await smsc.reset();
    const raw = await rawSmpp(smsc.port, N, RAW_WINDOW);
    log(`  ${raw.submits_per_second} submits/s`);
    log(`SMS: raw smpp client, ${N} submits, window 10 (Hellio's default window)`);
    await smsc.reset();
    const raw10 = await rawSmpp(smsc.port, N, 10);
    log(`  ${raw10.submits_per_second} submits/s`);

    const db = await setupDatabase();
    cleanups.push(db.drop);
    let hellioResult;
    try {
      const h = await prepareHellio(db);
      log(`SMS: accepting ${N} SMS through hellio api (campaigns of ${CAMPAIGN})`);
      const a0 = now();
      for (let i = 0; i < N; i += CAMPAIGN) {
        const to = [];
        for (let j = i; j < Math.min(N, i + CAMPAIGN); j++) to.push(`+${14152000000 + j}`);
        await h.post('/sms/send', { from: 'HELLIO', to, message: SMS_TEXT });
      }
      const acceptMs = now() - a0;
      await stopChild(h.api);
      const before = await db.counts();
      if ((before.queued ?? 0) !== N) throw new Error(`expected ${N} queued SMS, found ${JSON.stringify(before)}`);

      await smsc.reset();
      smsc.child.send({ cmd: 'watch', target: N });
      const logFile = join(db.dir, 'worker-sms.log');
      log(`SMS: hellio worker → SMSC until ${N} submits are answered (at most ${timeoutMs / 1000} s)`);
      const spawnedAt = now();
      const worker = startWorker({ ...h.env, HELLIO_SMPP_URL: `smpp://hellio:secret@127.0.0.1:${smsc.port}`, HELLIO_SMPP_WINDOW: String(smppWindow) }, logFile);
      const m = await measure(smsc, N, spawnedAt + timeoutMs);
      const st = m.stats;
      // The bookkeeping after the SMSC's answer (markSent; with receipts on, the receipts) finishes a little later.
      const finalStatus = receiptsMs ? 'delivered' : 'sent';
      const settled = m.aborted ? { counts: await db.counts(), at: now() } : await waitStatus(db, finalStatus, N, now() + 30_000 + Number(receiptsMs ?? 0));
      const fromBindMs = st.first_bind_at && st.last_answer_at ? st.last_answer_at - st.first_bind_at : null;
      const fromSpawnMs = m.aborted ? m.parentAt - spawnedAt : m.parentAt - spawnedAt;
      const stopStart = now();
      await stopChild(worker);
      if (m.aborted) log(`  aborted after ${timeoutMs / 1000} s; worker log tail:\n${tail(logFile)}`);
      if (sqlTiming) log(sqlTimingLines(logFile));
      hellioResult = {
        accepted: N,
        accept_seconds: seconds(acceptMs),
        worker_concurrency: Number(workerConcurrency ?? 1000),
        smpp_window: smppWindow,
        answered: st.answered,
        aborted: m.aborted,
        seconds_from_bind: fromBindMs === null ? null : seconds(fromBindMs),
        seconds_from_spawn: seconds(fromSpawnMs),
        messages_per_second: fromBindMs === null ? null : rate(st.answered, fromBindMs),
        messages_per_second_from_spawn: rate(st.answered, fromSpawnMs),
        [`all_${finalStatus}_seconds_from_spawn`]: (settled.counts[finalStatus] ?? 0) >= N ? seconds(settled.at - spawnedAt) : null,
        statuses: settled.counts,
        smsc: { binds: st.binds, submits: st.submits, answered: st.answered, refused: st.refused, receipts_acked: st.receipts_acked },
        worker_stop_seconds: seconds(now() - stopStart),
      };
      log(`  ${hellioResult.messages_per_second} messages/s (from bind), ${hellioResult.messages_per_second_from_spawn} from spawn`);
    } finally {
      await db.drop();
      cleanups.splice(cleanups.indexOf(db.drop), 1);
    }
    return {
      smsc_receipts: receiptsMs ? `DELIVRD after ${receiptsMs} ms` : 'off',
      text: SMS_TEXT,
      raw_client: raw,
      raw_client_window_10: raw10,
      hellio: hellioResult,
      ratio_to_raw_client: hellioResult.messages_per_second ? Number((hellioResult.messages_per_second / raw.submits_per_second).toFixed(3)) : null,
    };
  } finally {
    await stopChild(smsc.child);
  }
}

// ---- email ----

function mail(i) {
  return {
    from: 'Bench <bench@example.com>',
    to: `user${i}@example.net`,
    subject: `Your receipt #${i}`,
    text: `Hello,\n\nthis is message ${i} of the delivery benchmark. Nothing to see here.\n\n-- \nHellio\n`,
  };
}

async function rawSmtp(port, count, { noDelay = false } = {}) {
  // With noDelay, the pool's connections come from getSocket with Nagle off; otherwise nodemailer's defaults.
  const getSocket = (_options, callback) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.once('error', callback);
    socket.once('connect', () => {
      socket.removeListener('error', callback);
      callback(null, { connection: socket });
    });
  };
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    pool: true,
    maxConnections: 5,
    logger: false,
    ...(noDelay ? { getSocket } : {}),
  });
  const send = async (n, offset) => {
    const sends = [];
    for (let i = 0; i < n; i++) sends.push(transport.sendMail({ ...mail(offset + i), messageId: `<raw_${offset + i}@example.com>` }));
    const results = await Promise.allSettled(sends);
    return results.filter((r) => r.status === 'rejected').length;
  };
  await send(Math.min(200, count), 1_000_000); // warm-up
  const t0 = now();
  const failed = await send(count, 0);
  const ms = now() - t0;
  transport.close();
  return { max_connections: 5, tcp_nodelay: noDelay, messages: count, failed, seconds: seconds(ms), messages_per_second: rate(count, ms) };
}

async function benchEmail() {
  const sink = await startHelper('smtp-sink.mjs', ['--port', '0', '--quiet']);
  cleanups.push(() => stopChild(sink.child));
  try {
    log(`email: raw nodemailer pool (maxConnections 5), ${M} messages`);
    await sink.reset();
    const raw = await rawSmtp(sink.port, M);
    log(`  ${raw.messages_per_second} messages/s`);
    log(`email: raw nodemailer pool (maxConnections 5) with TCP_NODELAY, ${M} messages`);
    await sink.reset();
    const rawNoDelay = await rawSmtp(sink.port, M, { noDelay: true });
    log(`  ${rawNoDelay.messages_per_second} messages/s`);

    const db = await setupDatabase();
    cleanups.push(db.drop);
    let hellioResult;
    try {
      const h = await prepareHellio(db);
      log(`email: accepting ${M} emails through hellio api`);
      const a0 = now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < M) await h.post('/send', mail(next++));
        }),
      );
      const acceptMs = now() - a0;
      await stopChild(h.api);
      const before = await db.counts();
      if ((before.queued ?? 0) !== M) throw new Error(`expected ${M} queued emails, found ${JSON.stringify(before)}`);

      await sink.reset();
      sink.child.send({ cmd: 'watch', target: M });
      const logFile = join(db.dir, 'worker-email.log');
      log(`email: hellio worker → SMTP sink until ${M} messages are accepted (at most ${timeoutMs / 1000} s)`);
      const spawnedAt = now();
      const worker = startWorker({ ...h.env, HELLIO_SMTP_URL: `smtp://127.0.0.1:${sink.port}` }, logFile);
      const m = await measure(sink, M, spawnedAt + timeoutMs);
      const st = m.stats;
      const settled = m.aborted ? { counts: await db.counts(), at: now() } : await waitStatus(db, 'delivered', M, now() + 30_000);
      const fromConnectMs = st.first_connect_at && st.last_message_at ? st.last_message_at - st.first_connect_at : null;
      const fromSpawnMs = m.parentAt - spawnedAt;
      await stopChild(worker);
      if (m.aborted) log(`  aborted after ${timeoutMs / 1000} s; worker log tail:\n${tail(logFile)}`);
      if (sqlTiming) log(sqlTimingLines(logFile));
      hellioResult = {
        accepted: M,
        accept_seconds: seconds(acceptMs),
        worker_concurrency: Number(workerConcurrency ?? 1000),
        delivered_to_sink: st.accepted,
        aborted: m.aborted,
        seconds_from_first_connection: fromConnectMs === null ? null : seconds(fromConnectMs),
        seconds_from_spawn: seconds(fromSpawnMs),
        messages_per_second: fromConnectMs === null ? null : rate(st.accepted, fromConnectMs),
        messages_per_second_from_spawn: rate(st.accepted, fromSpawnMs),
        all_delivered_seconds_from_spawn: (settled.counts.delivered ?? 0) >= M ? seconds(settled.at - spawnedAt) : null,
        statuses: settled.counts,
        sink: { connections: st.connections, accepted: st.accepted },
      };
      log(`  ${hellioResult.messages_per_second} messages/s (from first connection), ${hellioResult.messages_per_second_from_spawn} from spawn`);
    } finally {
      await db.drop();
      cleanups.splice(cleanups.indexOf(db.drop), 1);
    }
    const ratio = (base) => (hellioResult.messages_per_second ? Number((hellioResult.messages_per_second / base.messages_per_second).toFixed(3)) : null);
    return {
      raw_pool: raw,
      raw_pool_tcp_nodelay: rawNoDelay,
      hellio: hellioResult,
      // Like for like: Hellio's pool runs with TCP_NODELAY (SmtpProvider's noDelay, on by default).
      ratio_to_raw_pool: ratio(rawNoDelay),
      ratio_is_to: 'raw_pool_tcp_nodelay',
      ratio_to_raw_pool_with_nagle: ratio(raw),
    };
  } finally {
    await stopChild(sink.child);
  }
}

// ---- main ----

let exitCode = 0;
try {
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: await machine(),
    backend,
    n_sms: N,
    m_email: M,
    timeout_s: timeoutMs / 1000,
    ...(cpuProfDir ? { cpu_profile_dir: cpuProfDir } : {}),
  };
  if (only === 'all' || only === 'sms') result.sms = await benchSms();
  if (only === 'all' || only === 'email') result.email = await benchEmail();
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', `${backend}-${result.date.slice(0, 19).replace(/:/g, '')}.json`), `${JSON.stringify(result, null, 2)}\n`);
} catch (err) {
  if (!interrupted) log(`failed: ${err?.stack ?? err}`);
  exitCode = 1;
} finally {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  for (const c of [...children]) await stopChild(c, 'SIGTERM', 5_000);
}
process.exit(exitCode);
