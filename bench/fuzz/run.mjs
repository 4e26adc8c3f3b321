// bench/fuzz: hostile requests against a real `hellio api`, generated from its /openapi.json
// (generate.mjs: wrong types, missing and extra fields, huge strings, unicode, invalid UTF-8,
// nested objects, numbers as strings and back, negative and huge numbers, bad content types and
// JSON, long URLs and parameters, other accounts' ids, bad credentials), with and without valid
// credentials (an API key, a member's and an operator's session), plus a few malformed requests
// on raw sockets (what the HTTP parser answers). It reports:
//   five_xx            answers 500–599, but for
//   shed               503 `overloaded` with Retry-After: load shedding as designed (reported,
//                      not counted as a fault)
//   non_spec           4xx/5xx whose body is not {code, message, detail[, errors]}, or any answer
//                      without X-Request-Id (grouped, with an example each)
//   cross_tenant       2xx to a GET with our credentials naming another account's resource
//   no_answer          requests that got no answer in --timeout-ms, or a reset
//   rows_on_errors     phase 2: every request that answered an error is sent again (regenerated
//                      from the seed), with the table row counts and wallets compared before and
//                      after; a request that now succeeds is counted as `flipped` and, if any, the
//                      comparison is only indicative
//
//   npm run bench:fuzz                                   # 100,000 requests on SQLite
//   npm run bench:fuzz -- --requests 20000 --concurrency 8
//   npm run bench:fuzz -- --backend postgres             # a throwaway database on BENCH_PG_URL
//   npm run bench:fuzz -- --seed 7 --no-replay
//
// `hellio api` (no worker: background jobs would change the row counts), rate limit lifted,
// HELLIO_LOG_LEVEL=fatal unless set. Results: bench/fuzz/results/<backend>-<time>.json. Exit code
// 1 when any count above is not 0.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countDiff, openBenchDb, rowCounts } from '../db.mjs';
import { childGuard, freePort, machine, throwawayDatabase, waitFor } from '../lib.mjs';
import { describeRequest, hostileRequest, judge, operations, prng } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');

const { values: opt } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: '15' },
    backend: { type: 'string', default: process.env.BENCH_BACKEND ?? 'sqlite' },
    'timeout-ms': { type: 'string', default: '15000' },
    'raw-every': { type: 'string', default: '200' },
    'no-replay': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write('usage: node bench/fuzz/run.mjs [--requests 100000] [--concurrency 8] [--seed 15] [--backend sqlite|postgres] [--timeout-ms 15000] [--raw-every 200] [--no-replay]\n');
  process.exit(0);
}
const REQUESTS = Number(opt.requests);
const CONCURRENCY = Number(opt.concurrency);
const SEED = Number(opt.seed);
const TIMEOUT_MS = Number(opt['timeout-ms']);
const RAW_EVERY = Number(opt['raw-every']);
for (const [k, v] of Object.entries({ REQUESTS, CONCURRENCY, SEED, TIMEOUT_MS, RAW_EVERY })) if (!Number.isFinite(v) || v < 0) throw new Error(`bad --${k.toLowerCase()}`);

// Every scope, so that every key route is reached past its scope check.
const SCOPES = 'email:send,sms:send,otp,voice,lookup,email:verify,reports,balance,webhooks';

const guard = childGuard('bench:fuzz');
const { log, track } = guard;

