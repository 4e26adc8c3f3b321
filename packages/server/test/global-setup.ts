import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the sources (build.mjs) before the suite, so that every test that runs the `hellio`
 * command runs what `npm install` makes of these sources, not an older bundle and not the slower
 * path through tsx (bin/hellio.js would take it for sources newer than the bundle).
 */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
