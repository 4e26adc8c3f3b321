import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE, bundleIsFresh } from '../../bin/bundle.js';
import { hellio } from '../support/cli.ts';

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
});
