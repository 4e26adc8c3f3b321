import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from '../../src/modules/access/accounts.ts';
import { openDb } from '../../src/store/db.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { Store } from '../../src/store/store.ts';
import { SecretBox } from '../../src/lib/sealed-secrets.ts';
import { randomBytes } from 'node:crypto';

/** Holds every fdatasync until released, counting them. */
async function gateDatasync() {
  const probe = await open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
  await probe.close();
  const original = proto.datasync;
  const waiting: Array<() => void> = [];
  let started = 0;
  const spy = vi.spyOn(proto, 'datasync').mockImplementation(function (this: unknown) {
    started++;
    return new Promise<void>((resolve, reject) => {
      waiting.push(() => original.call(this).then(resolve, reject));
    });
  });
  return {
    started: () => started,
    releaseAll: () => waiting.splice(0).forEach((go) => go()),
    restore: () => spy.mockRestore(),
  };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe('SQLite commits wait for the WAL to be on disk (WalSync)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a commit only after an fdatasync that began after it; one fdatasync serves the commits made meanwhile', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-walsync-'));
    const store = Store.open(openDb({ databaseUrl: null, dataDir: dir }), { currency: 'USD', secrets: new SecretBox(randomBytes(32)) });
    await store.migrate();
    const gate = await gateDatasync();
    try {
      const first = createAccount({ store, clock: systemClock }, 'first');
      // The insert committed (SQLite is synchronous) but its WAL is not synced: no answer yet.
      expect(await settled(first)).toBe(false);
      expect(gate.started()).toBe(1);
      expect((await store.accounts.list()).map((a) => a.name)).toContain('first');

      // Two more commits while that sync runs: they need a sync that starts after them — one, shared.
      const second = createAccount({ store, clock: systemClock }, 'second');
      const third = createAccount({ store, clock: systemClock }, 'third');
      expect(await settled(second)).toBe(false);
      expect(gate.started()).toBe(1);
      gate.releaseAll(); // the first sync completes
      await first;
      await vi.waitFor(() => expect(gate.started()).toBe(2));
      expect(await settled(second)).toBe(false); // its own sync has only begun
      expect(gate.started()).toBe(2);
      gate.releaseAll();
      await Promise.all([second, third]);
      expect(gate.started()).toBe(2);
      expect((await store.accounts.list()).map((a) => a.name)).toEqual(expect.arrayContaining(['first', 'second', 'third']));

      // Reads wait for nothing.
      expect(await settled(store.accounts.list())).toBe(true);
      expect(gate.started()).toBe(2);
    } finally {
      gate.releaseAll();
      gate.restore();
      await new Promise((r) => setTimeout(r, 50));
      await store.close();
    }
  });
});
