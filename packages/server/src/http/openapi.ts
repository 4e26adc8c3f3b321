/**
 * What /openapi.json says beyond the route declarations (http/route.ts): the tags, an
 * operationId per operation, the errors per status, the Idempotency-Key request header and the
 * response headers. Documentation only: nothing here changes how a request is validated or answered.
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { documentedErrors } from './schemas/common.ts';

/** Every tag an operation may carry, with what it groups (the top-level `tags` of the document). */
export const TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'email', description: 'Send email and read what was sent' },
  { name: 'sms', description: 'Send SMS, to one number or many (a campaign)' },
  { name: 'otp', description: 'One-time codes: send, then verify' },
  { name: 'voice', description: 'Voice calls: text-to-speech or audio to a number' },
  { name: 'lookup', description: 'Number lookups: carrier, line type, validity' },
  { name: 'email verification', description: 'Check that an email address can receive mail' },
  { name: 'reports', description: 'Messages and campaigns: status, events, lists' },
  { name: 'suppressions', description: 'Recipients never sent to: STOP replies, bounces, complaints, by hand' },
  { name: 'numbers', description: 'The numbers an account receives SMS on, and its replies to STOP, START and HELP' },
  { name: 'wallet', description: 'The prepaid balance sends are charged to' },
  { name: 'webhooks', description: 'Endpoints that receive events, and their deliveries' },
  { name: 'domains', description: 'Sending domains and their DNS records' },
  { name: 'sandbox', description: 'What the simulated recipients received (sandbox and simulated channels)' },
  { name: 'usage', description: 'Messages and spend over time, for charts' },
  { name: 'auth', description: 'Sign-in, sessions and the dashboard user (cookie session)' },
  { name: 'accounts', description: 'The accounts a signed-in person belongs to' },
  { name: 'members', description: 'The people of an account and their roles' },
  { name: 'keys', description: 'API keys of an account' },
  { name: 'senders', description: 'Sender ids and numbers, and their approval' },
  { name: 'allowlist', description: 'The IP addresses an account\'s keys may be used from' },
  { name: 'billing', description: 'Prices, top-ups and spend caps of an account' },
  { name: 'admin', description: 'Operators: accounts, people, the network' },
  { name: 'providers', description: 'Callbacks from the upstream providers (delivery receipts)' },
  { name: 'health', description: 'Liveness and readiness' },
];

const PARAM = /^:(\w+)$/;
const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/**
 * The operationId of a route, from its method and path alone (so it is stable and unique as
 * long as the route table is): `POST /sms/send` → `postSmsSend`, `GET /messages/:id` →
 * `getMessagesById`, `PATCH /accounts/:account_id/keys/:id` → `patchAccountsByAccountIdKeysById`.
 */
export function operationIdOf(method: string, url: string): string {
  const parts = url.split('/').filter(Boolean).map((seg) => {
    const param = PARAM.exec(seg);
    return param ? `By${pascal(param[1]!)}` : pascal(seg);
  });
  return method.toLowerCase() + parts.join('');
}

const header = (description: string, schema: object = { type: 'integer', minimum: 0 }) => ({ description, schema });

/** The response headers, declared once in components.headers and referenced from each response. */
export const RESPONSE_HEADERS = {
  'X-Request-Id': header('The id of this request, also in the server\'s logs', { type: 'string' }),
  'X-RateLimit-Limit': header('Requests this API key may make per minute'),
  'X-RateLimit-Remaining': header('Requests left in the current minute'),
  'X-RateLimit-Reset': header('Seconds until the current minute\'s window resets'),
  'Retry-After': header('Seconds to wait before retrying'),
  'Idempotent-Replayed': header('"true" when this is the stored answer of an earlier request with the same Idempotency-Key', { type: 'string', enum: ['true'] }),
} as const;

