import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from '../../src/store/kysely.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, SERVER_CACHE_KIB, type DbOptions } from '../../src/store/db.ts';
import { DATABASE_FILE } from '../../src/store/sqlite-files.ts';
import { ThreadWriteLock } from '../../src/store/thread-write-lock.ts';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.ts';

// About 6 MB in one commit: past SQLite's automatic checkpoint (1,000 pages of 4 KiB).
const PAGES_OF_DATA = 1_500;

const size = (file: string) => statSync(file).size;

/** Opens a database in a new directory and commits ~6 MB to it; the caller closes it. */
async function writeMegabytes(dir: string, checkpoints: DbOptions['checkpoints'], onCheckpointError?: (m: string) => void) {
  const { db } = openDb({ databaseUrl: null, dataDir: dir, checkpoints, ...(onCheckpointError ? { onCheckpointError } : {}) });
  await sql`create table filler (b blob)`.execute(db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${PAGES_OF_DATA})
            insert into filler select randomblob(4000) from n`.execute(db);
  return db;
}

describe('WAL checkpoints off the committing connection (WalCheckpointer)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("by default ('inline') the commit that passes 1,000 pages copies the WAL back itself", async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    const db = await writeMegabytes(dir, 'inline');
    try {
      expect(size(join(dir, DATABASE_FILE))).toBeGreaterThan(PAGES_OF_DATA * 4000);
    } finally {
      await db.destroy();
    }
  });

  it("a server's connection ('thread', 'elsewhere') caches 64 MiB of pages; a short process ('inline') the library's 16 MiB", async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    for (const [checkpoints, kib] of [['inline', 16_000], ['elsewhere', SERVER_CACHE_KIB], ['thread', SERVER_CACHE_KIB]] as const) {
      const { db } = openDb({ databaseUrl: null, dataDir: dir, checkpoints });
      try {
        // Negative: a size in KiB rather than in pages.
        expect((await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]!.cache_size, checkpoints).toBe(-kib);
      } finally {
        await db.destroy();
      }
    }
  });

  it("'elsewhere': the connection never checkpoints — its commits leave the pages in the WAL", async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    const db = await writeMegabytes(dir, 'elsewhere');
    try {
      await new Promise((r) => setTimeout(r, 600)); // three periods of a checkpoint thread, had there been one
      expect(size(join(dir, DATABASE_FILE))).toBeLessThan(100_000);
      expect(size(join(dir, `${DATABASE_FILE}-wal`))).toBeGreaterThan(PAGES_OF_DATA * 4000);
    } finally {
      await db.destroy();
    }
  });

  it("'thread': a thread beside the connection copies the committed pages into the database file", async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    const errors: string[] = [];
    const db = await writeMegabytes(dir, 'thread', (m) => errors.push(m));
    try {
      await vi.waitFor(() => expect(size(join(dir, DATABASE_FILE))).toBeGreaterThan(PAGES_OF_DATA * 4000), { timeout: 5000, interval: 50 });
      // Everything is checkpointed: a checkpoint now has no frame left to copy.
      const [row] = (await sql<{ log: number; checkpointed: number }>`pragma wal_checkpoint(PASSIVE)`.execute(db)).rows;
      expect(row!.log).toBe(row!.checkpointed);
      expect(errors).toEqual([]);
    } finally {
      await db.destroy(); // ends the thread first: a thread left running would keep this file open
    }
  });

  it('truncates a WAL grown past its limit, but only in the write turn of the process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    const file = join(dir, DATABASE_FILE);
    const wal = `${file}-wal`;
    const errors: string[] = [];
    const db = await writeMegabytes(dir, 'elsewhere'); // ~1,500 frames, past the limit below
    const memory = ThreadWriteLock.memory();
    const turn = new ThreadWriteLock(memory);
    await turn.acquire(); // as a writer of this process would be, mid-transaction
    let held = true;
    const checkpointer = WalCheckpointer.start(file, (m) => errors.push(m), { lock: memory, truncateAfterFrames: 1_000 });
    try {
      // Passive checkpoints copy the pages back without the turn; the WAL keeps its length.
      await vi.waitFor(() => expect(size(file)).toBeGreaterThan(PAGES_OF_DATA * 4000), { timeout: 5000, interval: 50 });
      await new Promise((r) => setTimeout(r, 600));
      expect(size(wal)).toBeGreaterThan(PAGES_OF_DATA * 4000);
      turn.release();
      held = false;
      await vi.waitFor(() => expect(size(wal)).toBe(0), { timeout: 5000, interval: 50 });
      // The turn was handed back: the next writer of the process gets it at once.
      await turn.hold(async () => sql`insert into filler values (randomblob(10))`.execute(db));
      expect(errors).toEqual([]);
    } finally {
      if (held) turn.release();
      await checkpointer.close();
      await db.destroy();
    }
  });

  it('tells its first failure (a database it cannot open) and can still be closed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-ckpt-'));
    const errors: string[] = [];
    const checkpointer = WalCheckpointer.start(join(dir, 'missing', DATABASE_FILE), (m) => errors.push(m));
    await vi.waitFor(() => expect(errors.join(' ')).toMatch(/unable to open|directory does not exist/i), { timeout: 5000 });
    await checkpointer.close();
  });
});
