import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';

// The SDK's types are written by hand; this check generates types from the server's own
// /openapi.json (openapi-typescript) and compiles assertions that both describe the same
// shapes: the same fields at every depth with the same types, and in requests the same
// required fields. A field added, removed, renamed or retyped on either side fails it.

const SDK_TYPES = resolve(import.meta.dirname, '../../../sdk/src/types.ts');

const CHECKS = `
import type { paths } from './openapi.ts';
import type * as T from ${JSON.stringify(SDK_TYPES)};

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<X extends true> = X;
/** The fields and their types, at every depth, optional or not. */
type Shape<X> = X extends string | number | boolean | null ? X : X extends readonly (infer U)[] ? Shape<U>[] : X extends object ? { [K in keyof X]-?: Shape<X[K]> } : X;
type RequiredKeys<X> = { [K in keyof X]-?: {} extends Pick<X, K> ? never : K }[keyof X];
/** A response: same shape (the spec leaves response fields optional; the SDK states which are always there). */
type SameResponse<Sdk, Gen> = Mutual<Shape<Sdk>, Shape<Gen>>;
/** A request: same shape, same required fields, and everything the SDK accepts is accepted by the server. */
type SameRequest<Sdk, Gen> = [Sdk] extends [Gen] ? (SameResponse<Sdk, Gen> extends true ? Mutual<RequiredKeys<Sdk>, RequiredKeys<Gen>> : false) : false;

type Op<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type Body<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Res<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;
/** An error body, whatever its status; its code widened to string, as the SDK takes codes it does not know yet. */
type Err<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { responses: infer R }
  ? { [S in keyof R]: S extends 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 ? (R[S] extends { content: { 'application/json': infer E } } ? Omit<E, 'code'> & { code: string } : never) : never }[keyof R]
  : never;
type Query<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Checks = [
  Assert<SameRequest<T.EmailSendParams, Body<'/send', 'post'>>>,
  Assert<SameResponse<T.EmailSendResult, Res<'/send', 'post'>>>,
  Assert<SameRequest<T.SmsSendParams, Body<'/sms/send', 'post'>>>,
  Assert<SameResponse<T.SmsSendResult, Res<'/sms/send', 'post'>>>,
  Assert<SameRequest<T.OtpSendParams, Body<'/otp/send', 'post'>>>,
  Assert<SameResponse<T.Otp, Res<'/otp/send', 'post'>>>,
  Assert<SameRequest<T.OtpVerifyParams, Body<'/otp/verify', 'post'>>>,
  Assert<SameResponse<T.OtpVerifyResult, Res<'/otp/verify', 'post'>>>,
  Assert<SameRequest<T.VoiceSendParams, Body<'/voice/send', 'post'>>>,
  Assert<SameResponse<T.Call, Res<'/voice/send', 'post'>>>,
  Assert<SameResponse<T.CallDetail, Res<'/voice/{id}', 'get'>>>,
  Assert<SameRequest<T.CallListParams, Query<'/voice', 'get'>>>,
  Assert<SameResponse<T.Page<T.Call>, Res<'/voice', 'get'>>>,
  Assert<SameRequest<T.LookupParams, Body<'/lookup', 'post'>>>,
  Assert<SameResponse<T.Lookup, Res<'/lookup', 'post'>>>,
  Assert<SameRequest<T.EmailVerifyParams, Body<'/email/verify', 'post'>>>,
  Assert<SameResponse<T.EmailVerification, Res<'/email/verify', 'post'>>>,
  Assert<SameRequest<T.MessageListParams, Query<'/messages', 'get'>>>,
  Assert<SameResponse<T.Page<T.Message>, Res<'/messages', 'get'>>>,
  Assert<SameResponse<T.MessageDetail, Res<'/messages/{id}', 'get'>>>,
  Assert<SameRequest<T.InboundEmailListParams, Query<'/emails/inbound', 'get'>>>,
  Assert<SameResponse<T.Page<T.InboundEmail>, Res<'/emails/inbound', 'get'>>>,
  Assert<SameResponse<T.InboundEmail, Res<'/emails/inbound/{id}', 'get'>>>,
  Assert<SameResponse<T.Balance, Res<'/balance', 'get'>>>,
  Assert<SameRequest<T.WebhookEndpointCreateParams, Body<'/webhooks', 'post'>>>,
  Assert<SameResponse<T.WebhookEndpointWithSecret, Res<'/webhooks', 'post'>>>,
  Assert<SameRequest<T.PageParams, Query<'/webhooks', 'get'>>>,
  Assert<SameResponse<T.Page<T.WebhookEndpoint>, Res<'/webhooks', 'get'>>>,
  Assert<SameResponse<T.WebhookEndpoint, Res<'/webhooks/{id}', 'get'>>>,
  Assert<SameRequest<T.WebhookEndpointUpdateParams, Body<'/webhooks/{id}', 'patch'>>>,
  Assert<SameResponse<T.WebhookEndpoint, Res<'/webhooks/{id}', 'patch'>>>,
  Assert<SameResponse<T.WebhookEndpointDeleted, Res<'/webhooks/{id}', 'delete'>>>,
  Assert<SameResponse<T.WebhookEndpointWithSecret, Res<'/webhooks/{id}/rotate-secret', 'post'>>>,
  Assert<SameResponse<T.WebhookDelivery, Res<'/webhooks/{id}/test', 'post'>>>,
  Assert<SameRequest<T.WebhookDeliveryListParams, Query<'/webhooks/{id}/deliveries', 'get'>>>,
  Assert<SameResponse<T.Page<T.WebhookDelivery>, Res<'/webhooks/{id}/deliveries', 'get'>>>,
  Assert<SameResponse<T.WebhookDelivery, Res<'/webhooks/{id}/deliveries/{delivery_id}/retry', 'post'>>>,
  Assert<SameRequest<T.SuppressionListParams, Query<'/suppressions', 'get'>>>,
  Assert<SameResponse<T.Page<T.Suppression>, Res<'/suppressions', 'get'>>>,
  Assert<SameRequest<T.SuppressionCreateParams, Body<'/suppressions', 'post'>>>,
  Assert<SameResponse<T.SuppressionCreated, Res<'/suppressions', 'post'>>>,
  Assert<SameRequest<T.SuppressionRemoveParams, Query<'/suppressions', 'delete'>>>,
  Assert<SameResponse<T.Suppression, Res<'/suppressions', 'delete'>>>,
  Assert<SameResponse<T.Suppression, Res<'/suppressions/{id}', 'delete'>>>,
  Assert<SameRequest<T.SuppressionImportParams, Body<'/suppressions/import', 'post'>>>,
  Assert<SameResponse<T.SuppressionImportResult, Res<'/suppressions/import', 'post'>>>,
  Assert<SameRequest<T.SuppressionExportParams, Query<'/suppressions.csv', 'get'>>>,
  Assert<SameResponse<{ data: T.ReceivingNumber[] }, Res<'/numbers', 'get'>>>,
  Assert<SameResponse<T.ConsentReplies, Res<'/numbers/replies', 'get'>>>,
  Assert<SameRequest<T.ConsentRepliesUpdateParams, Body<'/numbers/replies', 'patch'>>>,
  Assert<SameResponse<T.ConsentReplies, Res<'/numbers/replies', 'patch'>>>,
  Assert<SameResponse<T.ErrorBody, Err<'/send', 'post'>>>,
];
`;

