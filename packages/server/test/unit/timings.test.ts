import diagnostics from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/lib/group-commit.ts';
import { SecretBox } from '../../src/lib/sealed-secrets.ts';
import type { BatchTiming, WalSyncTiming, WriteTurnTiming } from '../../src/lib/timings.ts';
import { openDb } from '../../src/store/db.ts';
import { Store } from '../../src/store/store.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything published on `name` while subscribed; `stop()` unsubscribes. */
function listen<T>(name: string) {
  const heard: T[] = [];
  const onMessage = (m: unknown) => heard.push(m as T);
  diagnostics.subscribe(name, onMessage);
  return { heard, stop: () => diagnostics.unsubscribe(name, onMessage) };
}

describe('where a write spends its time, on diagnostics channels (lib/timings.ts, bench/timings.cjs)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('a group commit tells each batch: its name, how long each item waited for it, how long it took', async () => {
    const batches = listen<BatchTiming>('hellio:group-commit.batch');
    try {
      // The first batch is held open until let go; the items added meanwhile share the next one.
      let letGo!: () => void;
      const gate = new Promise<void>((r) => (letGo = r));
      let writes = 0;
      const group = new GroupCommit<number, number>(
        async (items) => {
          if (writes++ === 0) await gate;
          await sleep(20);
          return items.map((i) => i * 2);
        },
        { name: 'doubling' },
      );
      const first = group.add(1);
      await new Promise((r) => setImmediate(r));
      const later = [group.add(2), group.add(3)];
      await sleep(15);
      letGo();
      expect(await Promise.all([first, ...later])).toEqual([2, 4, 6]);

      expect(batches.heard.map((b) => ({ name: b.name, items: b.waitsMs.length }))).toEqual([
        { name: 'doubling', items: 1 },
        { name: 'doubling', items: 2 },
      ]);
      const [one, two] = batches.heard as [BatchTiming, BatchTiming];
      expect(one.writeMs).toBeGreaterThanOrEqual(30);
      expect(two.writeMs).toBeGreaterThanOrEqual(18);
      // The later items waited for the first batch: the 15 ms it was held, then its 20 ms write.
      for (const w of two.waitsMs) expect(w).toBeGreaterThanOrEqual(30);
      expect(one.waitsMs[0]).toBeLessThan(two.waitsMs[0]!);
    } finally {
      batches.stop();
    }
  });

  it('a SQLite transaction tells how long it waited for the write turn and held it, and its commit how long the WAL sync took', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-timings-'));
    // With its own checkpoint thread the database has a write turn for the process's threads.
    const handle = openDb({ databaseUrl: null, dataDir: dir, checkpoints: 'thread' });
    const store = Store.open(handle, { currency: 'USD', secrets: new SecretBox(randomBytes(32)) });
    await store.migrate();
    const turns = listen<WriteTurnTiming>('hellio:store.write-turn');
    const syncs = listen<WalSyncTiming>('hellio:store.wal-sync');
    try {
      // Another holder keeps the turn for 30 ms; the transaction asked for it meanwhile.
      await handle.writeLock!.acquire();
      const tx = store.transaction(async (t) => {
        await t.secrets.getOrCreate('timings-test', 'value', Date.now());
        await sleep(20);
      });
      await sleep(30);
      handle.writeLock!.release();
      await tx;

      expect(turns.heard).toHaveLength(1);
      expect(turns.heard[0]!.waitMs).toBeGreaterThanOrEqual(25);
      expect(turns.heard[0]!.holdMs).toBeGreaterThanOrEqual(18);
      // Its commit waited for the WAL sync before the transaction answered.
      expect(syncs.heard).toHaveLength(1);
      expect(syncs.heard[0]!.ms).toBeGreaterThan(0);

      // A read takes no turn and syncs nothing.
      await store.secrets.get('timings-test');
      expect(turns.heard).toHaveLength(1);
      expect(syncs.heard).toHaveLength(1);
    } finally {
      turns.stop();
      syncs.stop();
      await store.close();
    }
  });
});
