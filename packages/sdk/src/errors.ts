import type { FieldError } from './types.js';

/** What the SDK knows of a failed request, beyond the server's code and message. */
export interface HellioErrorInit {
  status?: number | undefined;
  code: string;
  message: string;
  errors?: FieldError[] | undefined;
  requestId?: string | undefined;
  headers?: Headers | undefined;
  cause?: unknown;
}

/**
 * Every failure the SDK throws: `status` (HTTP, undefined when no answer came), `code` (the
 * server's machine-readable code, or `connection_error` / `timeout`), `message`, and `errors`
 * (the refused fields of a validation failure). Catch a subclass to handle one kind.
 */
export class HellioError extends Error {
  override name = 'HellioError';
  /** The HTTP status; undefined when the server never answered. */
  readonly status: number | undefined;
  /** The server's error code ("insufficient_scope", "validation_failed"…). */
  readonly code: string;
  /** The fields a validation failure refused, each with why. */
  readonly errors: FieldError[] | undefined;
  /** The server's X-Request-Id: quote it to the operator, whose log has it too. */
  readonly requestId: string | undefined;
  /** The answer's headers, when there was one. */
  readonly headers: Headers | undefined;

  constructor(init: HellioErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

/** 401: no key, or a key that is unknown, revoked or expired. */
export class AuthenticationError extends HellioError {
  override name = 'AuthenticationError';
}

/** 403: the key lacks the scope, the account is not active, the IP is not allowed, a spend cap is reached. */
export class PermissionError extends HellioError {
  override name = 'PermissionError';
}

/** 402: the wallet cannot pay for the request. */
export class InsufficientBalanceError extends HellioError {
  override name = 'InsufficientBalanceError';
}

/** 400 and 422: the request was refused as written; `errors` names the fields. */
export class ValidationError extends HellioError {
  override name = 'ValidationError';
}

/** 404: no such resource in this account. */
export class NotFoundError extends HellioError {
  override name = 'NotFoundError';
}

/** 409: the resource's state forbids it, or the same Idempotency-Key is still executing. */
export class ConflictError extends HellioError {
  override name = 'ConflictError';
}

/** 429: too many requests; `retryAfter` is how many seconds the server asked to wait. */
export class RateLimitError extends HellioError {
  override name = 'RateLimitError';
  /** Seconds to wait before trying again (from Retry-After); null when the server did not say. */
  readonly retryAfter: number | null;

  constructor(init: HellioErrorInit & { retryAfter: number | null }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}

/** No answer: the connection failed or was cut, on every attempt. */
export class ConnectionError extends HellioError {
  override name = 'ConnectionError';
}

/** No answer within `timeout`, on every attempt. */
export class TimeoutError extends HellioError {
  override name = 'TimeoutError';
}

/** A webhook whose signature or timestamp does not check out. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The error for an answer with status ≥ 400, its class chosen by the status. */
export function errorFromResponse(status: number, body: unknown, headers: Headers): HellioError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<Record<string, unknown>>;
  const init: HellioErrorInit = {
    status,
    code: typeof b.code === 'string' ? b.code : `http_${status}`,
    message: typeof b.message === 'string' ? b.message : typeof b.detail === 'string' ? b.detail : `HTTP ${status}`,
    errors: Array.isArray(b.errors) ? (b.errors as FieldError[]) : undefined,
    requestId: headers.get('x-request-id') ?? undefined,
    headers,
  };
  switch (status) {
    case 400:
    case 422:
      return new ValidationError(init);
    case 401:
      return new AuthenticationError(init);
    case 402:
      return new InsufficientBalanceError(init);
    case 403:
      return new PermissionError(init);
    case 404:
      return new NotFoundError(init);
    case 409:
      return new ConflictError(init);
    case 429:
      return new RateLimitError({ ...init, retryAfter: parseRetryAfter(headers.get('retry-after')) });
    default:
      return new HellioError(init);
  }
}