const ref = (name: keyof typeof RESPONSE_HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** @fastify/swagger's per-route hook: the operationId, the errors per status, and Idempotency-Key on the routes that honour it. */
export const transformRoute: SwaggerTransform = ({ schema, url, route }) => {
  const s = { ...(schema ?? {}) } as Record<string, unknown>;
  const method = [route.method].flat()[0]!;
  s.operationId ??= operationIdOf(method, url);
  // The errors per status in place of the 4xx/5xx the server serialises with (http/route.ts).
  if (!s.hide) {
    const answers = Object.entries((s.response ?? {}) as Record<string, unknown>).filter(([status]) => !/^[45]/.test(status));
    // No credentials and no route.ts declaration (the health checks): only what any request may
    // answer; credentials that only some callers need (an empty requirement beside others, /metrics): 401/403 too.
    const security = (s.security ?? []) as object[];
    const declared = route.config?.auth !== undefined || route.config?.scope !== undefined;
    const access = declared ? undefined : security.length === 0 ? 'anonymous' : security.some((r) => Object.keys(r).length === 0) ? 'optional' : undefined;
    s.response = {
      ...(answers.length > 0 ? Object.fromEntries(answers) : { 200: { type: 'null', description: 'OK' } }),
      ...documentedErrors({ method, url, charged: route.config?.idempotent === true, ...(access ? { access } : {}) }),
    };
  }
  if (route.config?.idempotent === true) {
    s.headers = {
      type: 'object',
      properties: {
        'Idempotency-Key': {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          pattern: '^[\\x21-\\x7e]+$',
          description: 'Makes a retry safe: the same key with the same request answers the first answer again (printable ASCII)',
        },
      },
    };
  }
  return { schema: s, url };
};

interface Operation {
  security?: Array<Record<string, unknown>>;
  responses?: Record<string, { headers?: Record<string, unknown> }>;
}

/**
 * @fastify/swagger's hook on the whole document: the tags at the top level, and on every response
 * X-Request-Id; on the API key's operations the X-RateLimit-* headers the pipeline sets
 * (http/pipeline.ts); Retry-After on 429 and 503; Idempotent-Replayed where a key replays.
 */
export const transformDocument: SwaggerTransformObject = (document) => {
  if (!('openapiObject' in document)) return document.swaggerObject;
  // The document is built as plain JSON here; its types (one per OpenAPI version) would only be cast through.
  const doc = document.openapiObject as Record<string, any>;
  doc.components = { ...doc.components, headers: RESPONSE_HEADERS };
  const used = new Set<string>();
  for (const item of Object.values(doc.paths ?? {}) as Array<Record<string, Operation & { tags?: string[]; parameters?: Array<{ in: string; name: string }> }>>) {
    for (const op of Object.values(item)) {
      for (const t of op.tags ?? []) used.add(t);
      const keyed = (op.security ?? []).some((s) => 'apiKey' in s);
      const idempotent = (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        const headers: Record<string, unknown> = { 'X-Request-Id': ref('X-Request-Id') };
        if (keyed) for (const h of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const) headers[h] = ref(h);
        if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After');
        if (idempotent && status.startsWith('2')) headers['Idempotent-Replayed'] = ref('Idempotent-Replayed');
        res.headers = { ...res.headers, ...headers };
      }
    }
  }
  doc.tags = TAGS.filter((t) => used.has(t.name));
  return nameSchemas(doc);
};

const SCHEMAS = '#/components/schemas/';

/** Every `$ref` under `node`, rewritten by `to` (in place). */
function rewriteRefs(node: unknown, to: (ref: string) => string): void {
  if (Array.isArray(node)) for (const x of node) rewriteRefs(x, to);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.$ref === 'string') o.$ref = to(o.$ref);
    for (const v of Object.values(o)) rewriteRefs(v, to);
  }
}

/**
 * The shared schemas under their own names (`Error422`, not @fastify/swagger's `def-12`): the
 * names generators give their types. Those no operation uses (the answers of no route: 405,
 * 414…) are left out.
 */
function nameSchemas(doc: Record<string, any>): Record<string, any> {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, { title?: string }>;
  const names = new Map(Object.entries(schemas).map(([key, schema]) => [key, schema.title ?? key]));
  const rename = (ref: string) => (ref.startsWith(SCHEMAS) ? SCHEMAS + (names.get(ref.slice(SCHEMAS.length)) ?? ref.slice(SCHEMAS.length)) : ref);
  rewriteRefs(doc.paths, rename);
  rewriteRefs(schemas, rename);
  // Referred to by an operation or by another schema (one level: the shared schemas here are flat).
  const used = JSON.stringify([doc.paths, schemas]);
  const named: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(schemas)) {
    const name = names.get(key)!;
    if (used.includes(`"${SCHEMAS}${name}"`)) named[name] = schema;
  }
  doc.components.schemas = named;
  return doc;
}
