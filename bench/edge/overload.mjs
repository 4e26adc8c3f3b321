// bench/edge/overload.mjs — the HTTP edge under overload (issue 15): `hellio api` on SQLite,
// OVERLOAD_CONNECTIONS (500) autocannon connections sending POST /sms/send as fast as they can for
// OVERLOAD_DURATION_S (15): with the default in-flight cap, with it and shedding on an event-loop
// delay over 100 ms (HELLIO_HTTP_MAX_EVENT_LOOP_DELAY_MS), and with no cap at all. Meanwhile a fresh client opens a new
// connection every 500 ms and times one request (what a newcomer waits), and the server's RSS is
// sampled. Prints one JSON document; docs/reliability.md quotes it.
//
//   node bench/edge/overload.mjs
import { join } from 'node:path';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { autocannonRun, benchAccount, childGuard, freePort, loadSummary, machine, percentiles, sampleRss, stopChild, throwawayDatabase, waitFor } from '../lib.mjs';

const hellioBin = join(import.meta.dirname, '../../packages/server/bin/hellio.js');
const connections = Number(process.env.OVERLOAD_CONNECTIONS ?? 500);
const duration = Number(process.env.OVERLOAD_DURATION_S ?? 15);
const guard = childGuard('bench:edge');

/** One POST /sms/send on a connection of its own: its status (0: no answer) and milliseconds. */
function freshRequest(port, key) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/sms/send', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(JSON.stringify({ from: 'HELLIO', to: '+14155550100', message: 'fresh' }));
  });
}

const results = { machine: await machine(), connections, duration_s: duration, variants: {} };
for (const [name, extraEnv] of [
  ['default cap (256 in flight)', {}],
  ['default cap + event-loop delay 100 ms', { HELLIO_HTTP_MAX_EVENT_LOOP_DELAY_MS: '100' }],
  ['no cap', { HELLIO_HTTP_MAX_IN_FLIGHT: '1000000', HELLIO_HTTP_MAX_CONNECTIONS: '1000000' }],
]) {
  const db = await throwawayDatabase('sqlite', 'edge');
  guard.onCleanup(db.drop);
  const env = { ...process.env, ...db.env, HELLIO_RATE_LIMIT_PER_MINUTE: '1000000000', HELLIO_LOG_LEVEL: 'warn', ...extraEnv };
  const { key } = await benchAccount(hellioBin, env, 'sms:send');
  const port = await freePort();
  const api = guard.track(spawn(process.execPath, [hellioBin, 'api'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' }));
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const rss = sampleRss(api.pid, 250);
  const fresh = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      fresh.push(await freshRequest(port, key));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const load = await autocannonRun({
    url: `http://127.0.0.1:${port}/sms/send`,
    method: 'POST',
    connections,
    duration,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'HELLIO', to: '+14155550100', message: 'load' }),
  });
  probing = false;
  await prober;
  await new Promise((r) => setTimeout(r, 5000));
  const samples = rss.stop();
  await stopChild(api);
  results.variants[name] = {
    load: { ...loadSummary(load), status_503: load.statusCodeStats?.['503']?.count ?? 0 },
    fresh_requests: {
      count: fresh.length,
      statuses: fresh.reduce((m, f) => ({ ...m, [f.status]: (m[f.status] ?? 0) + 1 }), {}),
      ms: percentiles(fresh.map((f) => f.ms)),
    },
    rss_mib: { start: samples[0]?.rss_mib, peak: Math.max(...samples.map((s) => s.rss_mib)), end_5s_after: samples.at(-1)?.rss_mib },
  };
  guard.log(`${name}: ${JSON.stringify(results.variants[name])}`);
}
await guard.runCleanups();
console.log(JSON.stringify(results, null, 2));
