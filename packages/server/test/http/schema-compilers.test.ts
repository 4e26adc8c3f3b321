/**
 * Route schemas compile on first use (src/http/schema-compilers.ts): an app gets ready without
 * generating a validator or serializer; every schema of the real app still compiles; a schema
 * that cannot compile is caught by `compileDeferredSchemas`, and a deferred validator still
 * reports its errors.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDeferredSchemas, schemaCompilers } from '../../src/http/schema-compilers.ts';
import { createHarness, type Harness } from '../support/harness.ts';

/** A bare Fastify app with the compilers, and one route of the given body schema. */
async function appWith(body: object) {
  const compilers = schemaCompilers();
  const app = Fastify({ schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } } });
  compilers.attach(app);
  app.post('/x', { schema: { body, response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } }, async (req) => ({ n: (req.body as { n: number }).n, dropped: true }));
  await app.ready();
  return app;
}

describe('schemas compiled on first use', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("every schema of the real app compiles (a build fails on a bad one, not a route's first request)", () => {
    const compiled = compileDeferredSchemas(h.app);
    // Validators (body, query, params, headers) and response serializers of ~150 routes.
    expect(compiled).toBeGreaterThan(300);
    expect(compileDeferredSchemas(h.app)).toBe(0);
  });

  it('the first request compiles its route: it validates and serializes as before', async () => {
    const app = await appWith({ type: 'object', required: ['n'], properties: { n: { type: 'integer' } }, additionalProperties: false });
    const ok = await app.inject({ method: 'POST', url: '/x', payload: { n: 3 } });
    expect(ok.statusCode).toBe(200);
    // The response schema's serializer ran: the field it does not name is dropped.
    expect(ok.json()).toEqual({ n: 3 });
    const bad = await app.inject({ method: 'POST', url: '/x', payload: { n: 'three', extra: 1 } });
    expect(bad.statusCode).toBe(400);
    // The deferred validator hands Fastify its errors: every one of them (allErrors).
    expect(bad.json().message).toMatch(/must be integer/);
    expect(bad.json().message).toMatch(/additional properties/);
    await app.close();
  });

  it('a schema that cannot compile is found by compileDeferredSchemas, though the app got ready', async () => {
    const app = await appWith({ type: 'object', properties: { n: { type: 'no-such-type' } } });
    expect(() => compileDeferredSchemas(app)).toThrow(/no-such-type|type/);
    await app.close();
  });
});
