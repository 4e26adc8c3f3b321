// Helpers the bench scripts share.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Resolves once `url` answers 2xx (a child server is up); throws after ~`tries` × 100 ms. */
export async function waitFor(url, tries = 300) {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/**
 * A throwaway database for one bench run: a temp directory (SQLite), or a fresh PostgreSQL
 * database on BENCH_PG_URL. `dir` is a scratch directory either way (logs, profiles).
 */
export async function throwawayDatabase(backend, tag) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), `hellio-bench-${tag}-`));
  if (backend === 'sqlite') return { env: { HELLIO_DATA_DIR: dir }, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const { default: pg } = await import('pg');
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `hellio_bench_${tag}_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    dir,
    url: url.toString(),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

/** An account with a key of these scopes, a large balance and the HELLIO sender, made with the CLI. */
export async function benchAccount(hellioBin, env, scopes, senders = ['HELLIO']) {
  const { execFileSync } = await import('node:child_process');
  const cli = (...args) => JSON.parse(execFileSync(process.execPath, [hellioBin, ...args, '--json'], { env }).toString());
  const account = cli('accounts', 'create', '--name', 'bench').id;
  const { key } = cli('keys', 'create', '--account', account, '--scopes', scopes);
  cli('wallet', 'topup', '--account', account, '--amount', '100000000');
  for (const s of senders) cli('senders', 'approve', '--account', account, '--sender', s);
  return { account, key };
}

/** The machine, for the results file. */
export async function machine() {
  const { cpus, totalmem, release, loadavg } = await import('node:os');
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    // What else was running when the figures were taken (the machine is shared).
    load_average_1m: Number(loadavg()[0].toFixed(2)),
  };
}

// ---- child processes that die with the bench (also on Ctrl-C) ----

/**
 * A registry of the bench's child processes and clean-up steps. On normal exit every child still
 * running is SIGKILLed; on SIGINT/SIGTERM the clean-ups (dropping throwaway databases) run first.
 * Children are spawned in our process group, so a terminal's Ctrl-C reaches them too; the
 * explicit kill covers `kill <pid>` of the bench alone.
 */
export function childGuard(tag) {
  const children = new Set();
  const cleanups = [];
  const log = (line) => process.stderr.write(`[${tag}] ${line}\n`);
  const killAll = () => {
    for (const c of children) {
      try {
        c.kill('SIGKILL');
      } catch {}
    }
  };
  process.on('exit', killAll);
  const guard = { interrupted: false };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      guard.interrupted = true;
      log(`${signal}: stopping children`);
      killAll();
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
      process.exit(130);
    });
  }
  return Object.assign(guard, {
    log,
    track(child) {
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    /** Runs `fn` at the end (`runCleanups`) or on interruption; returns a handle to run it early. */
    onCleanup(fn) {
      let done = false;
      const once = async () => {
        if (done) return;
        done = true;
        await fn();
      };
      cleanups.push(once);
      return once;
    },
    async runCleanups() {
      for (const c of cleanups.splice(0).reverse()) await c().catch((e) => log(`clean-up failed: ${e.message}`));
    },
  });
}

/** Stops a child: `signal`, then SIGKILL after `graceMs`. */
export async function stopChild(child, signal = 'SIGTERM', graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

// ---- load ----

/** One autocannon run, resolved with its result (and the instance's per-second counts). */
export async function autocannonRun(opts) {
  const { default: autocannon } = await import('autocannon');
  return new Promise((res, rej) => {
    const perSecond = [];
    const inst = autocannon(opts, (err, result) => (err ? rej(err) : res({ ...result, perSecond })));
    inst.on('tick', (t) => perSecond.push(t.counter));
  });
}

/** The figures of an autocannon result worth keeping: the rate is 2xx answers over the run's time. */
export function loadSummary(r) {
  return {
    requests_per_second: Math.round(r['2xx'] / r.duration),
    answered_2xx: r['2xx'],
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    duration_s: Number(r.duration.toFixed(2)),
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
  };
}

/** p50, p90, p99, p99.9 and max of a list of numbers, rounded to 0.01. */
export function percentiles(values) {
  const s = Float64Array.from(values).sort();
  const at = (q) => (s.length ? Number(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)].toFixed(2)) : null);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p99_9: at(0.999), max: s.length ? Number(s[s.length - 1].toFixed(2)) : null };
}

/**
 * An open-loop load at a fixed rate: request k is due at start + k / rate whatever happened to
 * the ones before (up to `connections` keep-alive sockets; the rest wait in the agent's queue), and
 * its latency counts from when it was due, so a stall shows in the figures instead of slowing the
 * sender down (autocannon's rate option sends each connection's quota in a burst at the start of
 * every second, which measures bursts, not a steady rate). `request()` gives each request's
 * headers and body. Resolves once every request has been answered.
 */
export async function pacedLoad({ url, method = 'POST', request, rate, durationS, connections, agent: given }) {
  const http = await import('node:http');
  const u = new URL(url);
  const agent = given ?? new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.max(1, Math.round(rate * durationS));
  const latencies = new Float64Array(total);
  let answered = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const settle = (i, dueAt, good) => {
      latencies[i] = performance.now() - dueAt;
      if (good === true) ok++;
      else if (good === false) non2xx++;
      else errors++;
      if (++answered === total) resolve();
    };
    const fire = (i) => {
      const dueAt = start + (i * 1000) / rate;
      const { headers, body } = request(i);
      const req = http.request(
        { agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.once('end', () => settle(i, dueAt, res.statusCode >= 200 && res.statusCode < 300));
        },
      );
      req.once('error', () => settle(i, dueAt, null));
      req.end(body);
    };
    let sent = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  if (!given) agent.destroy();
  return {
    target_rate: rate,
    sent: total,
    answered_2xx: ok,
    non_2xx: non2xx,
    errors,
    achieved_rate: Math.round(ok / elapsed),
    latency_ms_from_due_time: percentiles(latencies),
  };
}

// ---- memory ----

/** The resident set of a process in MiB (VmRSS of /proc/<pid>/status), or null once it is gone. */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number((Number(m[1]) / 1024).toFixed(1)) : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs`; `stop()` returns [{ t_s, rss_mib }]. */
export function sampleRss(pid, everyMs) {
  const t0 = performance.now();
  const samples = [];
  const take = () => {
    const rss = rssMiB(pid);
    if (rss !== null) samples.push({ t_s: Number(((performance.now() - t0) / 1000).toFixed(1)), rss_mib: rss });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Least-squares slope of y over x, in y per x unit. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? null : (n * sxy - sx * sy) / d;
}

/**
 * `hellio api` on a free loopback port with `env`, once its /healthz answers, and `post(path,
 * body)` with the key; `track` registers the child with the caller's cleanup.
 */
export async function startApi(hellioBin, env, key, track = (child) => child) {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const api = track(spawn(process.execPath, [hellioBin, 'api'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' }));
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const post = async (path, body) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { api, post };
}
