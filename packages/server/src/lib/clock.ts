/**
 * Where the time comes from. Modules, the queue and the workers read it here — once per
 * operation, handing `now` down — so a test can move time instead of waiting it out. Code that
 * measures real elapsed time (a network timeout, a cache's staleness) keeps the system clock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that runs with the system's and that a test can move forward: a retry due in 5 s, an
 * expiry in 10 min, a schedule an hour out come due at once, while everything else keeps time.
 */
export class MovableClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  /** Moves the clock forward by `ms` (never back: time read earlier stays in the past). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock only moves forward');
    this.offset += ms;
  }
}
