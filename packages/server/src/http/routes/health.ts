import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { HTTP_STATUS } from '../error-status.ts';
import { errorBody } from '../errors.ts';

/** /healthz (the process is up) and /readyz (it can serve: the database answers). */
export function healthRoutes(app: FastifyInstance, ctx: ModuleContext, deps: { degraded?: () => string[] }): void {
  app.get('/healthz', { schema: { tags: ['health'], security: [], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], security: [], summary: 'The database answers; `degraded` names services worked around (Redis)' } }, async (req, reply) => {
    try {
      await ctx.store.ping();
    } catch (err) {
      req.log.warn({ err }, 'not ready');
      return reply.code(HTTP_STATUS.not_ready).send(errorBody('not_ready', 'A backing service does not answer'));
    }
    // Redis down is not "not ready": every process would leave the load balancer at once, for a
    // counter this process can keep alone meanwhile. It is said, so that monitoring sees it.
    const degraded = deps.degraded?.() ?? [];
    return degraded.length > 0 ? { status: 'ready', degraded } : { status: 'ready' };
  });
}
