import type { Principal } from '../modules/auth.ts';
import type { IdempotencyClaim } from '../modules/idempotency.ts';
import type { Scope } from '../modules/scopes.ts';

declare module 'fastify' {
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
