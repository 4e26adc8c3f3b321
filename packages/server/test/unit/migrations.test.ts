import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from '../../src/store/kysely.ts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openDb } from '../../src/store/db.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrations/index.ts';
import { BACKENDS, throwawayDatabase } from '../support/harness.ts';

const DIR = new URL('../../src/store/migrations/', import.meta.url);
/** Every file in the migrations folder but the list itself. */
const FILES = readdirSync(fileURLToPath(DIR))
  .filter((f) => f !== 'index.ts')
  .sort();
const NAMES = MIGRATIONS.map(([name]) => name);

describe('the list of migrations (store/migrations/index.ts)', () => {
  it('holds only migration files, named NNNN_words.ts', () => {
    expect(FILES.filter((f) => !/^\d{4}_[a-z0-9_]+\.ts$/.test(f))).toEqual([]);
  });

  it('lists every file in the folder, and no name without a file', () => {
    const fileNames = FILES.map((f) => f.replace(/\.ts$/, ''));
    expect(fileNames.filter((f) => !NAMES.includes(f)), 'files not listed in MIGRATIONS').toEqual([]);
    expect(NAMES.filter((n) => !fileNames.includes(n)), 'names in MIGRATIONS without a file of that name').toEqual([]);
  });

  it('lists each migration under the name of its own file', async () => {
    for (const [name, migration] of MIGRATIONS) {
      const file: Record<string, unknown> = await import(new URL(`${name}.ts`, DIR).href);
      expect(migration, `${name} is listed with the code of another file`).toBe(file);
      // What Kysely runs, and nothing else: an export that is neither would be silently ignored.
      expect(typeof file.up, `${name}.ts exports up`).toBe('function');
      expect(Object.keys(file).filter((k) => k !== 'up' && k !== 'down'), `${name}.ts exports only up and down`).toEqual([]);
    }
  });

  it('is in name order, each name once', () => {
    expect(NAMES).toEqual([...NAMES].sort());
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });
});

describe.each(BACKENDS)('migrating a fresh %s database', (backend) => {
  it('applies every migration in name order, then nothing on a second run', async () => {
    const database = await throwawayDatabase(backend);
    const { db } = openDb(loadConfig(database.env));
    try {
      expect(await migrateToLatest(db)).toEqual(NAMES);
      expect(await migrateToLatest(db)).toEqual([]);
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(recorded.rows.map((r) => r.name)).toEqual(NAMES);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
