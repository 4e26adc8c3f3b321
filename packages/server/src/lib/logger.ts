import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The process logger. Authorization and key material are redacted wherever they might appear,
 * as a second line of defence: nothing logs request headers or bodies in the first place.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          'key',
          '*.key',
          'apiKey',
          // Sessions and the people's secrets: the cookie, CSRF tokens, passwords, one-time tokens.
          'req.headers.cookie',
          'headers.cookie',
          'req.headers["x-csrf-token"]',
          'password',
          '*.password',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: { req: requestForLog },
    },
    destination,
  );
}

// Query parameters that carry a secret: Kannel's sendsms takes the key as `password` (or `pass`).
const SECRET_PARAMS = /([?&](?:password|pass)=)[^&#]*/gi;

/** A URL as logged: the values of secret query parameters replaced. */
export function urlForLog(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** The request as the access log shows it (Fastify's fields), its URL without secrets. */
function requestForLog(req: { method?: string; url?: string; host?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : urlForLog(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
