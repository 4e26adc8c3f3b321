// The delivery thread of `hellio start` (src/main/delivery-thread.ts). A thread has its own module
// loader, so it chooses as bin/hellio.js does: the bundle's entry while the bundle is fresh, else
// the TypeScript source through tsx, registered again here.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIsFresh } from './bundle.js';

if (bundleIsFresh(dirname(dirname(fileURLToPath(import.meta.url))))) {
  await import('../dist/bin/delivery-thread.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main/delivery-thread-entry.ts');
}
