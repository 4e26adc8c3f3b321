import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../lib/errors.ts';
import { isPrivateAddress } from '../../lib/public-address.ts';

/** What the HTTP layer needs of the process's metrics (src/metrics/metrics.ts, built in main.ts). */
export interface MetricsExporter {
  /** One answered request, by its route's pattern. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** The Prometheus text exposition, read now. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

/** The label of requests that matched no route: one value, whatever URLs strangers try. */
export const UNMATCHED_ROUTE = 'unmatched';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time (digests: equal lengths). */
function bearerMatches(req: FastifyRequest, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * Refuses a scrape unless it comes from loopback or a private network (the client address as the
 * rest of the API reads it: X-Forwarded-For only from HELLIO_TRUST_PROXY) or carries the token.
 */
function admit(req: FastifyRequest, token: string | null): void {
  if (isPrivateAddress(req.ip)) return;
  const how = 'Metrics are answered to loopback and private addresses, or with Authorization: Bearer <HELLIO_METRICS_TOKEN>';
  if (token === null) throw new AppError('ip_not_allowed', `${how}; no token is configured`);
  if (req.headers.authorization === undefined) throw new AppError('missing_credentials', how);
  if (!bearerMatches(req, token)) throw new AppError('invalid_credentials');
}

/** The hook that times every request by its route's pattern: installed before any route, so that it covers them all. */
export function timeRequests(app: FastifyInstance, metrics: MetricsExporter): void {
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
}

/** GET /metrics (SPEC §6, docs/operations.md): registered after the OpenAPI plugin, so that the document lists it. */
export function metricsRoutes(app: FastifyInstance, metrics: MetricsExporter, token: string | null): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Answered to loopback and private addresses, or to others with Authorization: Bearer <HELLIO_METRICS_TOKEN> (docs/operations.md).',
        // The empty requirement: no credentials from loopback and private addresses.
        security: [{}, { metricsToken: [] }],
        response: {
          200: {
            description: 'The Prometheus text exposition format, version 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (req, reply) => {
      admit(req, token);
      const { contentType, body } = await metrics.exposition();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    },
  );
}
