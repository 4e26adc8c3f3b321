import diagnostics from 'node:diagnostics_channel';

// Where a write's time goes, published on Node's diagnostics channels for whoever subscribes (the
// benches' bench/timings.cjs preload does) and costing one property read when nobody does. Each
// thread has its own channels: the delivery thread's writes are heard by a subscriber in that thread.

/** A SQLite write turn (store/thread-write-lock.ts): how long the transaction waited for it, and held it. */
export interface WriteTurnTiming {
  waitMs: number;
  holdMs: number;
}

/** A group commit's batch (lib/group-commit.ts): how long each item waited for it, and how long it took. */
export interface BatchTiming {
  name: string;
  waitsMs: number[];
  writeMs: number;
}

/** A WAL sync (store/wal-sync.ts) as one commit waited for it. */
export interface WalSyncTiming {
  ms: number;
}

/** The channels, by the name a subscriber passes to `diagnostics_channel.subscribe`. */
export const timings = {
  writeTurn: diagnostics.channel('hellio:store.write-turn'),
  batch: diagnostics.channel('hellio:group-commit.batch'),
  walSync: diagnostics.channel('hellio:store.wal-sync'),
} as const;

/** Milliseconds since a `performance.now()` reading. */
export function since(start: number): number {
  return performance.now() - start;
}
