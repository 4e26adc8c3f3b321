/**
 * The JSON Schema pieces every resource's schemas are built from. Fastify validates requests and
 * serialises responses with the schemas, /openapi.json is generated from them, and the routes'
 * request types are inferred from them (json-schema-to-ts): one source for all three.
 */
import { MAX_PAGE } from '../../modules/pagination.ts';

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

/** Every authenticated route answers its errors in the one error body. */
export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

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
