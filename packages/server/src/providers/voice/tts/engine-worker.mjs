// Entry of the text-to-speech worker thread. Worker threads do not inherit the loader hooks of
// the thread that starts them (Node 20): like bin/hellio.js, this plain-JS file runs the bundle's
// entry (dist/bin/tts-engine.mjs) while the bundle is fresh, else registers tsx and loads the
// worker from its TypeScript source.
import { fileURLToPath } from 'node:url';
import { bundleIsFresh } from '../../../../bin/bundle.js';

if (bundleIsFresh(fileURLToPath(new URL('../../../../', import.meta.url)))) {
  await import('../../../../dist/bin/tts-engine.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./engine-worker.ts');
}
