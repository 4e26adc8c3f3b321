import type { ErrorCode, FieldError } from '../lib/errors.ts';
import { HTTP_STATUS } from './error-status.ts';

/** Where Resend's compatibility API is served: errors under it leave in Resend's body. */
export const RESEND_PREFIX = '/resend';

/** Resend's error body: what its clients read (`resend` for Node returns it as `error`). */
export interface ResendErrorBody {
  statusCode: number;
  name: string;
  message: string;
}

/**
 * The one mapping of Hellio's error codes to Resend's error names and statuses
 * (docs/compat-resend.md). A code not listed keeps its Hellio status, named `validation_error`
 * for a 4xx and `application_error` for a 5xx, so a new code never answers a stack of undefineds.
 */
export const RESEND_ERRORS: Partial<Record<ErrorCode, { name: string; status: number }>> = {
  missing_credentials: { name: 'missing_api_key', status: 401 },
  invalid_credentials: { name: 'invalid_api_key', status: 403 },
  // A key of a suspended account cannot be used at all: Resend's word for a key that does not work.
  account_not_active: { name: 'invalid_api_key', status: 403 },
  ip_not_allowed: { name: 'invalid_access', status: 403 },
  insufficient_scope: { name: 'restricted_api_key', status: 401 },
  rate_limited: { name: 'rate_limit_exceeded', status: 429 },
  spend_cap_exceeded: { name: 'daily_quota_exceeded', status: 429 },
  insufficient_balance: { name: 'monthly_quota_exceeded', status: 429 },
  idempotency_in_progress: { name: 'concurrent_idempotent_requests', status: 409 },
  idempotency_key_reused: { name: 'invalid_idempotent_request', status: 409 },
  invalid_json: { name: 'validation_error', status: 400 },
  validation_failed: { name: 'validation_error', status: 422 },
  // Resend answers an unverified sending domain with a 403 validation_error.
  sender_not_approved: { name: 'validation_error', status: 403 },
  not_found: { name: 'not_found', status: 404 },
  route_not_found: { name: 'not_found', status: 404 },
  method_not_allowed: { name: 'method_not_allowed', status: 405 },
  conflict: { name: 'validation_error', status: 409 },
  internal_error: { name: 'internal_server_error', status: 500 },
};

/** Resend's finer names for a validation failure, from its first field: a missing field, the sender, an attachment, the key header. */
function validationName(first: FieldError | undefined): { name: string; status: number } | null {
  if (!first) return null;
  const field = first.field.replace(/^\[\d+\]\./, '');
  if (field === 'Idempotency-Key') return { name: 'invalid_idempotency_key', status: 400 };
  if (first.message === 'is required') return { name: 'missing_required_field', status: 422 };
  if (field === 'from') return { name: 'invalid_from_address', status: 422 };
  if (field.startsWith('attachments')) return { name: 'invalid_attachment', status: 422 };
  return null;
}

/** Whether a request is one of Resend's compatibility API (its errors take Resend's body). */
export function isResendPath(url: string): boolean {
  return url === RESEND_PREFIX || url.startsWith(`${RESEND_PREFIX}/`);
}

/** A Hellio error as Resend answers it: status and `{statusCode, name, message}`. */
export function resendError(code: ErrorCode, message: string, errors?: FieldError[]): { status: number; body: ResendErrorBody } {
  const mapped = (code === 'validation_failed' ? validationName(errors?.[0]) : null) ?? RESEND_ERRORS[code];
  const status = mapped?.status ?? HTTP_STATUS[code];
  const name = mapped?.name ?? (status >= 500 ? 'application_error' : 'validation_error');
  return { status, body: { statusCode: status, name, message } };
}
