import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/store.ts';

/**
 * What every module function may use: the store (or one transaction of it) and the clock. Admin
 * operations (the CLI's) need no more than this; ModuleContext (context.ts) adds the services.
 */
export interface Deps {
  store: Store;
  clock: Clock;
}
