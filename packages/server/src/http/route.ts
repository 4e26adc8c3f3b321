import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteOptions,
} from 'fastify';
import type { Principal } from '../modules/access/auth.ts';
import type { Scope } from '../modules/access/scopes.ts';
import type { Charged } from '../modules/accept/plan.ts';
import type { ModuleContext } from '../modules/context.ts';
import { errorResponses } from './schemas/common.ts';

/** A request to a route whose schemas are S: its body, query and params typed from them (json-schema-to-ts). */
export type Req<S extends FastifySchema> = FastifyRequest<RouteGenericInterface, RawServerDefault, RawRequestDefaultExpression, S, JsonSchemaToTsProvider>;

/** The request parts of a route's schema and its 200 answer; the error answers are added for it. */
export interface RouteSchema extends FastifySchema {
  response: { 200: unknown };
}

/** An authenticated endpoint: what the pipeline needs (scope, idempotency), and what OpenAPI shows. */
export interface Endpoint<S extends RouteSchema> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** The scope a key needs; "send" admits any send scope (the module checks the resource's). */
  scope: Scope | 'send';
  /** OpenAPI's grouping. */
  tag: string;
  summary: string;
  schema: S;
  bodyLimit?: number;
}

/** The handler of an authenticated route: it gets the principal the pipeline resolved, typed. */
export type Handler<S extends RouteSchema> = (req: Req<S>, principal: Principal, reply: FastifyReply) => Promise<unknown>;

function register<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S>, idempotent: boolean, handler: Handler<S>): void {
  const options: RouteOptions = {
    method: e.method,
    url: e.url,
    ...(e.bodyLimit !== undefined ? { bodyLimit: e.bodyLimit } : {}),
    config: { scope: e.scope, idempotent },
    schema: { tags: [e.tag], summary: e.summary, security: [{ apiKey: [] }], ...e.schema, response: { ...e.schema.response, ...errorResponses } },
    handler: async (req, reply) => {
      // The pipeline's onRequest hook sets it for every route with a scope, and `config.scope` is set just above.
      const principal = req.principal;
      if (!principal) throw new Error(`${e.method} ${e.url} ran without the pipeline's principal`);
      return handler(req as unknown as Req<S>, principal, reply);
    },
  };
  app.route(options);
}

/** Registers an authenticated route: steps 1–5 of the pipeline run first, then `handler`. */
export function authenticated<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S>, handler: Handler<S>): void {
  register(app, e, false, handler);
}

/**
 * Registers a route that charges (a send, a lookup, a verification): it honours Idempotency-Key,
 * and its module answers a plan and a result (`Charged`). Here — the one place — the result
 * becomes the answer the key keeps for replays (status and exact bytes), which commits with the
 * plan; the answer sent is that same result.
 */
export function charged<S extends RouteSchema, R>(
  app: FastifyInstance,
  ctx: ModuleContext,
  e: Endpoint<S> & { method: 'POST' },
  plan: (req: Req<S>, principal: Principal) => Promise<Charged<R>>,
): void {
  register(app, e, true, async (req, principal, reply) => {
    const { plan: p, result } = await plan(req, principal);
    const held = req.idempotency;
    if (!held) {
      await ctx.accepts.commit(p, null);
      return reply.send(result);
    }
    const body = JSON.stringify(result);
    await ctx.accepts.commit(p, { claim: held.claim, status: 200, body });
    // A replay sends the stored bytes; so does this first answer, or the two could differ.
    held.settled = true;
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
