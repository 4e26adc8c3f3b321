import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A database handle: the pool, or one transaction's connection. Repositories work on either. */
export type Executor = Kysely<Database>;

/** Rows per multi-row INSERT: 500 × ~20 columns stays under SQLite's and PostgreSQL's parameter caps. */
export const INSERT_CHUNK = 500;

/** Inserts rows in chunks small enough for one statement each. */
export async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}
