// Summarises a .cpuprofile (node --cpu-prof, e.g. from BENCH_CPU_PROF=<dir> npm run bench:deliver):
// self time by function and by where the code lives, and total (inclusive) time of Hellio's own
// functions (its sources, or the bundle that `hellio` runs).
//
//   node bench/deliver/profile-summary.mjs <file.cpuprofile> [--top 25] [--skip-s 1.5]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, 'skip-s': { type: 'string', default: '0' } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/deliver/profile-summary.mjs <file.cpuprofile> [--top 25] [--skip-s 1.5]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
// --skip-s: leave out the first seconds (process start, module loading) to see the steady state.
{
  const skipUs = Number(values['skip-s']) * 1e6;
  let t = 0;
  let first = 0;
  while (first < profile.samples.length && t < skipUs) t += profile.timeDeltas[first++] ?? 0;
  profile.samples = profile.samples.slice(first);
  profile.timeDeltas = profile.timeDeltas.slice(first);
}
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(url) {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const s = /packages\/server\/src\/(.+)$/.exec(url);
  if (s) return `src/${s[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url.replace(/^file:\/\//, '');
}
const label = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
};

const byFn = new Map();
const byPlace = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  byFn.set(label(n), (byFn.get(label(n)) ?? 0) + us);
  const place = where(n.callFrame.url).replace(/^src\/([^/]+)\/.*/, 'src/$1');
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
}

// Inclusive time of Hellio's functions, in its sources or its bundle (each sample counted once per function).
const inclusive = new Map();
profile.samples.forEach((id, i) => {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = nodes.get(cur);
    if (!/packages\/server\/(src|dist)\//.test(n.callFrame.url)) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
});

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
};
process.stdout.write(`${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by function', byFn, top);
print('self time by place', byPlace, top);
print("inclusive time, Hellio's functions", inclusive, top);
