// Whether dist/bin/hellio.mjs (build.mjs) can stand in for the sources: it exists and no file
// under src/ changed after it was written. Cheap (a stat per source file, a few ms), so every
// `hellio` command asks.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where build.mjs writes the bundle, from the package's root. */
export const BUNDLE = 'dist/bin/hellio.mjs';

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
