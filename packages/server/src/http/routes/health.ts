import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { errorBody } from '../errors.ts';

export function healthRoutes(app: FastifyInstance, ctx: ModuleContext, deps: { ready?: () => Promise<void> }): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'The database (and Redis, if used) answer' } }, async (req, reply) => {
    try {
      await ctx.store.ping();
      await deps.ready?.();
      return { status: 'ready' };
    } catch (err) {
      req.log.warn({ err }, 'not ready');
      return reply.code(503).send(errorBody('not_ready', 'A backing service does not answer'));
    }
  });
}
