import type { Store } from '../store/store.ts';

/** What modules need besides their arguments: the store and deployment-wide settings. */
export interface ModuleContext {
  store: Store;
  currency: string;
  idempotencyTtlMs: number;
}
