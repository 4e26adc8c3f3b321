import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';

// What both validators share: every error reported at once, unknown fields refused (not dropped).
const SHARED = { allErrors: true, removeAdditional: false } as const;

type BuildValidator = AjvCompiler.BuildCompilerFromPool;
type BuildSerializer = ReturnType<typeof SerializerSelector>;

/** An app's compilations not done yet (removed as they run). */
type Deferred = Set<() => void>;

/**
 * A compiled function, compiled on its first call rather than now. Fastify compiles every
 * route's validators and response serializers while the app gets ready — about 0.7 s of
 * `hellio start`'s start-up (ajv and fast-json-stringify generating code for ~150 routes), and
 * of every app a test builds — though a process only ever runs those of the routes it is asked
 * for. The first request of a route pays its own few milliseconds instead. A validator's
 * `errors` (which Fastify reads off the function after a failed check) are copied across.
 */
function onFirstUse<F extends (...args: never[]) => unknown>(deferred: Deferred, compile: () => F): F {
  let fn: F | undefined;
  const ensure = () => {
    fn ??= compile();
    deferred.delete(ensure);
    return fn;
  };
  deferred.add(ensure);
  const lazy = ((...args: Parameters<F>) => {
    const f = ensure();
    const out = f(...args);
    (lazy as unknown as { errors?: unknown }).errors = (f as unknown as { errors?: unknown }).errors;
    return out;
  }) as unknown as F;
  return lazy;
}

/** The schema compilers of one app (`compilersFactory` of Fastify's schema controller); `attach` ties their deferred work to the app. */
export function schemaCompilers(): { buildValidator: BuildValidator; buildSerializer: BuildSerializer; attach(app: FastifyInstance): void } {
  const deferred: Deferred = new Set();
  return {
    buildValidator: validatorFactory(deferred),
    buildSerializer: serializerFactory(deferred),
    attach: (app) => void DEFERRED.set(app, deferred),
  };
}

const DEFERRED = new WeakMap<FastifyInstance, Deferred>();

/**
 * Compiles every schema of `app` not compiled yet, throwing what the first bad one throws: the
 * test suite calls it on a built app, so that a schema that ajv or fast-json-stringify cannot
 * compile still fails the build rather than a route's first request. Answers how many it compiled.
 */
export function compileDeferredSchemas(app: FastifyInstance): number {
  const all = [...(DEFERRED.get(app) ?? [])];
  for (const ensure of all) ensure();
  return all.length;
}

/**
 * Fastify's schema-controller factory with two validators built by Fastify's own compiler (same
 * formats and defaults): JSON bodies are checked as sent, with no coercion, so `true`, `0` or
 * `"6e2"` in a field of another type is a 422 rather than a silently converted value; the query
 * string, path parameters and headers arrive as text and are still coerced ("?limit=10" is a
 * number, a repeated "?status=" an array). Each is compiled on first use.
 */
function validatorFactory(deferred: Deferred): BuildValidator {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const plugins = options?.plugins ?? [];
    const strict = pool(externalSchemas, { plugins, customOptions: { ...SHARED, coerceTypes: false } });
    const coercing = pool(externalSchemas, { plugins, customOptions: { ...SHARED, coerceTypes: 'array' } });
    // The compiler is called with the whole route definition ({schema, httpPart, …}), whatever its typings say.
    const compile: FastifySchemaCompiler<unknown> = (route) =>
      onFirstUse(deferred, () => (route.httpPart === 'body' ? strict : coercing)(route as never) as ReturnType<FastifySchemaCompiler<unknown>>);
    return compile as unknown as ReturnType<BuildValidator>;
  };
}

/** Fastify's own response serializers (fast-json-stringify), each compiled on first use. */
function serializerFactory(deferred: Deferred): BuildSerializer {
  const selector = SerializerSelector();
  return ((externalSchemas: unknown, options: unknown) => {
    const build = (selector as (s: unknown, o: unknown) => (route: unknown) => (data: unknown) => string)(externalSchemas, options);
    return (route: unknown) => onFirstUse(deferred, () => build(route));
  }) as unknown as BuildSerializer;
}
