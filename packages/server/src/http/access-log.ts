import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * The access log: one line per request, written when it is answered, with the request (method,
 * URL without secrets, client), the status and the time taken. Fastify's own writes two lines per
 * request ("incoming request", then "request completed" without the URL); on the accept path each
 * line cost more than a percent of the API thread (docs/performance.md).
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
