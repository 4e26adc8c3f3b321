import type { WebhookSender } from '../providers/webhooks/webhook-sender.ts';
import type { Store } from '../store/store.ts';
import type { AcceptCommitter } from './accept.ts';
import type { IdempotencyClaims } from './idempotency.ts';
import type { MailDnsSettings } from './domains.ts';
import type { OtpDeps } from './otp/otp-deps.ts';
import type { EmailVerifier } from './email-verify/verifier.ts';

/** What modules need besides their arguments: the store and deployment-wide settings. */
export interface ModuleContext {
  store: Store;
  /** Group commit of accepted requests (steps 8–9 and the outbox write). */
  accepts: AcceptCommitter;
  /** Idempotency-Keys: looked up before a request runs, claimed by its group commit. */
  claims: IdempotencyClaims;
  currency: string;
  idempotencyTtlMs: number;
  /** DNS for domain verification and the records a domain must publish. */
  mailDns: MailDnsSettings;
  /** Where webhooks leave (the test endpoint sends from the API process). */
  webhookSender: WebhookSender;
  /** OTP verification: settings, the keys derived from its secret, the shared counters. */
  otp: OtpDeps;
  /** Email verification: its DNS (HELLIO_DNS_SERVERS), SMTP probe settings and per-domain caches. */
  emailVerifier: EmailVerifier;
}
