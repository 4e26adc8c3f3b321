// bench/voice: how many concurrent calls one process carries through SipTrunk, and what a call
// costs in CPU, against sipp as the far end.
//
//   npm run bench:voice
//   BENCH_VOICE_N=10,50,100 BENCH_VOICE_SPEECH_S=20 npm run bench:voice
//
// For each N: a sipp UAS (test/fixtures/sipp/uas-answer.xml, -m N) whose SDP points at a capture
// child (capture.mjs, its own process, so its work is not in our CPU figure); N calls placed at
// once through one SipTrunk, each ~BENCH_VOICE_SPEECH_S seconds of a tone in one pass. Recorded:
// CPU time of this process (process.cpuUsage) per call and per call-second of audio; the
// sender's own lateness against each frame's due time (SipTrunk.mediaStats()); and the spacing
// the capture saw (share of gaps within 20 ± 1 ms and ± 2 ms, worst gap). Sending "breaks down"
// at the first N where fewer than 95 % of a stream's send gaps are within 20 ± 1 ms (measured
// where they leave, SipTrunk.mediaStats()) or a call does not complete.
import { fork, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = resolve(HERE, '../../packages/server');
const { SipTrunk } = await import(join(SERVER, 'src/providers/voice/sip-trunk.ts'));

const NS = (process.env.BENCH_VOICE_N ?? '10,25,50,100,200').split(',').map(Number);
const SPEECH_S = Number(process.env.BENCH_VOICE_SPEECH_S ?? 20);
const SIPP = process.env.SIPP ?? '/usr/bin/sipp';

function freeUdpPort() {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function tone(seconds) {
  const n = Math.round(seconds * 8000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
}

function share(hist, withinMs) {
  const total = hist.reduce((a, b) => a + b, 0);
  let n = 0;
  for (let i = 0; i <= Math.min(1000, withinMs * 10); i++) n += hist[i];
  return total ? n / total : 1;
}

function percentile(hist, p) {
  const total = hist.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= total * p) return i / 10;
  }
  return hist.length / 10;
}

async function runOnce(n, speech) {
  const capture = fork(join(HERE, 'capture.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const capPort = await new Promise((res) => capture.once('message', (m) => res(m.port)));
  const sipPort = await freeUdpPort();
  const sipp = spawn(
    SIPP,
    ['-sf', join(SERVER, 'test/fixtures/sipp/uas-answer.xml'), '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(await freeUdpPort()), '-cp', String(await freeUdpPort()),
      '-m', String(n), '-nostdin', '-timeout', `${SPEECH_S + 60}s`, '-set', 'media_ip', '127.0.0.1', '-set', 'media_port', String(capPort), '-set', 'formats', '0 101',
      '-max_socket', String(Math.max(64, n * 2))],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const sippDone = new Promise((res) => sipp.once('exit', (code) => res(code)));
  await new Promise((r) => setTimeout(r, 500));
  const trunk = new SipTrunk({ name: 'bench', url: `sip:bench:x@127.0.0.1:${sipPort}` });
  await trunk.open();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      trunk.call({
        callId: `call_bench_${i}`,
        to: `+1555000${String(i).padStart(4, '0')}`,
        from: null,
        speech,
        repeat: 1,
        pauseMs: 0,
        ringTimeoutMs: 30_000,
        timeLimitMs: (SPEECH_S + 30) * 1000,
        signal: new AbortController().signal,
        onProgress: () => {},
      }),
    ),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const media = trunk.mediaStats();
  await trunk.close();
  capture.send({ type: 'stop' });
  const cap = await new Promise((res) => capture.once('message', res));
  const sippCode = await sippDone;
  const completed = outcomes.filter((o) => o.status === 'completed').length;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    n,
    completed,
    sippCode,
    wallS: wall / 1000,
    cpuMsPerCall: cpuMs / n,
    cpuPctOfCore: (cpuMs / wall) * 100,
    senderWithin1: share(media.latenessHistogram, 1),
    sendGapsWithin1: share(media.gapDeviationHistogram, 1),
    senderP50: percentile(media.latenessHistogram, 0.5),
    senderP99: percentile(media.latenessHistogram, 0.99),
    senderMax: media.maxLatenessMs,
    frames: media.framesSent,
    captured: cap.packets,
    within1: share(cap.deviation, 1),
    within2: share(cap.deviation, 2),
    worstGapDev: cap.maxDeviation,
    load1: loadavg()[0],
  };
}

const speech = tone(SPEECH_S);
console.log(`voice bench: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${SPEECH_S} s of speech per call`);
// Warm-up (JIT, module loading), not reported.
await runOnce(5, tone(2));
const rows = [];
for (const n of NS) {
  const r = await runOnce(n, speech);
  rows.push(r);
  console.log(JSON.stringify(r));
}
console.log('');
console.log('  calls | completed | CPU ms/call | CPU ms/call-s | CPU % of a core | send gaps 20±1 ms | sent ≤1 ms late | sender late p50/p99/max ms | gaps 20±1 ms | gaps 20±2 ms | worst gap dev ms | frames sent/captured | load');
for (const r of rows) {
  console.log(
    `  ${String(r.n).padStart(5)} | ${String(r.completed).padStart(9)} | ${r.cpuMsPerCall.toFixed(1).padStart(11)} | ${(r.cpuMsPerCall / SPEECH_S).toFixed(2).padStart(13)} | ${r.cpuPctOfCore.toFixed(1).padStart(15)} | ${(r.sendGapsWithin1 * 100).toFixed(1).padStart(16)}% | ${(r.senderWithin1 * 100).toFixed(1).padStart(14)}% | ${`${r.senderP50.toFixed(1)}/${r.senderP99.toFixed(1)}/${r.senderMax.toFixed(1)}`.padStart(26)} | ${(r.within1 * 100).toFixed(1).padStart(11)}% | ${(r.within2 * 100).toFixed(1).padStart(11)}% | ${r.worstGapDev.toFixed(1).padStart(16)} | ${`${r.frames}/${r.captured}`.padStart(20)} | ${r.load1.toFixed(2)}`,
  );
}
const broken = rows.find((r) => r.sendGapsWithin1 < 0.95 || r.completed < r.n);
console.log(broken ? `\nsending breaks down at ${broken.n} concurrent calls (fewer than 95 % of a stream's send gaps within 20 ± 1 ms, or calls not completed)` : '\nsending held its spacing at every N tried');
console.log('(the capture columns also carry the capture process\'s own scheduling delays on this machine; "load" is the 1-minute load average after the run)');
