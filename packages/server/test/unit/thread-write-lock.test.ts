import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ThreadWriteLock } from '../../src/store/thread-write-lock.ts';

/**
 * A thread that takes a turn the way ThreadWriteLock does (a ticket, then waits for it to be
 * served), holds it until told to let go, then hands it on; it says when it holds the turn.
 */
const OTHER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData.buffer);
const ticket = Atomics.add(cells, 0, 1);
for (;;) {
  const serving = Atomics.load(cells, 1);
  if (serving === ticket) break;
  Atomics.wait(cells, 1, serving);
}
parentPort.postMessage('holding');
parentPort.once('message', () => {
  Atomics.add(cells, 1, 1);
  Atomics.notify(cells, 1);
  parentPort.postMessage('released');
});
`;

describe('ThreadWriteLock', () => {
  it('serves turns in the order they were asked for', async () => {
    const memory = ThreadWriteLock.memory();
    const [a, b, c] = [new ThreadWriteLock(memory), new ThreadWriteLock(memory), new ThreadWriteLock(memory)];
    await a.acquire();
    const order: string[] = [];
    const waiting = [c, b, a].map((lock, i) => lock.acquire().then(() => {
      order.push(['c', 'b', 'a'][i]!);
      lock.release();
    }));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    a.release();
    await Promise.all(waiting);
    expect(order).toEqual(['c', 'b', 'a']);
  });

  it('waits for another thread without blocking its own event loop, and runs once that thread lets go', async () => {
    const lock = new ThreadWriteLock(ThreadWriteLock.memory());
    const other = new Worker(OTHER_THREAD, { eval: true, workerData: { buffer: lock.buffer } });
    try {
      await new Promise((r) => other.once('message', r));
      let got = false;
      const mine = lock.hold(async () => {
        got = true;
      });
      // While the other thread holds the turn, this thread's timers still fire.
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (++ticks === 5) {
            clearInterval(t);
            resolve();
          }
        }, 2);
      });
      expect(got).toBe(false);
      const released = new Promise((r) => other.once('message', r));
      other.postMessage('let go');
      expect(await released).toBe('released');
      await mine;
      expect(got).toBe(true);
      // The turn was handed back: the next caller gets it at once.
      await lock.hold(async () => undefined);
    } finally {
      await other.terminate();
    }
  });
});
