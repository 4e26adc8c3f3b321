import type { FileFetcher } from '../providers/files/file-fetcher.ts';
import type { WebhookSender } from '../providers/webhooks/webhook-sender.ts';
import type { Accepts } from './accept/plan.ts';
import type { IdempotencyGate } from './access/idempotency.ts';
import type { Verification } from './email-verify/verifier.ts';
import type { MailDnsSettings } from './messages/domains.ts';
import type { Deps } from './deps.ts';
import type { OtpDeps } from './otp/deps.ts';
import type { PeopleDeps } from './people/deps.ts';
import type { Speech } from './voice/speech.ts';

/** Verifies an address (modules/email-verify/verifier.ts), with the installation's settings. */
export interface AddressVerifier {
  readonly settings: { smtpByDefault: boolean };
  verify(email: string, opts: { smtp: boolean }): Promise<Verification>;
}

/**
 * What modules need besides their arguments: the store, the clock and deployment-wide settings
 * and services — each described by the interface modules use, built in main.ts.
 */
export interface ModuleContext extends Deps {
  /** The deployment's currency, shown with every amount. */
  currency: string;
  /** The group commit of charged requests (steps 8–9 and the outbox write). */
  accepts: Accepts;
  /** Idempotency-Keys: looked up before a request runs, claimed by its group commit. */
  idempotency: IdempotencyGate;
  idempotencyTtlMs: number;
  /** DNS for domain verification and the records a domain must publish. */
  mailDns: MailDnsSettings;
  /** Where webhooks leave (the test endpoint sends from the API process). */
  webhookSender: WebhookSender;
  /** OTP verification: settings, the keys derived from its secret, the shared counters. */
  otp: OtpDeps;
  /** Email verification: its DNS (HELLIO_DNS_SERVERS), SMTP probe settings and per-domain caches. */
  emailVerifier: AddressVerifier;
  /** Sign-in, sign-up, invitations: their settings, the attempt counters, the platform's own mail. */
  people: PeopleDeps;
  /** Text to speech: the voices installed, and speech for calls and previews. */
  speech: Speech;
  /** Files a request names by URL (Resend's attachment `path`): the fetcher, and one request's byte and time budget. */
  files: { fetcher: FileFetcher; maxBytes: number; timeoutMs: number };
}
