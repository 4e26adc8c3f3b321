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
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'key', '*.key', 'apiKey'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
