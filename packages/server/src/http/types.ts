import type { Principal } from '../modules/access/auth.ts';
import type { CredentialForm } from './credentials.ts';
import type { IdempotencyClaim } from '../modules/access/idempotency.ts';
import type { Scope } from '../modules/access/scopes.ts';
import type { AccountActor, Actor } from '../modules/people/actor.ts';
import type { Permission } from '../modules/people/roles.ts';

/** How a route is reached: an API key, a signed-in session, or by anyone. */
export type RouteAuth = 'key' | 'session' | 'public';

/** One route as the app registered it: what the request pipeline applies to it. */
export interface RouteEntry {
  method: string;
  url: string;
  scope: Scope | 'send' | undefined;
  idempotent: boolean;
  auth: RouteAuth;
  /** Key routes: how the key is carried (bearer unless a compatibility API says otherwise). */
  credentials: CredentialForm;
  /** Session routes in an account (/accounts/:account_id/…): what the member's role must grant. */
  permission: Permission | undefined;
  /** Session routes only operators may use (/admin/…). */
  operator: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app, in registration order (HEAD routes Fastify adds for GETs included). */
    routeTable: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    /**
     * The scope a key needs for this route; routes without one are public. "send" admits a key
     * with any send scope, and the module then checks the one the resource needs.
     */
    scope?: Scope | 'send';
    /** The route honours Idempotency-Key (side-effecting POSTs). */
    idempotent?: boolean;
    /** How the key is carried (http/credentials.ts); Authorization: Bearer when absent. */
    credentials?: CredentialForm;
    /** Set on session and public routes (http/session.ts); key routes are those with a scope. */
    auth?: RouteAuth;
    /** A session route in an account: the permission the member's role must grant. */
    permission?: Permission;
    /** A session route for operators only. */
    operator?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The signed-in person (session routes). */
    actor: Actor | null;
    /** The signed-in person in the account of the path, with their role (account routes). */
    accountActor: AccountActor | null;
    /** The session cookie's secret (session routes), from which the CSRF token is derived. */
    sessionSecret: string | null;
    idempotency: { claim: IdempotencyClaim; settled: boolean } | null;
  }
}
