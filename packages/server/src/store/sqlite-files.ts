import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';

/** The SQLite database's file name inside the data directory. */
export const DATABASE_FILE = 'hellio.db';

/** Why a file cannot be restored, or a backup cannot be written: shown to the operator as it is. */
export class DatabaseFileError extends Error {
  override name = 'DatabaseFileError';
}

/**
 * A consistent copy of the open database `live` into `target`, taken while the server runs
 * (SQLite's online backup copies pages between the writers' commits, restarting when one
 * writes meanwhile). The copy is written beside the target with mode 0600, made one
 * self-contained file (rollback journal, no -wal), checked, and renamed into place: the target
 * is either the old file or the complete copy, never half of one.
 */
export async function backupSqlite(db: SQLite.Database, live: string, target: string): Promise<void> {
  const to = resolve(target);
  if (to === resolve(live) || to.startsWith(`${resolve(live)}-`)) throw new DatabaseFileError(`${target} is the live database`);
  if (!existsSync(dirname(to))) throw new DatabaseFileError(`${dirname(to)} does not exist`);
  const tmp = join(dirname(to), `.${basename(to)}.${randomBytes(4).toString('hex')}.tmp`);
  closeSync(openSync(tmp, 'wx', 0o600));
  try {
    await db.backup(tmp);
    settle(tmp);
    renameSync(tmp, to);
    syncDir(dirname(to));
  } catch (err) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-journal`, { force: true });
    throw err;
  }
}

/** What a file offered for restore holds. */
export interface DatabaseFileInfo {
  /** Migrations applied in it, in order. */
  migrations: string[];
}

/**
 * Checks that `file` is a Hellio SQLite database (readable by SQLite, intact, with Kysely's
 * migrations table) and answers its migrations; DatabaseFileError otherwise.
 */
export function inspectSqliteFile(file: string): DatabaseFileInfo {
  if (!existsSync(file)) throw new DatabaseFileError(`${file} does not exist`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new DatabaseFileError(`${file} is not a SQLite database (${(err as Error).message})`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DatabaseFileError(`${file} is damaged (quick_check: ${String(check)})`);
    const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!table) throw new DatabaseFileError(`${file} is not a Hellio database (it has no migrations table)`);
    const rows = db.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>;
    return { migrations: rows.map((r) => r.name) };
  } catch (err) {
    if (err instanceof DatabaseFileError) throw err;
    throw new DatabaseFileError(`${file} is not a SQLite database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}

/** A row of server_secrets in a database file, as stored (sealed); undefined when there is none. */
export function storedServerSecret(file: string, name: string): string | undefined {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'server_secrets'").get();
    if (!table) return undefined;
    const row = db.prepare('select value from server_secrets where name = ?').get(name) as { value: string } | undefined;
    return row?.value;
  } finally {
    db.close();
  }
}

/**
 * Copies `from` (a backup) into a private staging file beside the live database, through SQLite
 * so that a backup still in WAL form is copied whole. The caller checks the staged copy, then
 * calls `replaceSqliteDatabase` or discards it.
 */
export async function stageSqliteCopy(from: string, dataDir: string): Promise<string> {
  const staged = join(dataDir, `.${DATABASE_FILE}.restore-${randomBytes(4).toString('hex')}`);
  closeSync(openSync(staged, 'wx', 0o600));
  const src = new SQLite(from, { readonly: true, fileMustExist: true });
  try {
    await src.backup(staged);
    settle(staged);
    return staged;
  } catch (err) {
    rmSync(staged, { force: true });
    throw err;
  } finally {
    src.close();
  }
}

/**
 * Puts `staged` in place of the live database of `dataDir`, keeping the old one aside under
 * `aside` (its WAL folded in first). Refuses while another process has the database open: it
 * takes SQLite's exclusive lock on the old database, which no server, worker or CLI holding the
 * file lets it have, and keeps it until the new file is in place.
 */
export function replaceSqliteDatabase(staged: string, dataDir: string, aside: string): { keptAside: string | null } {
  const live = join(dataDir, DATABASE_FILE);
  if (!existsSync(live)) {
    renameSync(staged, live);
    syncDir(dataDir);
    return { keptAside: null };
  }
  const old = new SQLite(live, { fileMustExist: true, timeout: 200 });
  try {
    try {
      old.pragma('locking_mode = exclusive');
      // Leaving WAL needs the exclusive lock (busy while anyone has the file open), folds the WAL
      // into the file and deletes it: no stale -wal can be replayed onto the restored database.
      const mode = old.pragma('journal_mode = delete', { simple: true });
      if (mode !== 'delete') throw new Error(`journal_mode is ${String(mode)}`);
      old.exec('begin exclusive; commit');
    } catch (err) {
      throw new DatabaseFileError(
        `another process has ${live} open (a running server, worker or command): stop it, then restore (${(err as Error).message})`,
      );
    }
    linkSync(live, aside);
    renameSync(staged, live);
    rmSync(`${live}-shm`, { force: true });
    syncDir(dataDir);
    return { keptAside: aside };
  } finally {
    old.close();
  }
}

// A copy made by the backup API keeps the source's WAL mode; a backup is one file on its own.
function settle(file: string): void {
  const copy = new SQLite(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = delete');
  } finally {
    copy.close();
  }
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// The rename is durable only once the directory's entry is on disk.
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
