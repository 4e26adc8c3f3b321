import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import {
  createSuppression,
  deleteSuppressionById,
  deleteSuppressionByValue,
  exportSuppressions,
  importSuppressions,
  listSuppressions,
} from '../../modules/suppressions/list.ts';
import { authenticated } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import {
  suppressionBody,
  suppressionCreatedSchema,
  suppressionDeleteQuery,
  suppressionImportBody,
  suppressionImportSchema,
  suppressionSchema,
  suppressionsCsvQuery,
  suppressionsCsvResponse,
  suppressionsQuery,
} from '../schemas/suppressions.ts';

const tag = 'suppressions';

/**
 * /suppressions: reading takes `reports`; changing a channel's entries takes that channel's send
 * scope (checked by the module, as the channel is in the request or the entry).
 */
export function suppressionRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    { method: 'GET', url: '/suppressions', scope: 'reports', session: 'messages:read', tag, summary: 'The suppression list, newest first', schema: { querystring: suppressionsQuery, response: { 200: pageOf(suppressionSchema) } } },
    (req, caller) => listSuppressions(ctx, caller.accountId, req.query),
  );
  authenticated(
    app,
    {
      method: 'GET',
      url: '/suppressions.csv',
      scope: 'reports',
      session: 'messages:read',
      tag,
      summary: 'The whole suppression list (same filters) as CSV, newest first',
      schema: { querystring: suppressionsCsvQuery, response: { 200: suppressionsCsvResponse } },
    },
    async (req, caller, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="suppressions-${caller.accountId}.csv"`)
        .send(Readable.from(exportSuppressions(ctx, caller.accountId, req.query))),
  );
  authenticated(
    app,
    {
      method: 'POST',
      url: '/suppressions',
      scope: 'send',
      session: 'messages:write',
      tag,
      summary: "Suppress a recipient (source manual); needs the channel's send scope; idempotent",
      schema: { body: suppressionBody, response: { 200: suppressionCreatedSchema } },
    },
    (req, caller) => createSuppression(ctx, caller, req.body),
  );
  authenticated(
    app,
    {
      method: 'POST',
      url: '/suppressions/import',
      scope: 'send',
      session: 'messages:write',
      tag,
      summary: "Add many recipients from CSV (source import); needs the send scope of each channel named",
      bodyLimit: 2_100_000,
      schema: { body: suppressionImportBody, response: { 200: suppressionImportSchema } },
    },
    (req, caller) => importSuppressions(ctx, caller, req.body),
  );
  authenticated(
    app,
    {
      method: 'DELETE',
      url: '/suppressions',
      scope: 'send',
      session: 'messages:write',
      tag,
      summary: "Lift a recipient's suppression (?channel=&value=); needs the channel's send scope",
      schema: { querystring: suppressionDeleteQuery, response: { 200: suppressionSchema } },
    },
    (req, caller) => deleteSuppressionByValue(ctx, caller, req.query.channel, req.query.value),
  );
  authenticated(
    app,
    {
      method: 'DELETE',
      url: '/suppressions/:id',
      scope: 'send',
      session: 'messages:write',
      tag,
      summary: "Lift a suppression by its id; needs the channel's send scope",
      schema: { params: idParams('sup'), response: { 200: suppressionSchema } },
    },
    (req, caller) => deleteSuppressionById(ctx, caller, req.params.id),
  );
}
