import { CompiledQuery, type Kysely, PostgresAdapter } from '../kysely.ts';
import type { Database } from '../schema.ts';

/** A database handle: the pool, or one transaction's connection. Repositories work on either. */
export type Executor = Kysely<Database>;

/** Rows per multi-row INSERT: 500 × ~20 columns stays under SQLite's and PostgreSQL's parameter caps. */
export const INSERT_CHUNK = 500;

/** Inserts rows in chunks small enough for one statement each. */
export async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

// Statement texts by table, columns, row count and placeholder style: few shapes, built once.
const texts = new Map<string, string>();

function insertText(table: string, columns: string[], rows: number, pg: boolean): string {
  const key = `${table}|${columns.join(',')}|${rows}|${pg}`;
  let text = texts.get(key);
  if (text === undefined) {
    let n = 0;
    const tuple = () => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
    if (texts.size > 5_000) texts.clear();
    texts.set(key, text);
  }
  return text;
}

// PostgreSQL's form of each fixed statement's text ($1, $2… for its ?s), made once per text.
const numbered = new Map<string, string>();

function numberedText(text: string): string {
  let sql = numbered.get(text);
  if (sql === undefined) {
    let n = 0;
    sql = text.replace(/\?/g, () => `$${++n}`);
    numbered.set(text, sql);
  }
  return sql;
}

/**
 * Runs a statement whose text never changes, written with `?` placeholders, without Kysely
 * building and compiling it: for the reads every accepted request makes (on the accept path the
 * building cost several times what SQLite took to answer). The text must hold no other `?`.
 */
export async function selectFixed<R>(db: Executor, text: string, params: unknown[]): Promise<R[]> {
  const sql = db.getExecutor().adapter instanceof PostgresAdapter ? numberedText(text) : text;
  return (await db.executeQuery<R>(CompiledQuery.raw(sql, params))).rows;
}

/**
 * Inserts rows of one table as multi-row INSERTs compiled by hand. Kysely builds and compiles a
 * tree of every value, which on the accept path (a group commit inserts hundreds of rows) cost
 * more than SQLite took to run the statement; these rows are plain column → value records.
 */
export async function insertRows<T extends object>(db: Executor, table: keyof Database & string, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const perStatement = Math.max(1, Math.min(INSERT_CHUNK, Math.floor(30_000 / columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    for (const row of chunk) for (const c of columns) params.push((row as Record<string, unknown>)[c] ?? null);
    await db.executeQuery(CompiledQuery.raw(insertText(table, columns, chunk.length, pg), params));
  }
}
