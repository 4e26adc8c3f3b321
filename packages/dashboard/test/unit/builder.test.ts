/** When `hellio start` rebuilds the dashboard: no build yet, or a source newer than the build. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleReason } from '../../builder.mjs';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package folder with one source file and, when `built`, a dist/index.html; times in seconds. */
function pkg(times: { source: number; built?: number }) {
  const root = mkdtempSync(join(tmpdir(), 'hellio-builder-'));
  made.push(root);
  const distDir = join(root, 'dist');
  mkdirSync(join(root, 'src', 'pages'), { recursive: true });
  const source = join(root, 'src', 'pages', 'keys.tsx');
  writeFileSync(source, 'export {}');
  utimesSync(source, times.source, times.source);
  if (times.built !== undefined) {
    mkdirSync(distDir);
    writeFileSync(join(distDir, 'index.html'), '<!doctype html>');
    utimesSync(join(distDir, 'index.html'), times.built, times.built);
  }
  return { root, distDir };
}

describe('staleReason', () => {
  it('says when there is no build at all', () => {
    expect(staleReason(pkg({ source: 1_000 }))).toBe('it has not been built yet');
  });

  it('names the source that changed after the build, however deep it is', () => {
    expect(staleReason(pkg({ source: 2_000, built: 1_000 }))).toBe(`${join('src', 'pages', 'keys.tsx')} changed since the last build`);
  });

  it('is null when the build is newer than every source', () => {
    expect(staleReason(pkg({ source: 1_000, built: 2_000 }))).toBeNull();
  });
});
