// Bundles the server's TypeScript sources into dist/bin/hellio.mjs (the package's `prepare`, so
// `npm install` does it; `npm run build -w @hellio/server` again after editing src/). bin/hellio.js
// runs the bundle while it is newer than every source file, and the sources through tsx otherwise.
// One file instead of ~280 modules each crossing tsx's loader thread: docs/performance.md, fifth round.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE } from './bin/bundle.js';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * `import.meta.url` in a bundled file means the bundle, not the source file it was written in:
 * each is rewritten to the URL of its own source file, reckoned from wherever the bundle is at run
 * time, so the paths built on it (the delivery thread's entry, the TTS worker's, createRequire)
 * stay the ones the sources use.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(join(root, dirname(BUNDLE)), args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/** Writes the bundle (through a temporary file, so a process starting meanwhile never reads half of one). */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const out = join(root, BUNDLE);
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(dirname(out), { recursive: true });
  await esbuild({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [sourceUrls],
    logLevel: 'warning',
  });
  renameSync(tmp, out);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build();
