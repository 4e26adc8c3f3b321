// Types of cpu.mjs for the suite's test/unit/bench-cpu.test.ts.
/** Counts the CPU seconds of the processes `pids()` names; `stop()` answers the seconds used since. */
export function cpuMeter(pids: () => number[]): { stop(): number };
/** The pids of the running processes whose command name is `name`. */
export function pidsNamed(name: string): number[];
/** Counts the CPU seconds of each thread of `pid`: the main thread's, the busiest other's, the rest's. */
export function threadMeter(pid: number): { stop(): { main: number; busiest_other: number; rest: number } };
