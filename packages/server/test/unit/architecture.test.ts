import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/ as rules a change cannot break unnoticed: layers point one way, nothing
 * imports in a circle, only store/ speaks to a database, and nothing above it asks which one.
 * docs/architecture.md explains each rule.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sources(SRC).map((abs) => ({ abs, rel: relative(SRC, abs), text: readFileSync(abs, 'utf8') }));

/** Every `import … from` and `export … from` of a file (type-only ones too: a type cycle is still a knot to untie). */
function specifiers(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]!);
}

/** The internal files a file loads when it runs: static imports that are not type-only (`import(…)` loads later). */
function runtimeImports(f: { abs: string; text: string }): string[] {
  return [...f.text.matchAll(/^\s*(import|export)\s(?!type\s)[^;]*?\sfrom\s+'(\.[^']+)'/gms)].map((m) => relative(SRC, resolve(dirname(f.abs), m[2]!)));
}

const layerOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel.replace(/\.ts$/, ''));

/** The internal files each file imports, by path relative to src/. */
const GRAPH = new Map(
  FILES.map((f) => [
    f.rel,
    specifiers(f.text)
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(SRC, resolve(dirname(f.abs), s))),
  ]),
);

/** Which layers each layer may import (its own included): the arrows of docs/architecture.md. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  lib: ['lib'],
  types: ['types'],
  store: ['store', 'lib'],
  providers: ['providers', 'lib'],
  ratelimit: ['ratelimit', 'lib'],
  queue: ['queue', 'store', 'lib'],
  modules: ['modules', 'queue', 'store', 'providers', 'ratelimit', 'lib'],
  config: ['config', 'modules', 'providers', 'lib'],
  workers: ['workers', 'modules', 'queue', 'store', 'providers', 'lib'],
  http: ['http', 'modules', 'providers', 'ratelimit', 'lib'],
  metrics: ['metrics', 'modules', 'providers', 'lib'],
  cli: ['cli', 'main', 'config', 'modules', 'store', 'lib'],
  main: ['main', 'config', 'http', 'metrics', 'modules', 'workers', 'queue', 'providers', 'ratelimit', 'store', 'lib'],
};

describe('architecture', () => {
  it('reads the whole tree', () => {
    expect(FILES.length).toBeGreaterThan(100);
    for (const targets of GRAPH.values()) for (const t of targets) expect(FILES.some((f) => f.rel === t), t).toBe(true);
  });

  it('points every import the way the layers go', () => {
    const wrong: string[] = [];
    for (const [from, targets] of GRAPH) {
      const allowed = MAY_IMPORT[layerOf(from)];
      expect(allowed, `${from} is in no known layer`).toBeDefined();
      for (const to of targets) if (!allowed!.includes(layerOf(to))) wrong.push(`${from} → ${to}`);
    }
    expect(wrong, wrong.join("\n")).toEqual([]);
  });

  it('has no import cycle', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of GRAPH.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || (GRAPH.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const v of GRAPH.keys()) if (!index.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it('lets only store/ import the query builder and the database drivers', () => {
    const drivers = ['kysely', 'pg', 'better-sqlite3'];
    const outside = FILES.filter((f) => layerOf(f.rel) !== 'store' && specifiers(f.text).some((s) => drivers.includes(s))).map((f) => f.rel);
    expect(outside).toEqual([]);
  });

  it('loads Kysely and libphonenumber-js through their require() shims only (one copy each, no per-file loader round trip)', () => {
    const shims: Record<string, string> = { kysely: 'store/kysely.ts', 'libphonenumber-js/max': 'lib/phone-metadata.ts', 'libphonenumber-js': 'lib/phone-metadata.ts' };
    const direct = FILES.flatMap((f) => specifiers(f.text).filter((s) => shims[s] && shims[s] !== f.rel).map((s) => `${f.rel} → ${s}`));
    expect(direct).toEqual([]);
  });

  it('keeps the serving code out of what a CLI command loads (main.ts imports it when a server opens)', () => {
    const byRel = new Map(FILES.map((f) => [f.rel, f]));
    const loaded = new Set<string>();
    const walk = (rel: string) => {
      if (loaded.has(rel)) return;
      loaded.add(rel);
      for (const to of runtimeImports(byRel.get(rel)!)) walk(to);
    };
    walk('cli/main.ts');
    expect(loaded.has('main.ts')).toBe(true);
    const serving = [...loaded].filter((rel) => layerOf(rel) === 'workers' || ['main/serving.ts', 'http/app.ts', 'providers/email/mail-auth.ts', 'modules/inbound/mail-receive.ts'].includes(rel));
    expect(serving).toEqual([]);
  });

  it('never asks which database it runs on above store/ (it asks store.capabilities)', () => {
    const asking = FILES.filter((f) => layerOf(f.rel) !== 'store' && /\bdialect\b|===?\s*'(postgres|sqlite)'|'(postgres|sqlite)'\s*===?/.test(f.text)).map((f) => f.rel);
    expect(asking).toEqual([]);
  });

  it('makes job rows in one place: everything else enqueues through the catalogue', () => {
    const writers = FILES.filter((f) => f.rel !== 'queue/enqueue.ts' && layerOf(f.rel) !== 'store' && /\blocked_until\s*:|\bmax_attempts\s*:/.test(f.text)).map((f) => f.rel);
    expect(writers).toEqual([]);
  });

  it('reads the time from the clock in modules, the queue and the workers', () => {
    const readers = FILES.filter((f) => ['modules', 'queue', 'workers'].includes(layerOf(f.rel)) && /Date\.now\(\)/.test(f.text)).map((f) => f.rel);
    // The SMTP probe times its own network deadline, which is real elapsed time, not the domain's.
    expect(readers).toEqual(['modules/email-verify/smtp-probe.ts']);
  });
});
