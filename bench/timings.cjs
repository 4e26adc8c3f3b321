// Where a request's time goes inside a Hellio process: a preload that subscribes to the
// diagnostics channels Hellio publishes on (packages/server/src/lib/timings.ts) and to Node's own
// HTTP server channels, in every thread of the process, and keeps histograms of
//   http                 request event → response finished, on the thread that serves HTTP
//   event-loop-delay     the thread's event loop delay (monitorEventLoopDelay, 1 ms resolution)
//   turn.wait, turn.hold a SQLite transaction waiting for the process's write turn, and holding it
//   wal-sync             a commit waiting for its WAL fdatasync
//   <batch>.wait         an item waiting for its group commit's batch to start (accept, sms.sent…)
//   <batch>.write        that batch's write: turn, transaction and sync
//   <batch>.items        items per batch
// A window ends at each SIGUSR2 the process gets: every thread then writes what it saw since the
// previous one to BENCH_TIMINGS_DIR/timings-<pid>-<thread>-<window>.json and starts afresh
// (bench/e2e sends one before and one after its open loop). Percentiles in milliseconds.
//
//   NODE_OPTIONS="--require ./bench/timings.cjs" BENCH_TIMINGS_DIR=/tmp/t node packages/server/bin/hellio.js start
const diagnostics = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { createHistogram, monitorEventLoopDelay } = require('node:perf_hooks');
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');

const dir = process.env.BENCH_TIMINGS_DIR;
if (dir) {
  // Histograms hold integers: microseconds.
  const histograms = new Map();
  const histogram = (name) => {
    let h = histograms.get(name);
    if (!h) histograms.set(name, (h = createHistogram()));
    return h;
  };
  const record = (name, ms) => histogram(name).record(Math.max(1, Math.round(ms * 1000)));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  diagnostics.subscribe('hellio:store.write-turn', ({ waitMs, holdMs }) => {
    record('turn.wait', waitMs);
    record('turn.hold', holdMs);
  });
  diagnostics.subscribe('hellio:store.wal-sync', ({ ms }) => record('wal-sync', ms));
  diagnostics.subscribe('hellio:group-commit.batch', ({ name, waitsMs, writeMs }) => {
    for (const w of waitsMs) record(`${name}.wait`, w);
    record(`${name}.write`, writeMs);
    histogram(`${name}.items`).record(waitsMs.length);
  });
  const started = new WeakMap();
  diagnostics.subscribe('http.server.request.start', ({ request }) => started.set(request, performance.now()));
  diagnostics.subscribe('http.server.response.finish', ({ request }) => {
    const t = started.get(request);
    if (t !== undefined) record('http', performance.now() - t);
  });

  const summary = (name, h) => {
    // Counts (items per batch) are kept as they are; times were recorded in microseconds.
    const scale = name.endsWith('.items') ? 1 : 1 / 1000;
    const at = (p) => Number((h.percentile(p) * scale).toFixed(2));
    return { n: h.count, p50: at(50), p90: at(90), p99: at(99), max: Number((h.max * scale).toFixed(2)) };
  };
  let window = 0;
  const mark = () => {
    window++;
    const out = { pid: process.pid, thread: threadId, window };
    const entries = [...histograms].filter(([, h]) => h.count > 0).sort(([a], [b]) => a.localeCompare(b));
    for (const [name, h] of entries) {
      out[name] = summary(name, h);
      h.reset();
    }
    // The loop's histogram is in nanoseconds.
    out['event-loop-delay'] = { p50: Number((loop.percentile(50) / 1e6).toFixed(2)), p99: Number((loop.percentile(99) / 1e6).toFixed(2)), max: Number((loop.max / 1e6).toFixed(2)) };
    loop.reset();
    writeFileSync(`${dir}/timings-${process.pid}-${threadId}-${window}.json`, `${JSON.stringify(out, null, 1)}\n`);
  };
  // Signals reach the main thread only; it passes each mark on to the others.
  const marks = new BroadcastChannel('hellio-bench-timings');
  marks.unref();
  if (isMainThread) {
    process.on('SIGUSR2', () => {
      marks.postMessage('mark');
      mark();
    });
  } else {
    marks.onmessage = () => mark();
  }
}
