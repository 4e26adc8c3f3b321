// bench/startup: how long a `hellio` process takes before it does anything, and how many ES
// modules it loads on the way (under Node 20 each one crosses to tsx's loader thread and back).
// Every CLI command pays this, and the test suite spawns the CLI a few hundred times.
//
//   npm run bench:startup
//   BENCH_BASELINE_ROOT=/path/to/other/checkout npm run bench:startup     # before/after, one run
//
// Per tree, on one throwaway SQLite data directory (migrated by a first command, not timed):
//   help          `hellio --help`
//   command       `hellio accounts list --json` (opens the runtime, reads, closes)
//   serve-ready   `hellio start` until /healthz answers (then SIGTERM)
// Each is run BENCH_RUNS times (default 9; serve-ready a third of that), the trees alternating
// run by run so that the machine's drift falls on both; the median and the minimum are reported.
// `modules` is the ES modules the command loaded, counted by a module hook of this script's own.
// Results: bench/startup/results/<time>.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childGuard, freePort, machine, stopChild, waitFor } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);
const trees = [['this', resolve(here, '../..')]];
if (process.env.BENCH_BASELINE_ROOT) trees.unshift(['baseline', resolve(process.env.BENCH_BASELINE_ROOT)]);
const guard = childGuard('startup');
const scratch = mkdtempSync(join(tmpdir(), 'hellio-bench-startup-'));
guard.onCleanup(async () => rmSync(scratch, { recursive: true, force: true }));

// A module hook that writes one line per ES module loaded to fd 3 (the count, not the timing:
// the hook itself adds a round trip per module).
const counter = join(scratch, 'count-hook.mjs');
writeFileSync(counter, "import { writeSync } from 'node:fs';\nexport async function load(u, c, next) { writeSync(3, 'm\\n'); return next(u, c); }\n");
const register = join(scratch, 'count-register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${counter}`)});\n`);

const bin = (root) => join(root, 'packages/server/bin/hellio.js');
const envFor = (dir) => ({ ...cleanEnv(), HELLIO_DATA_DIR: dir, HELLIO_LOG_LEVEL: 'warn' });

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(HELLIO_|DATABASE_URL$|REDIS_URL$|PORT$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return env;
}

/** Milliseconds one command takes, start to exit. */
function timeCommand(root, dir, args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin(root), ...args], { env: envFor(dir), stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

/** ES modules the command loads. */
function countModules(root, dir, args) {
  const r = spawnSync(process.execPath, ['--import', register, bin(root), ...args], { env: envFor(dir), stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  return r.output[3].toString().split('\n').filter(Boolean).length;
}

/** Milliseconds from spawning `hellio start` to its first /healthz answer. */
async function timeServeReady(root, dir) {
  const port = await freePort();
  const t = performance.now();
  const child = guard.track(spawn(process.execPath, [bin(root), 'start'], { env: { ...envFor(dir), PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' }));
  await waitFor(`http://127.0.0.1:${port}/healthz`, 600);
  const ms = performance.now() - t;
  await stopChild(child);
  return ms;
}

const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median_ms: Math.round(s[Math.floor((s.length - 1) / 2)]), min_ms: Math.round(s[0]), runs: s.length };
};

const phases = {
  help: { args: ['--help'] },
  command: { args: ['accounts', 'list', '--json'] },
};
const result = { date: new Date().toISOString(), machine: await machine(), trees: {} };
const dirs = new Map();
for (const [name, root] of trees) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  timeCommand(root, dir, ['migrate']);
  dirs.set(name, dir);
  result.trees[name] = { root, modules: {} };
  for (const [phase, { args }] of Object.entries(phases)) result.trees[name].modules[phase] = countModules(root, dir, args);
}
for (const [phase, { args }] of Object.entries(phases)) {
  const times = new Map(trees.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, root] of trees) times.get(name).push(timeCommand(root, dirs.get(name), args));
  for (const [name] of trees) result.trees[name][phase] = summary(times.get(name));
}
const serveTimes = new Map(trees.map(([name]) => [name, []]));
for (let i = 0; i < Math.max(1, Math.round(runs / 3)); i++) for (const [name, root] of trees) serveTimes.get(name).push(await timeServeReady(root, dirs.get(name)));
for (const [name] of trees) result.trees[name]['serve-ready'] = summary(serveTimes.get(name));
if (result.trees.baseline) {
  result.ratios = Object.fromEntries(['help', 'command', 'serve-ready'].map((p) => [`${p}_this_vs_baseline`, Number((result.trees.this[p].median_ms / result.trees.baseline[p].median_ms).toFixed(2))]));
}

mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `${result.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
for (const [name] of trees) {
  const t = result.trees[name];
  console.log(
    `${name.padEnd(9)} help ${t.help.median_ms} ms (min ${t.help.min_ms}, ${t.modules.help} modules)  ` +
      `command ${t.command.median_ms} ms (min ${t.command.min_ms}, ${t.modules.command} modules)  serve-ready ${t['serve-ready'].median_ms} ms`,
  );
}
if (result.ratios) console.log('ratios (this / baseline):', JSON.stringify(result.ratios));
console.log(`results: ${file}`);
await guard.runCleanups();
process.exit(0);
