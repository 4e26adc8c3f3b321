import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS } from '../../src/http/error-status.ts';
import { operationIdOf } from '../../src/http/openapi.ts';
import { bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

// /openapi.json as a generator sees it: linted by Redocly's recommended rules, every operation
// named, tagged and with its errors per status; then a client generated from it
// (openapi-typescript + openapi-fetch) is compiled with tsc and run against the real server.

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document: method, path, the operation object. */
function operationsOf(doc: Json): Array<{ method: string; path: string; op: Json }> {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ method, path, op: op as Json })),
  );
}

/** The object a local `#/…` pointer names. */
const deref = (doc: Json, ref: string): Json => ref.slice(2).split('/').reduce((o: Json, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);

/** The catalogue's codes of a status, sorted. */
const codesOf = (status: number) => Object.entries(HTTP_STATUS).filter(([, s]) => s === status).map(([c]) => c).sort();

// Under the package's node_modules, so that the generated client resolves openapi-fetch as an application would.
const SCRATCH = resolve(import.meta.dirname, '../../node_modules/.cache');

/** Compiles the files of `dir` (strict), answering the errors as "file line — text". */
function compile(dir: string, files: string[]): string[] {
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      types: [],
    },
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.text.split('\n')[d.file.getLineAndCharacterOfPosition(d.start).line]!.trim() : '';
    return `${d.file ? d.file.fileName.replace(dir, '') : ''} ${line} — ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`;
  });
}

/** A small application of the generated types: openapi-fetch over `paths`, and a body typed by operationId. */
const CLIENT = (smsBody: string) => `
import createClient from 'openapi-fetch';
import type { operations, paths } from './openapi.ts';

type SendSms = operations['postSmsSend']['requestBody']['content']['application/json'];
type SmsError = operations['postSmsSend']['responses'][422]['content']['application/json'];

export async function run(baseUrl: string, key: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + key } });
  const body: SendSms = ${smsBody};
  const sent = await client.POST('/sms/send', { body, params: { header: { 'Idempotency-Key': 'openapi-test-1' } } });
  const first = sent.data?.messages?.[0]?.id;
  const message = first ? await client.GET('/messages/{id}', { params: { path: { id: first } } }) : undefined;
  const balance = await client.GET('/balance');
  const invalid = await client.POST('/sms/send', { body: { ...body, message: '' } });
  const refused: SmsError['code'] = 'validation_failed';
  const code = invalid.error?.code;
  return {
    status: sent.response.status,
    replayed: sent.response.headers.get('idempotent-replayed'),
    limit: sent.response.headers.get('x-ratelimit-limit'),
    messageTo: message?.data?.to,
    currency: balance.data?.currency,
    invalidStatus: invalid.response.status,
    code,
    refused,
  };
}
`;

