// Bundles the server's TypeScript sources into dist/bin/ (the package's `prepare`, so `npm install`
// does it; `npm run build -w @hellio/server` again after editing src/): the `hellio` command, the
// delivery thread of `hellio start` and the speech engine's thread, as entries sharing chunks.
// bin/hellio.js (and the threads' own entries) run the bundle while it is newer than every source
// file, the sources through tsx otherwise. docs/performance.md, fifth and sixth rounds.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE, BUNDLE_ENTRIES } from './bin/bundle.js';

const root = dirname(fileURLToPath(import.meta.url));
const outdir = join(root, dirname(BUNDLE));

/**
 * `import.meta.url` in a bundled file means the bundle, not the source file it was written in:
 * each is rewritten to the URL of its own source file, reckoned from wherever the bundle is at run
 * time, so the paths built on it (the TTS worker's files, createRequire) stay the ones the sources
 * use. Every output file is in one folder, so the same relative path serves each chunk.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outdir, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/**
 * Writes the bundle. Code splitting keeps each dynamic `import()` of the sources a file loaded only
 * when reached (a CLI command never loads the HTTP app, nor the packages only it uses). Each file
 * goes through a temporary name, chunks before entries and the `hellio` entry last — its time is
 * the bundle's time for bin/bundle.js — so a process starting meanwhile never reads half of one;
 * files of an earlier build that this one no longer has are removed afterwards.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild({
    entryPoints: Object.fromEntries(Object.entries(BUNDLE_ENTRIES).map(([name, source]) => [name, join(root, source)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [sourceUrls],
    logLevel: 'warning',
    write: false,
  });
  const entries = new Set(Object.keys(BUNDLE_ENTRIES).map((name) => `${name}.mjs`));
  const order = (f) => (basename(f.path) === basename(BUNDLE) ? 2 : entries.has(basename(f.path)) ? 1 : 0);
  for (const file of [...result.outputFiles].sort((a, b) => order(a) - order(b))) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  const written = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const name of readdirSync(outdir)) if (name.endsWith('.mjs') && !written.has(name)) rmSync(join(outdir, name), { force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build();
