import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HTTP_STATUS } from './error-status.ts';
import { errorBody } from './errors.ts';

/** Stops an app's HTTP server in order (see `installDrain`). */
export interface Drain {
  /** True once `close` began: new requests are answered 503 and every response closes its connection. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, lets the requests in flight finish, and resolves once every
   * connection is gone, or at `deadline` (epoch ms) after cutting whatever is left.
   */
  close(deadline: number): Promise<{ forced: boolean }>;
}

// How long kept-alive connections that are idle stay open once draining began: a client that
// sends on one in that time gets a 503 with `Connection: close` (an answer it can act on) rather
// than a reset from a connection closed just as its request went out.
const LINGER_MS = 500;
// How often idle connections are reaped once the linger is over.
const REAP_EVERY_MS = 50;

/**
 * Graceful shutdown of the HTTP side. Hooks answer, while draining, every new request with 503
 * `not_ready` (the SPEC body, `Retry-After: 1`, `Connection: close`) and make every response to a
 * request already in flight close its connection; `close` then closes the listener (new
 * connections are refused, not reset), waits for the answers in flight, and reaps idle
 * connections. The hooks must be added before the app is ready: `buildApp` does, before sessions and the pipeline.
 */
export function installDrain(app: FastifyInstance): Drain {
  const drain = makeDrain(app);
  drains.set(app, drain);
  return drain;
}

const drains = new WeakMap<FastifyInstance, Drain>();

/** The drain `buildApp` installed on this app (its hooks run before sessions and the key pipeline). */
export function drainOf(app: FastifyInstance): Drain {
  const d = drains.get(app);
  if (!d) throw new Error('this app has no drain: build it with buildApp');
  return d;
}

function makeDrain(app: FastifyInstance): Drain {
  let draining = false;
  app.addHook('onRequest', async (req, reply) => {
    if (!draining) return;
    reply.header('connection', 'close').header('retry-after', '1');
    return reply.code(HTTP_STATUS.not_ready).send(errorBody('not_ready', 'The server is shutting down; retry on another instance or in a moment'));
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });
  return {
    get draining() {
      return draining;
    },
    async close(deadline) {
      draining = true;
      const server = app.server;
      // net.Server's close, not http.Server's: the latter also drops the idle kept-alive
      // connections at once, racing the clients about to send on them (a reset, no answer).
      const gone = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      let reaper: NodeJS.Timeout | undefined;
      const linger = setTimeout(() => {
        server.closeIdleConnections();
        reaper = setInterval(() => server.closeIdleConnections(), REAP_EVERY_MS);
      }, LINGER_MS);
      let cut: NodeJS.Timeout | undefined;
      const forced = await Promise.race([gone.then(() => false), new Promise<boolean>((r) => (cut = setTimeout(() => r(true), Math.max(0, deadline - Date.now()))))]);
      clearTimeout(linger);
      clearInterval(reaper);
      clearTimeout(cut);
      if (forced) server.closeAllConnections();
      // Runs the app's onClose hooks; the server is already closed.
      await app.close();
      return { forced };
    },
  };
}
