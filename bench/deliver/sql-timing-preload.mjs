// Preloaded into `hellio worker` by BENCH_SQL_TIMING=1 (node --import): times every SQLite
// statement the process runs (better-sqlite3 is synchronous, so the wall time of a call is the
// statement's cost on the event loop, fsync of a COMMIT included) and prints the heaviest
// statement shapes to stderr when the process exits. A measuring aid, not part of Hellio.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = require('better-sqlite3');
const stats = new Map();
const prepare = Database.prototype.prepare;
// BENCH_WAL_AUTOCHECKPOINT=<pages> (an experiment): how much of the commits' time is the WAL
// checkpoint SQLite runs inside a commit once the WAL passes 1,000 pages.
const autocheckpoint = process.env.BENCH_WAL_AUTOCHECKPOINT;
// BENCH_SQLITE_SYNC_FULL=1 (an experiment): `synchronous = FULL` again, the fsync inside COMMIT on
// the event loop, to compare with store/wal-sync.ts (the fsync on the thread pool).
const syncFull = process.env.BENCH_SQLITE_SYNC_FULL === '1';
const tuned = new WeakSet();
Database.prototype.prepare = function (text) {
  if (!tuned.has(this)) {
    tuned.add(this);
    if (autocheckpoint) this.pragma(`wal_autocheckpoint = ${Number(autocheckpoint)}`);
    if (syncFull) this.pragma('synchronous = FULL');
  }
  const stmt = prepare.call(this, text);
  // Shapes, not texts: IN-lists and multi-row VALUES of any length count as one.
  const key = text.replace(/\?(, ?\?)+/g, '?…').replace(/\(\?…\)(, ?\(\?…\))+/g, '(?…)…').slice(0, 110);
  for (const m of ['run', 'all', 'get', 'iterate']) {
    const orig = stmt[m];
    stmt[m] = function (...args) {
      const t = process.hrtime.bigint();
      try {
        return orig.apply(this, args);
      } finally {
        const s = stats.get(key) ?? { n: 0, ns: 0n };
        s.n++;
        s.ns += process.hrtime.bigint() - t;
        stats.set(key, s);
      }
    };
  }
  return stmt;
};
process.on('exit', () => {
  const rows = [...stats].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, 25);
  const total = [...stats.values()].reduce((a, s) => a + s.ns, 0n);
  process.stderr.write(`sql-timing: ${(Number(total) / 1e6).toFixed(0)} ms in statements\n`);
  for (const [k, s] of rows) {
    process.stderr.write(`sql-timing: ${(Number(s.ns) / 1e6).toFixed(0).padStart(7)} ms ${String(s.n).padStart(7)} × ${(Number(s.ns) / 1e3 / s.n).toFixed(1).padStart(8)} µs  ${k}\n`);
  }
});
