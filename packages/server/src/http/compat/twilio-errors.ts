import type { ErrorCode, FieldError } from '../../lib/errors.ts';
import { REQUIRED } from '../../modules/compat/twilio.ts';

/** Twilio's error body: `{code, message, more_info, status}`. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

interface Rule {
  /** Hellio's catalogued code. */
  hellio: ErrorCode;
  /** For validation failures: the Twilio parameter named, and whether the rule is for its absence. */
  field?: string;
  missing?: boolean;
  /** Twilio's error code and HTTP status. */
  code: number;
  status: number;
}

/**
 * THE table of the Twilio-compatible API's errors: Hellio's code (and, for validation, the
 * parameter) → Twilio's code and status. The first rule that fits wins; what no rule names is
 * 20001 (a bad request) for a 4xx and 20500 for the rest.
 */
const RULES: readonly Rule[] = [
  { hellio: 'missing_credentials', code: 20003, status: 401 },
  { hellio: 'invalid_credentials', code: 20003, status: 401 },
  { hellio: 'account_not_active', code: 20005, status: 403 },
  { hellio: 'ip_not_allowed', code: 20403, status: 403 },
  { hellio: 'insufficient_scope', code: 20403, status: 403 },
  { hellio: 'rate_limited', code: 20429, status: 429 },
  { hellio: 'not_found', code: 20404, status: 404 },
  { hellio: 'route_not_found', code: 20404, status: 404 },
  { hellio: 'method_not_allowed', code: 20004, status: 405 },
  { hellio: 'sender_not_approved', code: 21606, status: 400 },
  // Twilio's "Attempt to send to unsubscribed recipient" (the number sent STOP).
  { hellio: 'recipient_suppressed', code: 21610, status: 400 },
  // Twilio's "Account not active" is also its answer to an account out of funds.
  { hellio: 'insufficient_balance', code: 20005, status: 402 },
  { hellio: 'spend_cap_exceeded', code: 20005, status: 403 },
  { hellio: 'validation_failed', field: 'To', missing: true, code: 21604, status: 400 },
  { hellio: 'validation_failed', field: 'To', code: 21211, status: 400 },
  { hellio: 'validation_failed', field: 'From', missing: true, code: 21603, status: 400 },
  { hellio: 'validation_failed', field: 'From', code: 21212, status: 400 },
  { hellio: 'validation_failed', field: 'Body', missing: true, code: 21602, status: 400 },
  { hellio: 'validation_failed', field: 'Body', code: 21617, status: 400 },
  { hellio: 'validation_failed', field: 'StatusCallback', code: 21609, status: 400 },
  { hellio: 'validation_failed', code: 20001, status: 400 },
  { hellio: 'unsupported_media_type', code: 20001, status: 415 },
  { hellio: 'payload_too_large', code: 20001, status: 413 },
  { hellio: 'overloaded', code: 20503, status: 503 },
  { hellio: 'not_ready', code: 20503, status: 503 },
];

/** Twilio's answer to a failure classified as `code` (with its field errors, for validation). */
export function twilioError(code: ErrorCode, message: string, errors: FieldError[] | undefined, hellioStatus: number): TwilioErrorBody {
  const first = errors?.[0];
  const rule = RULES.find(
    (r) =>
      r.hellio === code &&
      (r.field === undefined || r.field === first?.field) &&
      (r.missing === undefined || r.missing === (first?.message === REQUIRED)),
  );
  const twilio = rule ?? (hellioStatus < 500 ? { code: 20001, status: hellioStatus } : { code: 20500, status: 500 });
  return { code: twilio.code, message, more_info: `https://www.twilio.com/docs/errors/${twilio.code}`, status: twilio.status };
}
