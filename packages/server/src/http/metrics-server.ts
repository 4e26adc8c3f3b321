import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { HTTP_STATUS } from './error-status.ts';
import { errorBody } from './errors.ts';
import { type MetricsExporter, metricsRoutes } from './routes/metrics.ts';

/**
 * The HTTP server of a process that serves no API (`hellio worker` with HELLIO_WORKER_METRICS_PORT):
 * GET /metrics under the same rule as the API's, and /healthz. A worker's counters (messages
 * finished, webhook attempts) and its SMPP link exist only in that process, so it must be
 * scraped itself (docs/operations.md).
 */
export async function buildMetricsServer(deps: { exporter: MetricsExporter; token: string | null; trustProxy: string[]; logger: Logger }): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => newId('req'),
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
  }) as unknown as FastifyInstance;
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) return reply.code(HTTP_STATUS[err.code]).send(errorBody(err.code, err.message));
    req.log.error({ err }, 'metrics request failed');
    return reply.code(500).send(errorBody('internal_error'));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(errorBody('route_not_found')));
  metricsRoutes(app, deps.exporter, deps.token);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.ready();
  return app;
}
