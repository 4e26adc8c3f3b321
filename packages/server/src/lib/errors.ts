/**
 * The one catalogue of error codes. Modules raise AppError with a code from here; the HTTP layer
 * maps codes to status codes in one place (http/error-status.ts). Nothing here knows HTTP.
 */
export const ERROR_MESSAGES = {
  missing_credentials: 'Missing API key: send it in the Authorization header',
  invalid_credentials: 'Invalid user credentials',
  account_not_active: 'Account not active',
  ip_not_allowed: 'Your IP address is not allowed',
  insufficient_scope: 'This API key lacks the scope this endpoint needs',
  rate_limited: 'Too many requests',
  idempotency_in_progress: 'A request with this Idempotency-Key is still being processed',
  idempotency_key_reused: 'This Idempotency-Key was already used with a different request',
  invalid_json: 'The request body is not valid JSON',
  validation_failed: 'The request is invalid',
  sender_not_approved: 'The sender is not approved for this account',
  recipient_suppressed: 'The recipient is on this account\'s suppression list (opted out, bounced or complained)',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Send the body as application/json',
  spend_cap_exceeded: 'This request would exceed a spend cap',
  insufficient_balance: 'Insufficient wallet balance',
  not_found: 'Not found',
  route_not_found: 'No such endpoint',
  method_not_allowed: 'Method not allowed',
  not_ready: 'Not ready',
  conflict: 'Conflict',
  country_not_allowed: 'Sending codes to this country is not allowed for this account',
  otp_cooldown: 'A code was sent to this destination moments ago; wait before sending another',
  otp_max_sends: 'This verification has been sent the most times allowed',
  otp_prefix_blocked: 'Sends to this destination prefix are paused (suspected SMS pumping)',
  otp_already_approved: 'This verification was already approved; its code cannot be used again',
  not_signed_in: 'Sign in first',
  csrf_failed: 'This request did not come from the dashboard: send the X-CSRF-Token of your session, from the same origin',
  forbidden: 'Your role does not allow this',
  totp_required: 'Enter the code from your authenticator app',
  token_invalid: 'This link is invalid, was already used or has expired',
  signup_closed: 'Sign-up is closed on this installation: ask an operator for an invitation',
  internal_error: 'Internal server error',
  overloaded: 'The server is busy: retry after the delay in the Retry-After header',
  uri_too_long: 'The request URI is too long',
  bad_request: 'The request is not valid HTTP',
  headers_too_large: 'The request headers are too large',
  request_timeout: 'The request was not received in time',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export interface FieldError {
  field: string;
  message: string;
}

/** A domain failure with a catalogued code; `message` defaults to the catalogue's text. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers the failure implies (Retry-After on 429, for instance). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    opts: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERROR_MESSAGES[code]);
    this.name = 'AppError';
    this.code = code;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

/** A 422 validation_failed carrying one entry per offending field. */
export function validationError(errors: FieldError[]): AppError {
  const first = errors[0];
  const message = first ? `${first.field}: ${first.message}` : ERROR_MESSAGES.validation_failed;
  return new AppError('validation_failed', message, { errors });
}

/** A 404 that reads the same whether the row is missing or belongs to another account. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