/** Malformed requests only a raw socket can send: what the HTTP parser answers must still be sane. */
const RAW = [
  ['bad request line', 'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HTTP/0.9', 'GET /\r\n\r\n'],
  ['header too large', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
  ['bad header name', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
  ['NUL in header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'],
  ['two content-lengths', 'POST /sms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
  ['content-length and chunked', 'POST /sms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['bad chunk size', 'POST /sms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
  ['long URL', `GET /messages/${'m'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['non-ASCII in URL', Buffer.concat([Buffer.from('GET /messages/'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')])],
];

/** Sends one raw request; resolves with { status, headers, body } or { error }. */
function rawRequest(port, payload) {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const done = (v) => {
      clearTimeout(t);
      s.destroy();
      res(v);
    };
    const t = setTimeout(() => done({ error: 'no answer' }), TIMEOUT_MS);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const text = buf.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const lines = text.slice(0, head).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const len = Number(headers['content-length'] ?? 0);
      if (buf.length - Buffer.byteLength(text.slice(0, head + 4), 'latin1') >= len) done({ status, headers, body: text.slice(head + 4, head + 4 + len) });
    });
    s.on('error', (e) => done({ error: e.code ?? e.message }));
    s.on('close', () => done({ error: buf.length ? 'truncated answer' : 'closed without an answer' }));
    s.end(payload);
  });
}

async function main() {
  const backend = opt.backend;
  const db = await throwawayDatabase(backend, 'fuzz');
  guard.onCleanup(db.drop);
  const env = { ...process.env, ...db.env, HELLIO_LOG_LEVEL: process.env.HELLIO_LOG_LEVEL ?? 'fatal', HELLIO_RATE_LIMIT_PER_MINUTE: '100000000',
    // The OTP abuse limits would otherwise answer most OTP sends 429 before their validation is reached.
    HELLIO_OTP_PER_IP_PER_HOUR: '1000000000',
    HELLIO_OTP_PER_DESTINATION_PER_HOUR: '1000000000',
    HELLIO_OTP_RESEND_COOLDOWN_SECONDS: '0',
    // Likewise the per-session limit (600 a minute) for the session routes.
    HELLIO_SESSION_REQUESTS_PER_MINUTE: '1000000',
  };
  delete env.REDIS_URL;
  if (backend === 'sqlite') delete env.DATABASE_URL;
  const cli = (...args) => JSON.parse(execFileSync(process.execPath, [hellio, ...args, '--json'], { env }).toString());
  // Migrates the database as a side effect.
  const accounts = [];
  for (const name of ['fuzz-a', 'fuzz-b']) {
    const id = cli('accounts', 'create', '--name', name).id;
    const { key, id: keyId } = cli('keys', 'create', '--account', id, '--scopes', SCOPES);
    cli('wallet', 'topup', '--account', id, '--amount', '100000');
    cli('senders', 'approve', '--account', id, '--sender', 'HELLIO');
    accounts.push({ id, key, keyId });
  }
  const [a, b] = accounts;
  const password = 'fuzz-password-1234';
  cli('users', 'create', '--email', 'member@fuzz.example', '--password', password, '--account', a.id, '--role', 'owner');
  cli('users', 'create', '--email', 'operator@fuzz.example', '--password', password, '--operator');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = track(spawn(process.execPath, [hellio, 'api'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] }));
  let apiErr = '';
  api.stderr.setEncoding('utf8').on('data', (d) => (apiErr = (apiErr + d).slice(-4000)));
  let crashed = null;
  api.once('exit', (code, signal) => (crashed = { code, signal }));
  await waitFor(`${base}/healthz`);

  const signIn = async (email) => {
    const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    return { cookie, 'x-csrf-token': (await res.json()).csrf_token };
  };
  const auth = { key: { authorization: `Bearer ${a.key}` }, session: await signIn('member@fuzz.example'), operator: await signIn('operator@fuzz.example'), otherKey: { authorization: `Bearer ${b.key}` } };
  const own = [];
  const other = [b.id, b.keyId];
  for (const [acc, ids] of [
    [a, own],
    [b, other],
  ]) {
    const res = await fetch(`${base}/sms/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acc.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'HELLIO', to: ['+14155550101', '+14155550102'], message: 'seed' }),
    });
    const body = await res.json();
    ids.push(...body.messages.map((m) => m.id), ...(body.campaign_id ? [body.campaign_id] : []));
  }
  const ids = { accountId: a.id, otherAccountId: b.id, own, other };
  const spec = await (await fetch(`${base}/openapi.json`)).json();
  const ops = operations(spec);
  log(`${ops.length} operations; ${REQUESTS} requests, ${CONCURRENCY} at a time, seed ${SEED}, ${backend}`);

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // A kept-alive socket the server closed after its last answer (a parser error closes it, as it
  // should) can fail the next request sent on it before the server read a byte: that request is
  // sent again on a fresh connection, and counted apart (reset_on_reused_socket), not as unanswered.
  const sendOne = async (q) => {
    const first = await sendOnce(q, agent);
    if (!first.error || !first.reused) return first;
    counts.reset_on_reused_socket++;
    return sendOnce(q, false);
  };
  const sendOnce = (q, via) =>
    new Promise((res) => {
      const headers = { ...q.headers };
      if (q.body !== undefined) headers['content-length'] = Buffer.byteLength(q.body);
      let req;
      try {
        // Node refuses to write a raw non-ASCII path; app.inject sends it as is, a client would escape it.
        const path = q.url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
        req = http.request({ agent: via, host: '127.0.0.1', port, method: q.method, path, headers, timeout: TIMEOUT_MS }, (r) => {
          const chunks = [];
          r.on('data', (c) => chunks.push(c));
          r.once('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }));
          r.once('error', (e) => res({ error: e.code ?? e.message }));
        });
      } catch (e) {
        // The client refused to send it (a header value Node will not write): not the server's doing.
        res({ skipped: e.code ?? e.message });
        return;
      }
      req.once('timeout', () => req.destroy(new Error('no answer')));
      req.once('error', (e) => res({ error: e.code ?? e.message, reused: req.reusedSocket }));
      req.end(q.body);
    });

  /** Sends `count` requests of the seeded sequence through the pool; `only` (a set of indexes) replays a subset. */
  const runPhase = async (count, onAnswer, only = null) => {
    const r = prng(SEED);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const raw = RAW_EVERY > 0 && i % RAW_EVERY === RAW_EVERY - 1;
        // Generated in order whatever is sent, so that index i is the same request in every phase.
        const q = hostileRequest(r, ops[i % ops.length], auth, ids);
        if (only && !only.has(i)) continue;
        if (raw) {
          const [label, payload] = RAW[(i / RAW_EVERY) % RAW.length | 0];
          const ans = await rawRequest(port, payload);
          onAnswer(i, { method: 'RAW', url: label, headers: {}, body: undefined, label: `raw:${label}`, authKind: 'none', expectError: true }, ans);
        } else onAnswer(i, q, await sendOne(q));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };

  const statuses = {};
  const groups = new Map();
  const note = (kind, q, ans, why) => {
    const k = `${kind}: ${ans.status ?? ans.error} ${why ?? ''}`.trim();
    const g = groups.get(k) ?? { kind, n: 0, examples: [] };
    g.n++;
    if (g.examples.length < 3) g.examples.push(describeRequest(q, ans.status ?? 0, why ?? ans.error));
    groups.set(k, g);
  };
  const counts = { sent: 0, five_xx: 0, shed: 0, non_spec: 0, cross_tenant: 0, no_answer: 0, skipped: 0, reset_on_reused_socket: 0 };
  const errored = new Set();
  const t0 = Date.now();
  let lastLog = t0;
  await runPhase(REQUESTS, (i, q, ans) => {
    counts.sent++;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`${counts.sent} sent, ${counts.five_xx} 5xx, ${counts.non_spec} non-SPEC`);
    }
    if (ans.skipped) {
      counts.skipped++;
      return;
    }
    if (ans.error) {
      counts.no_answer++;
      note('no_answer', q, ans, ans.error);
      return;
    }
    statuses[ans.status] = (statuses[ans.status] ?? 0) + 1;
    const v = judge(ans.status, ans.headers, ans.body);
    if (v.fiveXX) {
      counts.five_xx++;
      // Grouped by the path's shape (ids and garbage alike become {…}), not by the request id in the body.
      note('five_xx', q, ans, q.url.split('?')[0].replace(/\/[^/]*%00[^/]*/g, '/{NUL}'));
    }
    if (v.shed) {
      counts.shed++;
      note('shed', q, ans, q.url.split('?')[0]);
    }
    if (v.nonSpec) {
      counts.non_spec++;
      note('non_spec', q, ans, v.why);
    }
    if (ans.status < 300 && q.authKind === 'valid' && q.method === 'GET' && !q.url.startsWith('/admin/') && other.some((id) => q.url.includes(id))) {
      counts.cross_tenant++;
      note('cross_tenant', q, ans, 'another account’s resource answered');
    }
    if (ans.status >= 400 && q.method !== 'RAW') errored.add(i);
  });
  const phase1S = (Date.now() - t0) / 1000;
  log(`phase 1: ${counts.sent} in ${phase1S.toFixed(0)} s; ${errored.size} answered an error`);

  let replay = null;
  if (!opt['no-replay'] && crashed === null) {
    const dbh = await openBenchDb(db.env);
    const wallets = async () => Object.fromEntries((await dbh.all('select id, balance_micros from accounts')).map((r) => [r.id, Number(r.balance_micros)]));
    const before = await rowCounts(dbh);
    const walletsBefore = await wallets();
    let flipped = 0;
    const flippedExamples = [];
    await runPhase(REQUESTS, (i, q, ans) => {
      if (ans.status !== undefined && ans.status < 400) {
        flipped++;
        if (flippedExamples.length < 5) flippedExamples.push(describeRequest(q, ans.status, 'succeeded when sent again'));
      }
    }, errored);
    const after = await rowCounts(dbh);
    const walletsAfter = await wallets();
    const walletChanges = Object.keys(walletsAfter).filter((k) => walletsAfter[k] !== walletsBefore[k]).length;
    await dbh.close();
    replay = { replayed: errored.size, flipped, flipped_examples: flippedExamples, tables_changed: countDiff(before, after), wallets_changed: walletChanges };
    log(`phase 2: replayed ${errored.size}; ${flipped} now succeeded; tables changed: ${JSON.stringify(replay.tables_changed)}; wallets changed: ${walletChanges}`);
  }
  agent.destroy();

  const result = {
    harness: 'bench/fuzz',
    date: new Date().toISOString(),
    machine: await machine(),
    backend,
    seed: SEED,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    operations: ops.length,
    duration_s: Number(phase1S.toFixed(1)),
    statuses,
    counts,
    server_crashed: crashed,
    rows_on_errors: replay,
    findings: [...groups.values()].sort((x, y) => y.n - x.n),
    server_stderr_tail: crashed ? apiErr : undefined,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `${backend}-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  const bad = counts.five_xx + counts.non_spec + counts.cross_tenant + counts.no_answer + (crashed ? 1 : 0) + (replay ? Object.keys(replay.tables_changed).length + replay.wallets_changed : 0);
  process.stdout.write(
    `\nbench/fuzz ${backend}: ${counts.sent} requests over ${ops.length} operations in ${phase1S.toFixed(0)} s\n` +
      `  statuses       ${JSON.stringify(statuses)}\n` +
      `  5xx            ${counts.five_xx}\n  shed (503 overloaded, Retry-After) ${counts.shed}\n  non-SPEC       ${counts.non_spec}\n  cross-tenant   ${counts.cross_tenant}\n  no answer      ${counts.no_answer}\n` +
      `  crashed        ${crashed ? JSON.stringify(crashed) : "no"}\n  resets on reused keep-alive sockets (sent again): ${counts.reset_on_reused_socket}\n` +
      (replay ? `  rows on errors ${JSON.stringify(replay.tables_changed)} (wallets changed ${replay.wallets_changed}; ${replay.replayed} replayed, ${replay.flipped} flipped)\n` : '') +
      [...groups.values()]
        .sort((x, y) => y.n - x.n)
        .slice(0, 15)
        .map((g) => `    ${String(g.n).padStart(6)}  ${g.kind}  e.g. ${g.examples[0].method} ${g.examples[0].url.slice(0, 80)} → ${g.examples[0].status} ${String(g.examples[0].why).slice(0, 80)}`)
        .join('\n') +
      `\n  results        ${file}\n`,
  );
  await guard.runCleanups();
  process.exit(bad === 0 ? 0 : 1);
}

main().catch(async (e) => {
  log(e.stack ?? String(e));
  await guard.runCleanups();
  process.exit(2);
});
