import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, REDIS_TEST_URL, throwawayDatabase } from '../support/harness.ts';
import { rawSql } from '../support/http-assert.ts';
import { until } from '../support/wait.ts';

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

type Json = any;

/** Resolves a local JSON pointer ("#/components/schemas/def-0") inside `doc`. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(seg in node)) return undefined;
    node = node[seg];
  }
  return node;
}

/** Every `$ref` anywhere under `node`. */
function refsIn(node: Json, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe.each(BACKENDS)('health and docs on %s', (backend) => {
  let h: Harness;
  let doc: Json;
  beforeAll(async () => {
    h = await createHarness(backend);
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => h?.close());

  describe('/healthz and /readyz', () => {
    it('/healthz answers 200 without a key', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      // Not an authenticated endpoint: no rate-limit headers, and a bad key changes nothing.
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      const withJunk = await h.app.inject({ method: 'GET', url: '/healthz', headers: { authorization: 'Bearer nope' } });
      expect(withJunk.statusCode).toBe(200);
    });

    it('/readyz answers 200 when the database answers', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready' });
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    });

    it('/readyz stays 200 with REDIS_URL set and Redis up', async () => {
      const r = await createHarness(backend, { env: { REDIS_URL: REDIS_TEST_URL } });
      try {
        expect(r.config.redisUrl).toBe(REDIS_TEST_URL);
        const res = await r.app.inject({ method: 'GET', url: '/readyz' });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toEqual({ status: 'ready' });
        expect((await r.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await r.close();
      }
    });

    it('/readyz stays 200 but names redis as degraded when Redis does not answer (limits fall back per process)', async () => {
      // Nothing listens on port 1.
      const r = await createHarness(backend, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const res = await r.app.inject({ method: 'GET', url: '/readyz' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ status: 'ready', degraded: ['redis'] });
        expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
        expect((await r.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await r.close();
      }
    });

    it.runIf(backend === 'postgres')('outlives PostgreSQL closing its connections (a restart): the next requests are served on new ones', async () => {
      const r = await createHarness(backend);
      try {
        const a = await r.account();
        const balance = () => r.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) });
        // Several requests at once, so that the pool holds several idle connections.
        expect((await Promise.all([balance(), balance(), balance(), balance()])).map((x) => x.statusCode)).toEqual([200, 200, 200, 200]);
        // What a restart does to every connection: the server ends them (57P01) — the idle ones
        // and one held by a transaction between two statements. Unheard, either ended the process.
        let terminated!: () => void;
        const done = new Promise<void>((resolve) => (terminated = resolve));
        const held = r.rt.store.transaction(async (tx) => {
          await tx.accounts.get(a.id);
          await done;
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.accounts.get(a.id);
        });
        const heldOutcome = held.then(() => 'committed', () => 'failed');
        await new Promise((resolve) => setTimeout(resolve, 100));
        await rawSql(r.database.env, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
        terminated();
        expect(await heldOutcome).toBe('failed');
        await until('the next requests to be served', async () => {
          const answers = await Promise.all([balance(), balance()]);
          return answers.every((x) => x.statusCode === 200);
        }, { timeoutMs: 10_000, everyMs: 100 });
        expect((await r.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      } finally {
        await r.close();
      }
    });

    it.runIf(backend === 'postgres')('answers 503 not_ready with Retry-After while PostgreSQL cannot be reached, and serves again once it can', async () => {
      // A TCP relay stands between the process and PostgreSQL, so that the test can take the
      // database away (refused connections, as during a restart) without touching the shared server.
      const database = await throwawayDatabase(backend);
      const target = new URL(database.env.DATABASE_URL!);
      const sockets = new Set<net.Socket>();
      const relay = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const port = (relay.address() as net.AddressInfo).port;
      const via = new URL(target);
      via.host = `127.0.0.1:${port}`;
      const r = await createHarness(backend, { database, env: { DATABASE_URL: via.toString() } });
      try {
        const a = await r.account();
        const balance = () => r.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) });
        expect((await balance()).statusCode).toBe(200);

        await new Promise<void>((resolve) => {
          relay.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        const res = await balance();
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
        expect(res.json()).toMatchObject({ code: 'not_ready', message: expect.stringMatching(/database/i) });
        expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated|postgres/i);

        await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
        await until('the database to be reached again', async () => (await balance()).statusCode === 200, { timeoutMs: 10_000, everyMs: 100 });
      } finally {
        await r.close().catch(() => undefined);
        relay.close();
        for (const s of sockets) s.destroy();
        await database.drop();
      }
    });

    it('/readyz answers 503 when the database is gone', async () => {
      const r = await createHarness(backend);
      try {
        await r.rt.store.close();
        const res = await r.app.inject({ method: 'GET', url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ code: 'not_ready' });
        expect(res.body).not.toMatch(/sqlite|postgres|pool|destroyed/i);
      } finally {
        await r.close().catch(() => undefined);
        await r.database.drop();
      }
    });
  });

  describe('/openapi.json', () => {
    it('is an OpenAPI 3.1 document', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(typeof doc.paths).toBe('object');
    });

    it('needs no key', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer cs_wrong' } });
      expect(res.statusCode).toBe(200);
    });

    it.each([
      ['/send', 'post'],
      ['/sms/send', 'post'],
      ['/balance', 'get'],
      ['/messages', 'get'],
      ['/messages/{id}', 'get'],
      ['/campaigns', 'get'],
      ['/campaigns/{id}', 'get'],
    ])('lists %s (%s) behind the bearer scheme', (path, method) => {
      const op = doc.paths[path]?.[method];
      expect(op, `${method.toUpperCase()} ${path} missing`).toBeDefined();
      expect(op.security).toEqual([{ apiKey: [] }]);
      expect(op.responses['200']).toBeDefined();
      expect(typeof op.summary).toBe('string');
    });

    it('declares the bearer security scheme', () => {
      expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    it('documents the POST /sms/send request body', () => {
      const body = doc.paths['/sms/send'].post.requestBody;
      expect(body.required).toBe(true);
      const schema = body.content['application/json'].schema;
      expect([...schema.required].sort()).toEqual(['from', 'message', 'to']);
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['from', 'to', 'message', 'scheduled_at', 'reference']));
      expect(schema.properties.to.anyOf.map((s: Json) => s.type).sort()).toEqual(['array', 'string']);
      const arr = schema.properties.to.anyOf.find((s: Json) => s.type === 'array');
      expect(arr.maxItems).toBe(10_000);
    });

    it('documents the POST /send request body', () => {
      const schema = doc.paths['/send'].post.requestBody.content['application/json'].schema;
      expect([...schema.required].sort()).toEqual(['from', 'subject', 'to']);
      expect(Object.keys(schema.properties)).toEqual(
        expect.arrayContaining(['from', 'to', 'subject', 'html', 'text', 'cc', 'bcc', 'reply_to', 'headers', 'attachments', 'tags', 'scheduled_at']),
      );
      expect(schema.properties.attachments.items.required).toEqual(expect.arrayContaining(['filename', 'content']));
    });

    it('documents the GET /messages filters and the path ids', () => {
      const params = doc.paths['/messages'].get.parameters as Array<{ name: string; in: string }>;
      expect(params.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(
        ['campaign_id', 'channel', 'conversation', 'cursor', 'direction', 'from', 'limit', 'recipient', 'status', 'to', 'until'],
      );
      const limit = params.find((p: Json) => p.name === 'limit') as Json;
      expect(limit.schema).toMatchObject({ type: 'integer', maximum: 100 });
      for (const path of ['/messages/{id}', '/campaigns/{id}']) {
        const ps = doc.paths[path].get.parameters as Array<{ name: string; in: string; required: boolean }>;
        expect(ps).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]));
      }
      const campaignQuery = (doc.paths['/campaigns'].get.parameters as Array<{ name: string }>).map((p) => p.name).sort();
      expect(campaignQuery).toEqual(['cursor', 'limit']);
    });

    it('documents the error body on the authenticated endpoints', () => {
      const op = doc.paths['/sms/send'].post;
      const errorResponse = op.responses['422'];
      expect(errorResponse).toBeDefined();
      const schema = errorResponse.content['application/json'].schema;
      const resolved = (schema.$ref ? resolvePointer(doc, schema.$ref) : schema) as Json;
      expect(resolved.required).toEqual(expect.arrayContaining(['code', 'message', 'detail']));
    });

    it('has no dangling $ref', () => {
      const refs = refsIn(doc);
      for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined();
    });

    it('does not publish its own plumbing', () => {
      expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs'))).toBe(false);
    });
  });

  describe('/docs', () => {
    it.each(['/docs', '/docs/'])('%s serves an HTML page whose assets load', async (path) => {
      let res = await h.app.inject({ method: 'GET', url: path });
      let url = path;
      for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
        url = new URL(String(res.headers.location), `http://localhost${url}`).pathname;
        res = await h.app.inject({ method: 'GET', url });
      }
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<html/i);
      // What a browser would fetch next, resolved against the page's own URL.
      const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        const assetPath = new URL(asset, `http://localhost${url}`).pathname;
        const got = await h.app.inject({ method: 'GET', url: assetPath });
        expect(got.statusCode, `${asset} from ${url} → ${assetPath}`).toBe(200);
      }
    });

    it('points the page at the same document as /openapi.json', async () => {
      const viaUi = await h.app.inject({ method: 'GET', url: '/docs/json' });
      expect(viaUi.statusCode).toBe(200);
      expect(viaUi.json()).toEqual(doc);
    });

    it('does not need a key', async () => {
      const a = await h.account();
      const res = await h.app.inject({ method: 'GET', url: '/docs/', headers: bearer(a.key) });
      expect(res.statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    });
  });
});
