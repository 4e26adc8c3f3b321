// Finds the dashboard's build and makes it when it is missing or older than its sources:
// `hellio start` calls this so that a fresh clone needs only `npm install` and `npm start`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboard package's folder. */
export const root = dirname(fileURLToPath(import.meta.url));
/** Where `vite build` writes the app (served at /dashboard/). */
export const distDir = join(root, 'dist');

const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json'];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return { path, mtime: st.mtimeMs };
  let best = { path, mtime: 0 };
  for (const name of readdirSync(path)) {
    const n = newest(join(path, name));
    if (n.mtime > best.mtime) best = n;
  }
  return best;
}

/**
 * Why the build must be made again (a sentence), or null when it is up to date: no index.html in
 * dist/, or a source newer than it. `at` points the check at another folder (the tests do).
 */
export function staleReason(at = { root, distDir }) {
  const index = join(at.distDir, 'index.html');
  if (!existsSync(index)) return 'it has not been built yet';
  const built = statSync(index).mtimeMs;
  for (const source of SOURCES) {
    const path = join(at.root, source);
    if (!existsSync(path)) continue;
    const n = newest(path);
    if (n.mtime > built) return `${relative(at.root, n.path)} changed since the last build`;
  }
  return null;
}

/** Builds the app with Vite into dist/. */
export async function build() {
  const vite = await import('vite');
  await vite.build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
