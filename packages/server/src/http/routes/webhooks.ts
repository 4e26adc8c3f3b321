import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateSecret, updateEndpoint } from '../../modules/webhooks/endpoints.ts';
import { authenticated } from '../route.ts';
import { idParams, listQuery, pageOf } from '../schemas/common.ts';
import { endpointCreateBody, endpointDeleted, endpointPatchBody, endpointSchema, endpointWithSecret } from '../schemas/webhooks.ts';

const common = { scope: 'webhooks', tag: 'webhooks' } as const;

/** /webhooks: endpoints and their signing secrets (scope `webhooks`). */
export function webhookRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/webhooks',
      session: 'webhooks:write',
      summary: 'Register an endpoint; the answer carries its signing secret, shown only this once',
      schema: { body: endpointCreateBody, response: { 200: endpointWithSecret } },
    },
    (req, principal) => createEndpoint(ctx, principal.accountId, req.body, principal.actor),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/webhooks', session: 'webhooks:read', summary: 'List endpoints, newest first', schema: { querystring: listQuery(), response: { 200: pageOf(endpointSchema) } } },
    (req, principal) => listEndpoints(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/webhooks/:id', session: 'webhooks:read', summary: 'An endpoint', schema: { params: idParams('wh'), response: { 200: endpointSchema } } },
    (req, principal) => getEndpoint(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'PATCH',
      url: '/webhooks/:id',
      session: 'webhooks:write',
      summary: 'Change an endpoint: url, events, description, or enabled (true re-enables a disabled endpoint)',
      schema: { params: idParams('wh'), body: endpointPatchBody, response: { 200: endpointSchema } },
    },
    (req, principal) => updateEndpoint(ctx, principal.accountId, req.params.id, req.body, principal.actor),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'DELETE',
      url: '/webhooks/:id',
      session: 'webhooks:write',
      summary: 'Delete an endpoint and its delivery log',
      schema: { params: idParams('wh'), response: { 200: endpointDeleted } },
    },
    (req, principal) => deleteEndpoint(ctx, principal.accountId, req.params.id, principal.actor),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/webhooks/:id/rotate-secret',
      session: 'webhooks:write',
      summary: 'Replace the signing secret (shown only now); the old one keeps signing beside it for 24 h',
      schema: { params: idParams('wh'), response: { 200: endpointWithSecret } },
    },
    (req, principal) => rotateSecret(ctx, principal.accountId, req.params.id, principal.actor),
  );
}
