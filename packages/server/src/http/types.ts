import type { Principal } from '../modules/auth.ts';
import type { IdempotencyClaim } from '../modules/idempotency.ts';
import type { Scope } from '../modules/scopes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route; routes without one are public. */
    scope?: Scope;
    /** The route honours Idempotency-Key (side-effecting POSTs). */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    idempotency: { claim: IdempotencyClaim; settled: boolean } | null;
  }
}
