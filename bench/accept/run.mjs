// bench/accept: POST /sms/send through the whole pipeline (authentication, allowlist, scope,
// rate limit, idempotency, validation, caps, debit, message, event, job — durable: SQLite WAL
// with synchronous=FULL, or PostgreSQL) beside a bare Fastify hello-world, in the same run.
//
//   npm run bench:accept                      # SQLite
//   BENCH_BACKEND=postgres npm run bench:accept
//   BENCH_DURATION=20 BENCH_CONNECTIONS=100 npm run bench:accept
//
// Only the ratio between the two figures means much on a shared 2-core machine.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchAccount, freePort, machine, throwawayDatabase, waitFor } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const hellio = join(root, 'packages/server/bin/hellio.js');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const backend = process.env.BENCH_BACKEND ?? 'sqlite';

function load(opts) {
  return new Promise((res, rej) => {
    autocannon({ connections, duration, ...opts }, (err, result) => (err ? rej(err) : res(result)));
  });
}

function summary(r) {
  return {
    requests_per_second: Math.round(r.requests.average),
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

async function benchHello() {
  const port = await freePort();
  const child = fork(join(here, 'hello.mjs'), { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  await new Promise((r) => child.once('message', r));
  await load({ url: `http://127.0.0.1:${port}/`, duration: 2 }); // warm-up
  const r = await load({ url: `http://127.0.0.1:${port}/` });
  child.kill();
  return summary(r);
}

async function benchAccept() {
  const db = await throwawayDatabase(backend, 'accept');
  const env = { ...process.env, ...db.env, HELLIO_RATE_LIMIT_PER_MINUTE: '100000000' };
  const { key } = await benchAccount(hellio, env, 'sms:send');

  const port = await freePort();
  // The API alone: `hellio start` would also run the delivery workers, which deliver what is
  // accepted while it is measured (bench/deliver measures them).
  const server = spawn(process.execPath, [hellio, 'api'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const request = {
    url: `http://127.0.0.1:${port}/sms/send`,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'HELLIO', to: '+14155552671', message: 'Your code is 123456' }),
  };
  await load({ ...request, duration: 2 }); // warm-up
  const r = await load(request);
  server.kill('SIGTERM');
  await new Promise((res) => server.once('exit', res));
  await db.drop();
  return summary(r);
}

const hello = await benchHello();
const accept = await benchAccept();
const result = {
  date: new Date().toISOString(),
  machine: await machine(),
  backend,
  duration_s: duration,
  connections,
  fastify_hello: hello,
  sms_send: accept,
  ratio_sms_send_to_hello: Number((accept.requests_per_second / hello.requests_per_second).toFixed(3)),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', `${backend}-${result.date.slice(0, 19).replace(/:/g, '')}.json`), `${JSON.stringify(result, null, 2)}\n`);
