#!/usr/bin/env node
// The `hellio` command. It runs dist/bin/hellio.mjs, the sources bundled at install (build.mjs),
// while that is newer than every file under src/; otherwise — a checkout edited since, or never
// built — the TypeScript sources themselves, which tsx transpiles as they load.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIsFresh } from './bundle.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
if (bundleIsFresh(root)) {
  await import('../dist/bin/hellio.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
