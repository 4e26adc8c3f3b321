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
import { SCOPES, type Scope } from '../modules/access/scopes.ts';
import type { AccountActor, Actor } from '../modules/people/actor.ts';
import type { Permission } from '../modules/people/roles.ts';
import type { Charged } from '../modules/accept/plan.ts';
import type { ModuleContext } from '../modules/context.ts';
import { errorResponses } from './schemas/common.ts';

/** A request to a route whose schemas are S: its body, query and params typed from them (json-schema-to-ts). */
export type Req<S extends FastifySchema> = FastifyRequest<RouteGenericInterface, RawServerDefault, RawRequestDefaultExpression, S, JsonSchemaToTsProvider>;

/** The request parts of a route's schema and its answer (200, or 202 for work accepted to be done later); the error answers are added for it. */
export interface RouteSchema extends FastifySchema {
  response: { 200: unknown } | { 202: unknown };
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
  /**
   * Also serve this route to signed-in members at /accounts/:account_id<url> (the dashboard),
   * for roles that grant this permission.
   */
  session?: Permission;
  /**
   * Served for another API's clients (Resend's at /resend): left out of /openapi.json, and its
   * errors are not Hellio's body (http/errors.ts shapes them by path), so no error schema.
   */
  compatibility?: true;
}

/** Who calls a route that both API keys and members reach: the account, and what it may touch. */
export interface Caller {
  accountId: string;
  /** The key's scopes; a member whose role passed the route's permission holds them all. */
  scopes: ReadonlySet<string>;
  /** The member, when a person calls (their changes are audited); absent for an API key. */
  actor?: AccountActor;
}

const EVERY_SCOPE: ReadonlySet<string> = new Set(SCOPES);

/** The handler of an authenticated route: it gets the caller the pipeline resolved, typed (the key's principal, or the account's `Caller` on routes members reach too). */
export type Handler<S extends RouteSchema, C = Principal> = (req: Req<S>, caller: C, reply: FastifyReply) => Promise<unknown>;

/** The path parameters of `params` plus the account's (routes under /accounts/:account_id). */
function withAccountParam(params: unknown) {
  const p = (params ?? { type: 'object', properties: {}, required: [] }) as { properties?: object; required?: string[] };
  return {
    ...p,
    type: 'object',
    properties: { account_id: { type: 'string', description: 'acc_…' }, ...p.properties },
    required: ['account_id', ...(p.required ?? [])],
  };
}

function register<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S>, idempotent: boolean, handler: (req: Req<S>, principal: Principal, reply: FastifyReply) => Promise<unknown>): void {
  const options: RouteOptions = {
    method: e.method,
    url: e.url,
    ...(e.bodyLimit !== undefined ? { bodyLimit: e.bodyLimit } : {}),
    config: { scope: e.scope, idempotent },
    schema: e.compatibility
      ? { hide: true, ...e.schema }
      : { tags: [e.tag], summary: e.summary, security: [{ apiKey: [] }], ...e.schema, response: { ...e.schema.response, ...errorResponses } },
    handler: async (req, reply) => {
      // The pipeline's onRequest hook sets it for every route with a scope, and `config.scope` is set just above.
      const principal = req.principal;
      if (!principal) throw new Error(`${e.method} ${e.url} ran without the pipeline's principal`);
      return handler(req as unknown as Req<S>, principal, reply);
    },
  };
  app.route(options);
}

/**
 * Registers an authenticated route: steps 1–5 of the pipeline run first, then `handler`. With
 * `e.session`, the same handler also answers members at /accounts/:account_id<url>.
 */
export function authenticated<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S> & { session: Permission }, handler: Handler<S, Caller>): void;
export function authenticated<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S>, handler: Handler<S>): void;
export function authenticated<S extends RouteSchema>(app: FastifyInstance, e: Endpoint<S>, handler: Handler<S, Principal> | Handler<S, Caller>): void {
  // A Principal is a Caller; only the overload with `session` may be called with a bare Caller.
  register(app, e, false, handler as Handler<S, Principal>);
  if (e.session === undefined) return;
  const forMembers = handler as Handler<S, Caller>;
  managed(app, { ...e, permission: e.session, schema: e.schema }, (req, actor, reply) =>
    forMembers(req as unknown as Req<S>, { accountId: actor.accountId, scopes: EVERY_SCOPE, actor }, reply),
  );
}

/** A route of signed-in people (the dashboard's API): no scope, a session instead. */
export interface SessionEndpoint<S extends RouteSchema> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  tag: string;
  summary: string;
  schema: S;
}

function registerSession<S extends RouteSchema>(
  app: FastifyInstance,
  e: SessionEndpoint<S>,
  config: { auth: 'session' | 'public'; permission?: Permission; operator?: boolean },
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  const security = config.auth === 'session' ? [{ session: [] }] : [];
  const options: RouteOptions = {
    method: e.method,
    url: e.url,
    config,
    schema: { tags: [e.tag], summary: e.summary, security, ...e.schema, response: { ...e.schema.response, ...errorResponses } },
    handler,
  };
  app.route(options);
}

/**
 * Registers a route of one account for its members: at /accounts/:account_id<url>, for roles
 * that grant `permission` (modules/people/roles.ts). The session hook (http/session.ts) resolves
 * the member and their role; an account they do not belong to answers 404.
 */
export function managed<S extends RouteSchema>(
  app: FastifyInstance,
  e: SessionEndpoint<S> & { permission: Permission },
  handler: (req: Req<S>, actor: AccountActor, reply: FastifyReply) => Promise<unknown>,
): void {
  const schema = { ...e.schema, params: withAccountParam(e.schema.params) };
  registerSession(app, { ...e, url: `/accounts/:account_id${e.url}`, schema }, { auth: 'session', permission: e.permission }, async (req, reply) => {
    const actor = req.accountActor;
    if (!actor) throw new Error(`${e.method} ${e.url} ran without the session hook's member`);
    return handler(req as unknown as Req<S>, actor, reply);
  });
}

/** Registers a route for any signed-in person (their profile, sessions, accounts); `operator` limits it to operators. */
export function signedIn<S extends RouteSchema>(
  app: FastifyInstance,
  e: SessionEndpoint<S> & { operator?: boolean },
  handler: (req: Req<S>, actor: Actor, reply: FastifyReply) => Promise<unknown>,
): void {
  registerSession(app, e, { auth: 'session', ...(e.operator ? { operator: true } : {}) }, async (req, reply) => {
    const actor = req.actor;
    if (!actor) throw new Error(`${e.method} ${e.url} ran without the session hook's actor`);
    return handler(req as unknown as Req<S>, actor, reply);
  });
}

/** Registers a route anyone may call (sign-in, sign-up, the links of emails); its POSTs must come from this origin when a browser sends them. */
export function publicRoute<S extends RouteSchema>(
  app: FastifyInstance,
  e: SessionEndpoint<S>,
  handler: (req: Req<S>, reply: FastifyReply) => Promise<unknown>,
): void {
  registerSession(app, e, { auth: 'public' }, async (req, reply) => handler(req as unknown as Req<S>, reply));
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
