import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_MESSAGES, type ErrorCode, type FieldError } from '../lib/errors.ts';
import type { IdempotencyGate } from '../modules/access/idempotency.ts';
import { HTTP_STATUS, REMEMBERED_ERRORS } from './error-status.ts';
import { isDatabaseUnreachable } from '../lib/database-unreachable.ts';
import { allowedMethods } from './edge.ts';
import type { RouteEntry } from './types.ts';
import { isResendPath, resendError } from './resend-errors.ts';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  detail: string;
  errors?: FieldError[];
}

/** The SPEC's error body: `detail` repeats `message` so HeliosSend clients keep working. */
export function errorBody(code: ErrorCode, message: string = ERROR_MESSAGES[code], errors?: FieldError[]): ErrorBody {
  return errors ? { code, message, detail: message, errors } : { code, message, detail: message };
}

const AJV_MESSAGES: Record<string, (params: Record<string, unknown>) => string> = {
  required: () => 'is required',
  type: (p) => `must be ${String(p.type).replace(',', ' or ')}`,
  additionalProperties: () => 'is not a known field',
  minLength: (p) => (p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`),
  maxLength: (p) => `must be at most ${p.limit} characters`,
  minItems: (p) => `must have at least ${p.limit} item(s)`,
  maxItems: (p) => `must have at most ${p.limit} items`,
  enum: (p) => `must be one of ${(p.allowedValues as unknown[]).join(', ')}`,
  minimum: (p) => `must be ≥ ${p.limit}`,
  maximum: (p) => `must be ≤ ${p.limit}`,
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns Ajv's errors into `{field, message}` with dotted paths ("to[2]", "headers.X-Foo"). */
function fieldErrors(errors: AjvError[], context: string | undefined): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    // oneOf/anyOf repeat each branch's complaint; the branch errors already say it better.
    if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && errors.length > 1) continue;
    let path = e.instancePath
      .split('/')
      .filter(Boolean)
      .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
      .join('')
      .replace(/^\./, '');
    if (e.keyword === 'required') path = path ? `${path}.${e.params.missingProperty}` : String(e.params.missingProperty);
    if (e.keyword === 'additionalProperties') path = path ? `${path}.${e.params.additionalProperty}` : String(e.params.additionalProperty);
    if (!path) path = context === 'body' ? 'body' : (context ?? 'request');
    const message = AJV_MESSAGES[e.keyword]?.(e.params) ?? e.message ?? 'is invalid';
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: path, message });
  }
  return out;
}

/** Classifies anything thrown into the SPEC's code, status, body and extra headers (the compatibility APIs then say it in their own words). */
export function classify(err: FastifyError | AppError | Error): { code: ErrorCode; message?: string; errors?: FieldError[]; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return { code: err.code, message: err.message, ...(err.errors ? { errors: err.errors } : {}), ...(err.headers ? { headers: err.headers } : {}) };
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const errors = fieldErrors(fe.validation as AjvError[], fe.validationContext);
    const first = errors[0];
    return { code: 'validation_failed', message: first ? `${first.field}: ${first.message}` : ERROR_MESSAGES.validation_failed, errors };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'uri_too_long' };
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'bad_request' };
  }
  // Fastify reports JSON syntax errors as SyntaxError with status 400.
  if (err instanceof SyntaxError && fe.statusCode === 400) return { code: 'invalid_json' };
  if (fe.statusCode === 413) return { code: 'payload_too_large' };
  if (fe.statusCode === 415) return { code: 'unsupported_media_type' };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { code: 'validation_failed', message: 'The request is malformed' };
  }
  // The database restarting or out of reach: a retry in a moment works, so it is said so.
  if (isDatabaseUnreachable(err)) return { code: 'not_ready', message: DATABASE_GONE, headers: { 'retry-after': '1' } };
  return { code: 'internal_error' };
}

const DATABASE_GONE = 'The database does not answer at the moment: retry after the delay in the Retry-After header';

// A path echoed in a 404 is cut here: the message names the miss without repeating a long URL.
const ECHOED_PATH_CHARS = 120;

/** Sends a refusal of the router, in Resend's body under its compatibility API. */
function send(reply: FastifyReply, path: string, code: 'method_not_allowed' | 'route_not_found', message: string) {
  if (isResendPath(path)) {
    const r = resendError(code, message);
    return reply.code(r.status).send(r.body);
  }
  return reply.code(HTTP_STATUS[code]).send(errorBody(code, message));
}

/** Installs the error and not-found handlers: every failure leaves in the SPEC's body (Resend's under /resend). */
export function installErrorHandling(app: FastifyInstance, idempotency: IdempotencyGate, routeTable: RouteEntry[]): void {
  const methodsOf = allowedMethods(routeTable);
  app.setErrorHandler(async (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const c = classify(err);
    let message = c.message;
    if (c.code === 'not_ready') req.log.warn({ err: (err as Error).message }, 'database unreachable');
    if (c.code === 'internal_error') {
      // The stack and any SQL stay in the log, next to the request id the client is given.
      req.log.error({ err }, 'request failed');
      message = `Internal server error (request ${req.id})`;
    }
    const hellio = errorBody(c.code, message, c.errors);
    // Resend's compatibility API answers in Resend's body (http/resend-errors.ts), replays too.
    const resend = isResendPath(req.url.split('?')[0]!) ? resendError(c.code, hellio.message, c.errors) : null;
    const status = resend?.status ?? HTTP_STATUS[c.code];
    const body = resend?.body ?? hellio;
    if (req.idempotency && !req.idempotency.settled) {
      req.idempotency.settled = true;
      const claim = req.idempotency.claim;
      try {
        // Anything else leaves no row: a corrected retry with the same key executes.
        if (REMEMBERED_ERRORS.has(c.code)) await idempotency.remember(claim, status, JSON.stringify(body));
      } catch (e) {
        req.log.error({ err: e }, 'could not settle idempotency key');
      }
    }
    if (c.headers) reply.headers(c.headers);
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = methodsOf(path);
    if (allowed.length > 0) {
      // The path exists with other methods: 405, and Allow lists them (RFC 9110 §15.5.6).
      reply.header('allow', allowed.join(', '));
      return send(reply, path, 'method_not_allowed', `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`);
    }
    const shown = path.length > ECHOED_PATH_CHARS ? `${path.slice(0, ECHOED_PATH_CHARS)}…` : path;
    return send(reply, path, 'route_not_found', `No endpoint ${req.method} ${shown}`);
  });
}
