import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that; throws
 * (naming what was awaited and the last value seen) when `timeoutMs` passes first. For waiting on
 * conditions without assuming how long they take.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; everyMs?: number; last?: () => unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      const seen = opts.last ? ` (last seen: ${JSON.stringify(await opts.last())})` : '';
      throw new Error(`timed out waiting for ${what}${seen}`);
    }
    await sleep(opts.everyMs ?? 20);
  }
}