describe('/openapi.json for generators', () => {
  let h: Harness;
  let doc: Json;
  let a: TestAccount;
  let baseUrl: string;
  beforeAll(async () => {
    // With the provider callbacks' token, so that their route is in the document too.
    h = await createHarness('sqlite', { env: { HELLIO_PROVIDER_CALLBACK_TOKEN: 'openapi-suite-callback-token-0123456789' } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    a = await h.account({ balance: '100.00' });
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Redocly's recommended rules, less two that do not fit a self-hosted product (docs/api.md). */
  const lintConfig = () =>
    createConfig({
      extends: ['recommended'],
      rules: {
        // Each installation serves the document at its own origin; clients are given theirs (a generated one takes a baseUrl).
        'no-empty-servers': 'off',
        // The project has not chosen a license yet; the document will say it when it does.
        'info-license': 'off',
      },
    });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config: await lintConfig() });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  }, 60_000);

  it('the linter does find a broken document', async () => {
    const broken = structuredClone(doc);
    const [first, second] = operationsOf(broken);
    second!.op.operationId = first!.op.operationId;
    first!.op.responses['200'].content = { 'application/json': { schema: { $ref: '#/components/schemas/Nowhere' } } };
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: 'openapi.json', config: await lintConfig() });
    expect(problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['operation-operationId-unique', 'no-unresolved-refs']));
  }, 60_000);

  it('names every operation: a unique operationId derived from its method and path', () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(50);
    const ids = ops.map(({ op }) => op.operationId);
    for (const { method, path, op } of ops) expect(op.operationId, `${method} ${path}`).toBe(operationIdOf(method, path.replace(/\{(\w+)\}/g, ':$1')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/sms/send'].post.operationId).toBe('postSmsSend');
    expect(doc.paths['/messages/{id}'].get.operationId).toBe('getMessagesById');
    expect(doc.paths['/providers/{name}/receipts'].post.operationId).toBe('postProvidersByNameReceipts');
  });

  it('keeps the compatibility routes hidden', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/resend'))).toEqual([]);
    expect(h.app.routeTable.some((r) => r.url.startsWith('/resend'))).toBe(true);
  });

  it('tags every operation, and describes every tag at the top level', () => {
    const declared = new Map((doc.tags as Array<{ name: string; description: string }>).map((t) => [t.name, t.description]));
    for (const { method, path, op } of operationsOf(doc)) {
      expect(op.tags, `${method} ${path}`).toHaveLength(1);
      expect(declared.get(op.tags[0]), `tag ${op.tags[0]}`).toMatch(/\w/);
    }
  });

  it("documents every error status with the SPEC body whose code is one of that status's codes", () => {
    for (const { method, path, op } of operationsOf(doc)) {
      const errors = Object.keys(op.responses).filter((s) => /^[45]/.test(s));
      for (const status of errors) {
        expect(status, `${method} ${path}`).toMatch(/^\d{3}$/);
        const schema = op.responses[status].content['application/json'].schema;
        const body = schema.$ref ? deref(doc, schema.$ref) : schema;
        expect(body.required, `${method} ${path} ${status}`).toEqual(['code', 'message', 'detail']);
        expect([...body.properties.code.enum].sort(), `${method} ${path} ${status}`).toEqual(codesOf(Number(status)));
      }
    }
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).filter((s) => /^[45]/.test(s));
    // A charge may answer 402 and honours Idempotency-Key (409, 422); a read of one resource may answer 404.
    expect(statuses('/sms/send', 'post')).toEqual(['400', '401', '402', '403', '409', '413', '415', '422', '429', '500', '503']);
    expect(statuses('/messages/{id}', 'get')).toEqual(['400', '401', '403', '404', '422', '429', '500', '503']);
    expect(statuses('/balance', 'get')).not.toContain('402');
    expect(statuses('/auth/login', 'post')).toEqual(expect.arrayContaining(['401', '422', '429']));
    expect(statuses('/healthz', 'get')).toEqual(['400', '500', '503']);
    expect(codesOf(429)).toEqual(expect.arrayContaining(['rate_limited', 'otp_cooldown']));
  });

  it('declares Idempotency-Key on the operations that honour it, and only those', () => {
    const honoured = new Set(h.app.routeTable.filter((r) => r.idempotent).map((r) => `${r.method.toLowerCase()} ${r.url}`));
    expect(honoured.size).toBeGreaterThan(3);
    for (const { method, path, op } of operationsOf(doc)) {
      const declared = (op.parameters ?? []).some((p: Json) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect(declared, `${method} ${path}`).toBe(honoured.has(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    }
  });

  it('lists /metrics: its text answer, the optional token, and the refusals it can give', () => {
    const op = doc.paths['/metrics']?.get;
    expect(op, 'GET /metrics in the document').toBeDefined();
    expect(Object.keys(op.responses[200].content)).toEqual(['text/plain']);
    expect(op.security).toEqual([{}, { metricsToken: [] }]);
    expect(doc.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(op.responses).filter((s) => /^[45]/.test(s))).toEqual(['400', '401', '403', '500', '503']);
  });

  it('declares the rate-limit headers, X-Request-Id, and Retry-After on 429 and 503', () => {
    for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id', 'Retry-After']) {
      expect(doc.components.headers[name].schema, name).toBeDefined();
    }
    for (const { method, path, op } of operationsOf(doc)) {
      const keyed = (op.security ?? []).some((s: Json) => 'apiKey' in s);
      for (const [status, res] of Object.entries(op.responses as Record<string, Json>)) {
        const names = Object.keys(res.headers ?? {});
        const where = `${method} ${path} ${status}`;
        expect(names, where).toContain('X-Request-Id');
        if (keyed) expect(names, where).toEqual(expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']));
        if (status === '429' || status === '503') expect(names, where).toContain('Retry-After');
      }
    }
  });

  it.each([
    ['/sms/send', 'sms:send'],
    ['/send', 'email:send'],
    ['/otp/send', 'otp'],
    ['/otp/verify', 'otp'],
  ])('gives %s an example body that the server accepts as valid', async (path) => {
    const media = doc.paths[path].post.requestBody.content['application/json'];
    const example = media.example ?? (Object.values(media.examples ?? {})[0] as Json | undefined)?.value;
    expect(example, path).toBeDefined();
    const res = await h.app.inject({ method: 'POST', url: path, headers: bearer(a.key), payload: example });
    // Past validation: the example's fields are right, whatever the account's state decides next.
    expect(res.json().code, res.body).not.toBe('validation_failed');
    if (path === '/sms/send') expect(res.statusCode, res.body).toBe(200);
  });

  describe('a client generated from it', () => {
    let dir: string;
    beforeAll(async () => {
      mkdirSync(SCRATCH, { recursive: true });
      dir = mkdtempSync(join(SCRATCH, 'hellio-openapi-client-'));
      writeFileSync(join(dir, 'openapi.ts'), astToString(await openapiTS(doc as Parameters<typeof openapiTS>[0])));
    }, 60_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('compiles, and answers the server over HTTP', async () => {
      writeFileSync(join(dir, 'client.ts'), CLIENT(`{ from: 'HELLIO', to: '+14155550123', message: 'typed' }`));
      expect(compile(dir, ['client.ts'])).toEqual([]);
      // The same source run: types only are stripped.
      const js = ts.transpileModule(CLIENT(`{ from: 'HELLIO', to: '+14155550123', message: 'typed' }`), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      }).outputText;
      writeFileSync(join(dir, 'client.mjs'), js);
      const { run } = await import(pathToFileURL(join(dir, 'client.mjs')).href);
      const out = await run(baseUrl, a.key);
      expect(out).toMatchObject({ status: 200, limit: expect.stringMatching(/^\d+$/), messageTo: '+14155550123', currency: expect.any(String), invalidStatus: 422, code: 'validation_failed', refused: 'validation_failed' });
    }, 60_000);

    it('fails to compile a request the spec does not allow', () => {
      writeFileSync(join(dir, 'wrong.ts'), CLIENT(`{ from: 'HELLIO', to: '+14155550123', text: 'no such field' }`));
      const errors = compile(dir, ['wrong.ts']);
      expect(errors.join('\n')).toMatch(/text/);
    }, 60_000);
  });
});
