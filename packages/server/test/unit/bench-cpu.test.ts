import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuMeter, pidsNamed, threadMeter } from '../../../../bench/cpu.mjs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child Node process running `code` once it has said it is ready (its start-up's CPU spent). */
async function child(code: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', `process.stdout.write('ready\\n'); ${code}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(c.stdout!, 'data');
  return c;
}
const SPIN = 'for (;;) {}';
const IDLE = 'setInterval(() => {}, 1000)';

describe("bench/cpu.mjs cpuMeter: the CPU per message that bench/e2e's cpu_* ratios divide", () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await once(c, 'exit');
      }
    }
  });

  it('counts the CPU a busy process used over the window, and next to none for an idle one', async () => {
    const spinning = await child(SPIN);
    children.push(spinning);
    const idle = await child(IDLE);
    children.push(idle);
    const busyMeter = cpuMeter(() => [spinning.pid!]);
    const idleMeter = cpuMeter(() => [idle.pid!]);
    const t0 = performance.now();
    await sleep(1000);
    const [busyS, idleS] = [busyMeter.stop(), idleMeter.stop()];
    const wallS = (performance.now() - t0) / 1000;
    // A spinning thread is on a core most of the time even on a loaded 2-core machine; it can
    // never use more than the wall time on one thread (plus one tick of /proc's resolution).
    expect(busyS).toBeGreaterThan(0.1);
    expect(busyS).toBeLessThanOrEqual(wallS + 0.02);
    expect(idleS).toBeLessThan(0.1);
  });

  it('counts a process the list names only at the end from zero, and a gone one not at all', async () => {
    const late: ChildProcess[] = [];
    const meter = cpuMeter(() => late.map((c) => c.pid!));
    const spinning = await child(SPIN);
    late.push(spinning);
    children.push(spinning);
    await sleep(600);
    expect(meter.stop()).toBeGreaterThan(0.05);

    const gone = cpuMeter(() => (spinning.exitCode === null ? [spinning.pid!] : []));
    spinning.kill('SIGKILL');
    await once(spinning, 'exit');
    expect(gone.stop()).toBe(0);
  });

  it("splits a process's CPU by thread: the main thread's, the busiest other's, the rest", async () => {
    // A child whose worker thread spins while its main thread sleeps.
    const c = await child(`new (require('node:worker_threads').Worker)('${SPIN}', { eval: true }); ${IDLE}`);
    children.push(c);
    await sleep(300); // the worker started
    const meter = threadMeter(c.pid!);
    await sleep(800);
    const { main, busiest_other, rest } = meter.stop();
    expect(busiest_other).toBeGreaterThan(0.1);
    expect(main).toBeLessThan(busiest_other);
    expect(rest).toBeLessThan(busiest_other);
  });

  it('finds processes by their command name', () => {
    expect(pidsNamed('no-such-command-here')).toEqual([]);
    expect(pidsNamed(readFileSync('/proc/self/comm', 'utf8').trim())).toContain(process.pid);
  });
});
