import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import {
  getLookup,
  listLookups,
  LOOKUP_NUMBER_MAX_LENGTH,
  type LookupInput,
  NUMBER_TYPES,
  performLookup,
  VALIDATION_ERRORS,
} from '../../modules/lookup.ts';
import { MAX_PAGE } from '../../modules/reports.ts';
import { sendAccepted } from '../pipeline.ts';
import { errorResponses, idParams, pageOf } from '../schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;

const lookupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['number'],
  properties: {
    number: {
      type: 'string',
      minLength: 1,
      maxLength: LOOKUP_NUMBER_MAX_LENGTH,
      description: 'E.164 (+14155550123), or a national number with "country"',
    },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2 country of a national-format number (ignored when the number starts with +)' },
  },
} as const;

const lookupSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    number: { type: 'string', description: 'E.164' },
    valid: { type: 'boolean' },
    possible: { type: 'boolean', description: 'Has a length some number of its country could have' },
    country: { ...nullableString, description: 'ISO 3166-1 alpha-2; null when no single country owns the number' },
    type: { type: 'string', enum: NUMBER_TYPES },
    validation_errors: { type: 'array', items: { type: 'string', enum: VALIDATION_ERRORS }, description: 'Why the number is not valid; empty when it is' },
    carrier: { ...nullableString, description: 'The operator the number range was allocated to (not the current one after porting); null where the dataset has none' },
    region: { ...nullableString, description: 'Where a geographic number belongs (city or area); null where the dataset has none' },
    national_format: { type: 'string' },
    international_format: { type: 'string' },
    price: { type: 'string' },
    currency: { type: 'string' },
    sandbox: { type: 'boolean' },
    created_at: { type: 'string' },
  },
} as const;

const lookupsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
    cursor: { type: 'string', description: 'next_cursor of the previous page' },
  },
} as const;

const common = { tags: ['lookup'], security: [{ apiKey: [] }] };

export function lookupRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.post(
    '/lookup',
    {
      config: { scope: 'lookup', idempotent: true },
      schema: {
        ...common,
        summary: 'Look a phone number up: validity, type, country, formats, carrier and region (priced)',
        body: lookupBody,
        response: { 200: lookupSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await performLookup(ctx, req.principal!, req.body as LookupInput, req.idempotency?.claim ?? null);
      return sendAccepted(req, reply, result);
    },
  );
  app.get(
    '/lookups',
    {
      config: { scope: 'lookup' },
      schema: { ...common, summary: 'List lookups, newest first', querystring: lookupsQuery, response: { 200: pageOf(lookupSchema), ...errorResponses } },
    },
    async (req) => listLookups(ctx, req.principal!.accountId, req.query as { limit?: number; cursor?: string }),
  );
  app.get(
    '/lookup/:id',
    {
      config: { scope: 'lookup' },
      schema: { ...common, summary: 'One lookup', params: idParams('lkp'), response: { 200: lookupSchema, ...errorResponses } },
    },
    async (req) => getLookup(ctx, req.principal!.accountId, (req.params as { id: string }).id),
  );
}
