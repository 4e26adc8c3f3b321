import type { Principal } from '../modules/access/auth.ts';
import type { IdempotencyClaim } from '../modules/access/idempotency.ts';
import type { Scope } from '../modules/access/scopes.ts';

/** One route as the app registered it: what the request pipeline applies to it. */
export interface RouteEntry {
  method: string;
  url: string;
  scope: Scope | 'send' | undefined;
  idempotent: boolean;
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
  }
  interface FastifyRequest {
    principal: Principal | null;
    idempotency: { claim: IdempotencyClaim; settled: boolean } | null;
  }
}
