/**
 * One clock for every RTP stream of the process. Node timers fire on whole milliseconds and
 * often a millisecond late, which alone breaks 20 ± 1 ms spacing; so the clock wakes a little
 * early on a timer and sleeps the last fraction of a millisecond with Atomics.wait (a futex
 * sleep, not a busy loop), then runs every stream due by then. Sharing the clock keeps that
 * short block to one per distinct due time, however many calls are up.
 */
import { performance } from 'node:perf_hooks';

/** How early the timer is set before the earliest due time; the rest is slept precisely. */
const LEAD_MS = 2.5;
/** Streams due this soon after the one being served go out with it (a shared wake-up). */
const GROUP_MS = 0.25;

interface Entry {
  due: number;
  fire: () => void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Schedules callbacks at performance.now() times, sub-millisecond accurate. */
export class MediaClock {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  /** Runs `fire` at `due` (performance.now() ms); returns a cancel function. */
  at(due: number, fire: () => void): () => void {
    const entry = { due, fire };
    this.entries.add(entry);
    if (due < this.armedFor) this.arm();
    return () => {
      this.entries.delete(entry);
    };
  }

  private arm(): void {
    clearTimeout(this.timer);
    let earliest = Infinity;
    for (const e of this.entries) if (e.due < earliest) earliest = e.due;
    this.armedFor = earliest;
    if (earliest === Infinity) return;
    const wait = Math.max(0, Math.floor(earliest - performance.now() - LEAD_MS));
    this.timer = setTimeout(() => this.run(), wait);
  }

  private run(): void {
    this.armedFor = Infinity;
    let earliest = Infinity;
    for (const e of this.entries) if (e.due < earliest) earliest = e.due;
    const ahead = earliest - performance.now();
    if (ahead > LEAD_MS + 1) {
      // Woken too early (timers may fire a little before their time): wait again.
      this.arm();
      return;
    }
    if (ahead > 0) Atomics.wait(sleeper, 0, 0, ahead);
    const now = performance.now();
    const due = [...this.entries].filter((e) => e.due <= now + GROUP_MS).sort((a, b) => a.due - b.due);
    for (const e of due) {
      this.entries.delete(e);
      try {
        e.fire();
      } catch {
        /* one stream's failure is not the clock's */
      }
    }
    this.arm();
  }
}

/** The process's clock. */
export const mediaClock = new MediaClock();