/** Generates types from a spec, compiles the checks against them, and answers the errors as "line: text". */
async function driftOf(spec: object): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hellio-sdk-drift-'));
  try {
    writeFileSync(join(dir, 'openapi.ts'), astToString(await openapiTS(spec as Parameters<typeof openapiTS>[0])));
    const checks = join(dir, 'checks.ts');
    writeFileSync(checks, CHECKS);
    const program = ts.createProgram([checks], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.text.split('\n')[d.file.getLineAndCharacterOfPosition(d.start).line]!.trim() : '';
      return `${d.file ? d.file.fileName.replace(dir, '') : ''} ${line} — ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the SDK types against /openapi.json', () => {
  let h: Harness;
  let spec: Record<string, any>;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    spec = res.json();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('describe the same requests and responses', async () => {
    expect(await driftOf(spec)).toEqual([]);
  }, 60_000);

  it('fail when the API changes a field', async () => {
    const drifted = structuredClone(spec);
    const sms = drifted.paths['/sms/send'].post;
    // A response field renamed, and a request field the SDK does not know.
    const answer = sms.responses['200'].content['application/json'].schema.properties;
    answer.total_cost = answer.total_price;
    delete answer.total_price;
    sms.requestBody.content['application/json'].schema.properties.priority = { type: 'integer' };
    // A required field that becomes optional.
    const lookup = drifted.paths['/lookup'].post.requestBody.content['application/json'].schema;
    lookup.required = [];
    const errors = await driftOf(drifted);
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toContain("SameResponse<T.SmsSendResult, Res<'/sms/send', 'post'>>");
    expect(errors.join('\n')).toContain("SameRequest<T.SmsSendParams, Body<'/sms/send', 'post'>>");
    expect(errors.join('\n')).toContain("SameRequest<T.LookupParams, Body<'/lookup', 'post'>>");
  }, 60_000);
});
