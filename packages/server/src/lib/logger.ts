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
    },
    destination,
  );
}
