/**
 * The JSON Schema pieces every resource's schemas are built from. Fastify validates requests and
 * serialises responses with the schemas, /openapi.json is generated from them, and the routes'
 * request types are inferred from them (json-schema-to-ts): one source for all three.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorCode } from '../../lib/errors.ts';
import { MAX_PAGE } from '../../modules/pagination.ts';
import { HTTP_STATUS } from '../error-status.ts';

/** A string schema, with whatever else it says (lengths, enum, description) kept literal for the types. */
export const str = <const E extends object = object>(extra?: E) => ({ type: 'string', ...extra }) as { type: 'string' } & E;

/** A value of `type` or null. */
export const nullable = <const T extends string>(type: T) => ({ type: [type, 'null'] }) as { type: [T, 'null'] };

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error, on every endpoint',
  properties: {
    code: str({ description: 'Machine-readable error code' }),
    message: str({ description: 'For people' }),
    detail: str({ description: 'Same as message (HeliosSend compatibility)' }),
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: str(), message: str() }, required: ['field', 'message'] },
    },
  },
  required: ['code', 'message', 'detail'],
} as const;

/** The catalogue's codes that answer `status`, in the catalogue's order. */
const codesOf = (status: number) => (Object.keys(HTTP_STATUS) as ErrorCode[]).filter((c) => HTTP_STATUS[c] === status);

/**
 * The error body of each status the catalogue answers (`Error422`…): the one body, its `code` one
 * of that status's codes. Shared schemas, so that /openapi.json can refer to them.
 */
export const errorSchemas = [...new Set(Object.values(HTTP_STATUS))]
  .sort((a, b) => a - b)
  .map((status) => ({
    ...errorSchema,
    $id: `Error${status}`,
    description: `${STATUS_CODES[status]}: ${codesOf(status).join(', ')}`,
    properties: { ...errorSchema.properties, code: { type: 'string', enum: codesOf(status), description: 'Machine-readable error code' } },
  }));

/**
 * Every authenticated route answers its errors in the one error body. The document says more,
 * per status (`documentedErrors`); serialising needs no more, and a schema per status would be
 * compiled per route at start-up (seconds).
 */
export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

/** What decides the errors a route can answer: how it is called, and what it does. */
export interface ErrorContext {
  method: string;
  url: string;
  /** Honours Idempotency-Key and charges the wallet (http/route.ts `charged`). */
  charged?: boolean;
  /**
   * `anonymous`: needs no credentials and validates nothing (health checks), so only what any
   * request may answer; `optional`: credentials asked of some callers only (/metrics), so 401 and
   * 403 as well. Unset: a route of the API, which may answer everything below.
   */
  access?: 'anonymous' | 'optional';
}

/**
 * The error statuses a route can answer, each with its body (`Error<status>`), for the document.
 * Every route may answer 400 (malformed HTTP, bad JSON), 401/403 (credentials, roles, CSRF), 422
 * (validation), 429 (rate limits), 500 and 503 (overloaded, not ready); one with a body (PATCH,
 * POST, PUT) 413 and 415 too, one that changes something 409, one naming a resource in its path
 * 404, a charge 402; an anonymous one (health) only 400, 500 and 503, and 401/403 when credentials
 * are optional (/metrics). Answers made before any
 * route is found (404 route_not_found, 405, 408, 414, 431) belong to no operation.
 */
export function documentedErrors(r: ErrorContext): Record<string, { $ref: string }> {
  const statuses =
    r.access === 'anonymous' ? [400, 500, 503] : r.access === 'optional' ? [400, 401, 403, 500, 503] : [400, 401, 403, 422, 429, 500, 503];
  if (r.method !== 'GET' && r.method !== 'DELETE') statuses.push(413, 415);
  if (r.method !== 'GET') statuses.push(409);
  if (r.url.includes(':')) statuses.push(404);
  if (r.charged) statuses.push(402);
  return Object.fromEntries(statuses.sort((a, b) => a - b).map((s) => [String(s), { $ref: `Error${s}#` }]));
}

/** The path of a route that names one resource by its id. */
export const idParams = <const P extends string>(prefix: P) =>
  ({ type: 'object', required: ['id'], properties: { id: str({ description: `${prefix}_…` }) } }) as const;

/** Cursor pagination (SPEC §3): `?limit=` (≤ 100) and `?cursor=` = the last id of the previous page. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
  cursor: str({ description: 'next_cursor of the previous page' }),
} as const;

/** The query of a list: the page, and the list's own filters. */
export const listQuery = <const F extends object = object>(filters?: F) =>
  ({ type: 'object', additionalProperties: false, properties: { ...pageQuery, ...filters } }) as {
    type: 'object';
    additionalProperties: false;
    properties: typeof pageQuery & F;
  };

/** A page of a list: `{data, next_cursor}`. */
export const pageOf = <const I extends object>(item: I) =>
  ({
    type: 'object',
    properties: { data: { type: 'array', items: item }, next_cursor: nullable('string') },
  }) as const;
