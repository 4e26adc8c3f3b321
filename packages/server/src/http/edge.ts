import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type ErrorCode, ERROR_MESSAGES, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { HttpLimits } from '../lib/http-limits.ts';
import { HTTP_STATUS } from './error-status.ts';
import type { RouteEntry } from './types.ts';

/** What a shed client is told to wait: long enough to let a burst drain, short enough not to stall it. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;
// Paths the in-flight cap never refuses: a load balancer must still see the process alive and ready.
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

function errorJson(code: ErrorCode, message: string = ERROR_MESSAGES[code]): string {
  return JSON.stringify({ code, message, detail: message });
}

/**
 * The Fastify options that bound every connection: Node's deadlines for the headers and for the
 * whole request (both measured from the connection or the previous request, so a client that
 * trickles bytes is cut off), the keep-alive idle time, and an inactivity timeout that also
 * catches a client that stops reading its answer. Node checks the first two on a timer; it runs
 * often enough here that a deadline is kept within a fraction of itself (30 s by default).
 */
export function serverOptions(limits: HttpLimits) {
  const checkEvery = Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
  return {
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: checkEvery },
  };
}

/**
 * Fastify's handler for what the HTTP parser or Node's deadlines refuse before a request exists
 * (malformed HTTP, headers too large, a chunk size that overflows, a request not received in
 * time): there is no reply object, so the SPEC body and an X-Request-Id are written to the
 * socket by hand, and the connection is closed (what follows on it cannot be trusted).
 */
export function clientErrorHandler(log: Logger) {
  return function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed) return;
    const code: ErrorCode =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request';
    const id = newId('req');
    log.debug({ err: { code: err.code, message: err.message }, reqId: id }, 'client error');
    // A response already under way on this socket cannot be followed by another one.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const body = errorJson(code);
      const status = HTTP_STATUS[code];
      socket.write(
        `HTTP/1.1 ${status} ${httpReason(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function httpReason(status: number): string {
  return { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status] ?? 'Error';
}

/**
 * Fastify's own refusals before routing: a path parameter longer than the router allows (414)
 * and a path that is not valid percent-encoding (400). The SPEC body never echoes the URL.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_request';
  void reply
    .code(HTTP_STATUS[code])
    .header('x-request-id', req.id)
    .type('application/json; charset=utf-8')
    .send(errorJson(code));
}

/** Whether the process is too busy to take more: what the load shedder asks besides its count. */
export interface BusySignal {
  busy(): boolean;
  close(): void;
}

/** What the event-loop gauge reads: Node's delay histogram (perf_hooks), or a fake in tests. */
export interface DelayHistogram {
  /** Mean delay in nanoseconds since the last reset. */
  readonly mean: number;
  reset(): void;
}

// How often the event loop's delay is judged: each judgement holds until the next one.
const LOOP_SAMPLE_MS = 200;

/**
 * Busy when the event loop's mean delay over the last sample window exceeds `maxDelayMs`: then
 * every request waits that long before a line of ours runs, and each one taken on makes it worse.
 * `tick` is exposed for tests; in service a timer calls it every 200 ms.
 */
export function eventLoopBusy(maxDelayMs: number, histogram: DelayHistogram = startHistogram()): BusySignal & { tick(): void } {
  let busy = false;
  const tick = () => {
    busy = Number.isFinite(histogram.mean) && histogram.mean / 1e6 > maxDelayMs;
    histogram.reset();
  };
  const timer = setInterval(tick, LOOP_SAMPLE_MS);
  timer.unref();
  return {
    busy: () => busy,
    tick,
    close: () => {
      clearInterval(timer);
      (histogram as Partial<IntervalHistogram>).disable?.();
    },
  };
}

function startHistogram(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return h;
}

/**
 * The load shedder: at most `maxInFlight` requests are handled at once, and none is taken on
 * while `busy` says the process is saturated (the event loop's delay, when configured); past
 * either, a request is answered at once with 503 overloaded and Retry-After, before its body is
 * read, on a connection that is then closed — so a burst costs a few bytes per refused request
 * instead of a queue that grows with it. Health checks are never shed. It is the first hook, so
 * nothing else has run for a shed request.
 */
export function installLoadShedding(app: FastifyInstance, opts: { maxInFlight: number; busy?: BusySignal | null }): { inFlight(): number } {
  let inFlight = 0;
  const busy = opts.busy ?? null;
  if (busy) app.addHook('onClose', async () => busy.close());
  app.addHook('onRequest', (req, reply, done) => {
    if (HEALTH_PATHS.has(req.url.split('?')[0]!)) return done();
    if (inFlight >= opts.maxInFlight || busy?.busy()) {
      void reply
        .code(HTTP_STATUS.overloaded)
        .headers({
          'x-request-id': req.id,
          'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS),
          connection: 'close',
        })
        .type('application/json; charset=utf-8')
        .send(errorJson('overloaded'));
      return;
    }
    inFlight++;
    // 'close' comes once per response, whether it was sent or the client went away.
    reply.raw.once('close', () => inFlight--);
    done();
  });
  return { inFlight: () => inFlight };
}

/**
 * A JSON body parser that refuses invalid UTF-8 (422 validation_failed) instead of reading it as
 * U+FFFD, then hands the text to Fastify's own JSON parser (which refuses __proto__ poisoning).
 */
export function installStrictJsonParser(app: FastifyInstance, opts: { emptyIsNoBody?: boolean } = {}): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    // Some clients send a bodiless POST as JSON (the resend client's cancel): no body, not bad JSON.
    if (opts.emptyIsNoBody && (body as Buffer).length === 0) {
      done(null, undefined);
      return;
    }
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      done(validationError([{ field: 'body', message: 'must be valid UTF-8' }]), undefined);
      return;
    }
    parseJson(req, text, done);
  });
}

// find-my-way's pattern syntax as used by our routes: ":name" is one segment, "*" the rest.
function patternToRegExp(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Which methods a path is served with, from the route table: a known path asked with another
 * method is a 405 with Allow, an unknown one a 404. Built at the first miss, when every route exists.
 */
export function allowedMethods(routeTable: RouteEntry[]): (path: string) => string[] {
  let compiled: Array<{ re: RegExp; method: string }> | null = null;
  return (path) => {
    compiled ??= routeTable.map((r) => ({ re: patternToRegExp(r.url), method: r.method }));
    return [...new Set(compiled.filter((c) => c.re.test(path)).map((c) => c.method))].sort();
  };
}
