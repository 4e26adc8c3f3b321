import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE, BUNDLE_ENTRIES, bundleIsFresh } from '../../bin/bundle.js';
import { cleanEnv, HELLIO_BIN, hellio, run } from '../support/cli.ts';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('the bundled CLI (build.mjs, bin/bundle.js)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stands in for the sources only while it is newer than every file under src/', () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-bundle-'));
    mkdirSync(join(dir, 'src/store/repos'), { recursive: true });
    const source = join(dir, 'src/store/repos/deep.ts');
    writeFileSync(source, 'export {};\n');
    utimesSync(source, 1_000, 1_000);
    expect(bundleIsFresh(dir)).toBe(false); // never built
    mkdirSync(join(dir, dirname(BUNDLE)), { recursive: true });
    writeFileSync(join(dir, BUNDLE), '');
    utimesSync(join(dir, BUNDLE), 2_000, 2_000);
    expect(bundleIsFresh(dir)).toBe(true);
    utimesSync(source, 3_000, 3_000); // a source edited after the build, however deep
    expect(bundleIsFresh(dir)).toBe(false);
  });

  it('is what this suite runs (the global setup built it), and it runs', async () => {
    expect(bundleIsFresh(PACKAGE)).toBe(true);
    const r = await hellio(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: hellio/);
  });

  it('has an entry for the command and for each thread a server starts', () => {
    for (const name of Object.keys(BUNDLE_ENTRIES)) expect(existsSync(join(PACKAGE, dirname(BUNDLE), `${name}.mjs`)), name).toBe(true);
  });

  it('loads a package only where it is used: a command on SQLite loads neither the HTTP app nor the PostgreSQL, Redis, SMPP or SMTP clients', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-bundle-'));
    // A preload that prints, as the process exits, every package directory it required.
    const preload = join(dir, 'loaded.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean)) + '\\n'));\n",
    );
    const r = await run(process.execPath, ['--require', preload, HELLIO_BIN, 'accounts', 'list', '--json'], cleanEnv({ HELLIO_DATA_DIR: join(dir, 'data') }));
    expect(r.code, r.stderr).toBe(0);
    const loaded = new Set(JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]!) as string[]);
    expect(loaded.has('better-sqlite3')).toBe(true); // the preload sees what the command uses
    for (const unused of ['fastify', 'mailparser', 'pg', 'ioredis', 'smpp', 'nodemailer']) expect(loaded.has(unused), unused).toBe(false);
  });
});
