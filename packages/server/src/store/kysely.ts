// Kysely, loaded through require(): its CommonJS build, in one piece for every importer.
// Why: under Node 20 every ES module a process loads crosses to tsx's loader thread and back
// (module hooks run off-thread), about a millisecond each, and Kysely's ES build is 262 files —
// a fifth of the start-up of each `hellio` command. require() loads the same code without the
// hooks. Import Kysely from here only: two copies of it in one process would not know each
// other's classes.
import { createRequire } from 'node:module';
import type * as K from 'kysely';

const kysely = createRequire(import.meta.url)('kysely') as typeof K;

export type * from 'kysely';
/** The query builder (a class: its value here, its instance type below). */
export const Kysely = kysely.Kysely;
export type Kysely<DB> = K.Kysely<DB>;
/** A query compiled to SQL text and parameters. */
export const CompiledQuery = kysely.CompiledQuery;
export type CompiledQuery<R = unknown> = K.CompiledQuery<R>;
/** PostgreSQL's SQL dialect, without a driver (how selectFixed numbers parameters). */
export const PostgresAdapter = kysely.PostgresAdapter;
export type PostgresAdapter = K.PostgresAdapter;
/** The PostgreSQL dialect over a `pg` pool. */
export const PostgresDialect = kysely.PostgresDialect;
export type PostgresDialect = K.PostgresDialect;
/** The SQLite dialect over a better-sqlite3 connection. */
export const SqliteDialect = kysely.SqliteDialect;
export type SqliteDialect = K.SqliteDialect;
/** Runs the schema migrations in order, once each. */
export const Migrator = kysely.Migrator;
export type Migrator = K.Migrator;
/** Raw SQL fragments and queries, with their parameters bound. */
export const sql = kysely.sql;
