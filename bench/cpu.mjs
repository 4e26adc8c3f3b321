// CPU time of processes, off Linux's /proc: what bench/e2e divides by the messages a phase
// answered (its cpu_* ratios). Test: packages/server/test/unit/bench-cpu.test.ts.
import { readdirSync, readFileSync } from 'node:fs';

// Linux counts a process's CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`; 100 on every
// Linux on x86-64 and arm64: the kernel's USER_HZ, fixed by its ABI).
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) off a /proc stat file: a process's (every thread) or one thread's; null once gone. */
function cpuOfStat(file) {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND; // utime, stime: fields 14, 15 of proc(5)
  } catch {
    return null;
  }
}

/** CPU seconds each of `pids` has used so far. */
function cpuByPid(pids) {
  const used = new Map();
  for (const pid of pids) {
    const s = cpuOfStat(`/proc/${pid}/stat`);
    if (s !== null) used.set(pid, s);
  }
  return used;
}

/** CPU seconds each thread of process `pid` has used so far, by thread id. */
function cpuByThread(pid) {
  const used = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // gone
  }
  for (const tid of tids) {
    const s = cpuOfStat(`/proc/${pid}/task/${tid}/stat`);
    if (s !== null) used.set(Number(tid), s);
  }
  return used;
}

/**
 * Starts counting the CPU time of the processes `pids()` names (asked again at the end, so that a
 * process started meanwhile counts whole); `stop()` answers the seconds used since. A process that
 * ends in between is not counted. Divided by the messages a load answered, it says what a message
 * costs, which throughput hides when the work waits (on a disk, a lock, a slow peer) rather than
 * computes; a shared machine's neighbours move it too (docs/performance.md, eighth round).
 */
export function cpuMeter(pids) {
  const before = cpuByPid(pids());
  return {
    stop() {
      let s = 0;
      for (const [pid, used] of cpuByPid(pids())) s += used - (before.get(pid) ?? 0);
      return s;
    },
  };
}

/**
 * Starts counting the CPU time of each thread of process `pid`; `stop()` answers the seconds
 * since, as the main thread's (the one whose id is the pid: a Node process's event loop), the
 * busiest other thread's (in `hellio start`, the delivery thread), and the rest together (the
 * libuv pool's file syncs, V8's helpers, the checkpoint thread).
 */
export function threadMeter(pid) {
  const before = cpuByThread(pid);
  return {
    stop() {
      const others = [];
      let main = 0;
      for (const [tid, used] of cpuByThread(pid)) {
        const s = used - (before.get(tid) ?? 0);
        if (tid === pid) main = s;
        else others.push(s);
      }
      others.sort((a, b) => b - a);
      return { main, busiest_other: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
    },
  };
}

/** The pids of the running processes whose command name is `name` (e.g. every PostgreSQL backend). */
export function pidsNamed(name) {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) pids.push(Number(d));
    } catch {
      // gone
    }
  }
  return pids;
}
