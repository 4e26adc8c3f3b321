/** @hellio/sdk: Hellio's client for Node.js (docs/sdk.md). */
export { Hellio, type HellioOptions } from './client.js';
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  HellioError,
  InsufficientBalanceError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  TimeoutError,
  ValidationError,
  WebhookVerificationError,
} from './errors.js';
export { backoffMs, MAX_RETRY_AFTER_SECONDS, type RequestOptions, VERSION } from './transport.js';
export { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS, type VerifyOptions, type WebhookHeaders } from './webhook-verify.js';
export type * from './types.js';
export { Hellio as default } from './client.js';
