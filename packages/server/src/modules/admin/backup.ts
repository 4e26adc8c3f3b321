import { resolve } from 'node:path';
import { AppError } from '../../lib/errors.ts';
import { DatabaseFileError } from '../../store/sqlite-files.ts';
import type { Deps } from '../deps.ts';

/** What `hellio backup` tells a PostgreSQL installation: its server's own tools do this (docs/reliability.md). */
export const PG_DUMP_HINT =
  'hellio backup copies the embedded SQLite database; this installation runs on PostgreSQL: back it up with ' +
  'pg_dump --format=custom --file=hellio.dump "$DATABASE_URL" and restore with pg_restore (docs/reliability.md)';

/**
 * A consistent copy of the live database into `to` (mode 0600) while servers keep running.
 * A store without an online backup (PostgreSQL) answers `conflict` pointing at pg_dump.
 */
export async function backupDatabase({ store }: Deps, to: string): Promise<{ file: string }> {
  if (!store.capabilities.onlineBackup) throw new AppError('conflict', PG_DUMP_HINT);
  const file = resolve(to);
  try {
    await store.backupTo(file);
  } catch (err) {
    if (err instanceof DatabaseFileError) throw new AppError('conflict', err.message);
    throw err;
  }
  return { file };
}
