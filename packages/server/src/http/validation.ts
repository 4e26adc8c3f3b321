import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

// What both validators share: every error reported at once, unknown fields refused (not dropped).
const SHARED = { allErrors: true, removeAdditional: false } as const;

type BuildValidator = AjvCompiler.BuildCompilerFromPool;

/**
 * Fastify's schema-controller factory with two validators built by Fastify's own compiler (same
 * formats and defaults): JSON bodies are checked as sent, with no coercion, so `true`, `0` or
 * `"6e2"` in a field of another type is a 422 rather than a silently converted value; the query
 * string, path parameters and headers arrive as text and are still coerced ("?limit=10" is a
 * number, a repeated "?status=" an array).
 */
export function validatorFactory(): BuildValidator {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const plugins = options?.plugins ?? [];
    const strict = pool(externalSchemas, { plugins, customOptions: { ...SHARED, coerceTypes: false } });
    const coercing = pool(externalSchemas, { plugins, customOptions: { ...SHARED, coerceTypes: 'array' } });
    // The compiler is called with the whole route definition ({schema, httpPart, …}), whatever its typings say.
    const compile: FastifySchemaCompiler<unknown> = (route) =>
      (route.httpPart === 'body' ? strict : coercing)(route as never) as ReturnType<FastifySchemaCompiler<unknown>>;
    return compile as unknown as ReturnType<BuildValidator>;
  };
}
