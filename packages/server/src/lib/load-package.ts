import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded where it is first needed rather than when its importer loads: the
 * PostgreSQL driver, Redis, SMPP and SMTP cost a `hellio` command ~180 ms to load, and most
 * processes use none of them (docs/performance.md, sixth round). Node caches the module, so every
 * caller gets the one instance an `import` would have given.
 */
export function loadPackage<T>(name: string): T {
  return requireHere(name) as T;
}
