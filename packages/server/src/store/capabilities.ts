/**
 * What a backend can do, by name. Code plans around an ability ("the store has row locks"),
 * never around a product name, as Kysely's dialect adapters do: a third backend states its
 * abilities here and everything above the store follows.
 */
export interface Capabilities {
  /**
   * Several write transactions run at once (a pool of connections, row-level locks). Without it
   * (SQLite: one writer per database) a second concurrent writer only waits for the first.
   */
  concurrentWriters: boolean;
  /**
   * A transaction locks the rows it charges (`SELECT … FOR NO KEY UPDATE`), so two transactions
   * that charge one account wait for each other. Without it the whole database is one lock.
   */
  rowLocks: boolean;
  /** A claim passes over rows another transaction holds (`FOR UPDATE SKIP LOCKED`) instead of waiting. */
  skipLocked: boolean;
  /** A list binds as one array parameter (`= any($1)`); without it, as one JSON text read by `json_each`. */
  arrayParameters: boolean;
  /** Many writes fit one statement as data-modifying CTEs: a batch costs one round trip. */
  writableCtes: boolean;
  /**
   * A write transaction must take the write lock when it begins (`BEGIN IMMEDIATE`): a deferred
   * one that reads first fails at once, instead of waiting, when another process wrote meanwhile.
   */
  lockOnBegin: boolean;
  /**
   * The store copies itself, consistently, while it is in use (SQLite's online backup):
   * `hellio backup`. Without it a backup is the database server's own tool (pg_dump).
   */
  onlineBackup: boolean;
  /**
   * Each statement is a round trip to a database server (a socket write, a parse and an execute
   * there): the point lookups every request makes are worth gathering into one statement
   * (store/repos/gathered-reads.ts). Without it (SQLite, in the process) a lookup costs microseconds.
   */
  roundTrips: boolean;
}

/** PostgreSQL. */
export const POSTGRES: Capabilities = {
  concurrentWriters: true,
  rowLocks: true,
  skipLocked: true,
  arrayParameters: true,
  writableCtes: true,
  lockOnBegin: false,
  onlineBackup: false,
  roundTrips: true,
};

/** SQLite (WAL): one writer at a time, which also makes every claim exclusive. */
export const SQLITE: Capabilities = {
  concurrentWriters: false,
  rowLocks: false,
  skipLocked: false,
  arrayParameters: false,
  writableCtes: false,
  lockOnBegin: true,
  onlineBackup: true,
  roundTrips: false,
};
