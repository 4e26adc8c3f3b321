import type { ErrorCode } from '../lib/errors.ts';

/** The one place where error codes become HTTP status codes. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  missing_credentials: 401,
  invalid_credentials: 401,
  account_not_active: 403,
  ip_not_allowed: 403,
  insufficient_scope: 403,
  spend_cap_exceeded: 403,
  insufficient_balance: 402,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  idempotency_in_progress: 409,
  conflict: 409,
  otp_already_approved: 409,
  country_not_allowed: 403,
  otp_cooldown: 429,
  otp_max_sends: 429,
  otp_prefix_blocked: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_json: 400,
  validation_failed: 422,
  idempotency_key_reused: 422,
  sender_not_approved: 422,
  recipient_suppressed: 422,
  rate_limited: 429,
  not_signed_in: 401,
  totp_required: 401,
  csrf_failed: 403,
  forbidden: 403,
  signup_closed: 403,
  token_invalid: 400,
  internal_error: 500,
  not_ready: 503,
  overloaded: 503,
  uri_too_long: 414,
  bad_request: 400,
  headers_too_large: 431,
  request_timeout: 408,
};

/**
 * Outcomes that an Idempotency-Key remembers even though they are errors: the request executed
 * and decided. Validation failures and crashes are not remembered, so a corrected retry runs.
 */
export const REMEMBERED_ERRORS: ReadonlySet<ErrorCode> = new Set(['spend_cap_exceeded', 'insufficient_balance']);
