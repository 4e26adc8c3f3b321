import { type Kysely, Migrator } from '../../src/store/kysely.ts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { newAccountRow } from '../../src/modules/access/accounts.ts';
import { openDb } from '../../src/store/db.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrations/index.ts';
import { BACKENDS, throwawayDatabase } from '../support/harness.ts';

/** Migration 0020 gives every account that existed before it a Twilio account SID of its own. */
describe.each(BACKENDS)('the twilio_account_sid backfill on %s', (backend) => {
  it('gives each existing account a distinct AC… SID, and new accounts get one at creation', async () => {
    const database = await throwawayDatabase(backend);
    const { db } = openDb(loadConfig(database.env));
    try {
      const before = MIGRATIONS.filter(([name]) => name < '0020_compat');
      const migrator = new Migrator({ db, provider: { getMigrations: async () => Object.fromEntries(before) } });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      const { twilio_account_sid: _none, ...old } = newAccountRow('acc_old1', 'one', 'active', Date.now());
      // Rows of the schema before 0020, which had no such column.
      await (db as unknown as Kysely<any>).insertInto('accounts').values([old, { ...old, id: 'acc_old2', name: 'two' }]).execute();

      expect(await migrateToLatest(db)).toEqual(['0020_compat', ...MIGRATIONS.map(([n]) => n).filter((n) => n > '0020_compat')]);
      const rows = await db.selectFrom('accounts').select(['id', 'twilio_account_sid']).orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual(['acc_old1', 'acc_old2']);
      for (const r of rows) expect(r.twilio_account_sid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(rows[0]!.twilio_account_sid).not.toBe(rows[1]!.twilio_account_sid);

      const fresh = newAccountRow('acc_new1', 'three', 'active', Date.now());
      await db.insertInto('accounts').values(fresh).execute();
      expect(fresh.twilio_account_sid).toMatch(/^AC[0-9a-f]{32}$/);
      // The SID is unique: a copy is refused.
      await expect(db.insertInto('accounts').values({ ...fresh, id: 'acc_new2' }).execute()).rejects.toThrow();
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
