/** Builds the dashboard once before the browser tests when its build is missing or stale. */
import { build, staleReason } from '../builder.mjs';

// Every test file starts its own `hellio start`, which rebuilds a stale build; two doing it at
// once would write the same dist/ folder under each other's feet. One build here first avoids it.
export default async function setup(): Promise<void> {
  if (staleReason() !== null) await build();
}
