// Whether dist/bin/ (build.mjs) can stand in for the sources: it exists and no file under src/
// changed after it was written. Cheap (a stat per source file, a few ms), so every `hellio`
// command and each thread's entry asks.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where build.mjs writes the `hellio` entry, from the package's root (written last: its time is the bundle's). */
export const BUNDLE = 'dist/bin/hellio.mjs';

/** The bundle's entries (dist/bin/<name>.mjs) and the source each is built from. */
export const BUNDLE_ENTRIES = {
  hellio: 'src/cli/main.ts',
  'delivery-thread': 'src/main/delivery-thread-entry.ts',
  'tts-engine': 'src/providers/voice/tts/engine-worker.ts',
};

/** The newest modification time (ms) of a file under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** True when the bundle under `root` (the package's directory) is newer than every source file. */
export function bundleIsFresh(root) {
  let built;
  try {
    built = statSync(join(root, BUNDLE)).mtimeMs;
  } catch {
    return false;
  }
  return built >= newest(join(root, 'src'));
}
