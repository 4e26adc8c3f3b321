// Times every better-sqlite3 statement a process runs, by its SQL text, and writes a table of
// them (total, count, mean, how many took over 1 and 5 ms, the longest) every 3 s and at exit:
// one file per process and thread, `statements-<pid>-<thread>.txt` in BENCH_STATEMENTS_DIR (or
// the system's temporary folder). A preload for any bench that starts Hellio processes:
//
//   NODE_OPTIONS="--require ./bench/sqlite-statements.cjs" BENCH_SKIP=hello,kannel,api,hello-again,scale npm run bench:e2e
//
// How docs/performance.md's per-statement figures were taken. The timing wraps the statement's
// call only (the JavaScript around it is not counted); the >1 ms counts include the thread being
// descheduled mid-statement, which a loaded two-core machine does.
const { writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { threadId } = require('node:worker_threads');

const Database = require(require.resolve('better-sqlite3', { paths: [join(__dirname, '../packages/server')] }));
const dir = process.env.BENCH_STATEMENTS_DIR || tmpdir();
const stats = new Map();

function record(text, ms) {
  const key = text.replace(/\s+/g, ' ').slice(0, 160);
  let s = stats.get(key);
  if (!s) stats.set(key, (s = { n: 0, total: 0, over1: 0, over5: 0, max: 0 }));
  s.n++;
  s.total += ms;
  if (ms > 1) s.over1++;
  if (ms > 5) s.over5++;
  if (ms > s.max) s.max = ms;
}

// Statements are native objects sharing one prototype: wrap its methods once, at the first prepare.
let wrapped = false;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (text) {
  const stmt = prepare.call(this, text);
  if (!wrapped) {
    wrapped = true;
    const proto = Object.getPrototypeOf(stmt);
    for (const method of ['run', 'all', 'get', 'iterate']) {
      const original = proto[method];
      proto[method] = function (...args) {
        const t0 = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          record(this.source, performance.now() - t0);
        }
      };
    }
  }
  return stmt;
};
const exec = Database.prototype.exec;
Database.prototype.exec = function (text) {
  const t0 = performance.now();
  try {
    return exec.call(this, text);
  } finally {
    record(text, performance.now() - t0);
  }
};

function write() {
  if (stats.size === 0) return;
  const rows = [...stats].sort((a, b) => b[1].total - a[1].total).slice(0, 40);
  const lines = rows.map(
    ([text, s]) =>
      `${s.total.toFixed(0).padStart(7)} ms ${String(s.n).padStart(8)} × ${((1000 * s.total) / s.n).toFixed(1).padStart(7)} µs  >1ms ${s.over1} >5ms ${s.over5} max ${s.max.toFixed(1)}  ${text}`,
  );
  writeFileSync(join(dir, `statements-${process.pid}-${threadId}.txt`), `${lines.join('\n')}\n`);
}
process.on('exit', write);
// A worker thread may end without 'exit' reaching this: write as it goes.
setInterval(write, 3000).unref();
