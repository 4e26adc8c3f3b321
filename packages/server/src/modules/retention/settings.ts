/**
 * How long each kind of record is kept (HELLIO_RETENTION_*, docs/retention.md). Periods are in
 * milliseconds; 0 keeps the records forever.
 */
export interface RetentionSettings {
  /** Done and given-up jobs, after they ended. */
  jobsMs: number;
  /** Events, webhook deliveries (no longer pending) and their attempts, after they were made. */
  webhooksMs: number;
  /** Simulated phones' and mailboxes' messages. */
  sandboxMs: number;
  /** Sign-in sessions and one-time tokens (invitations, resets…), after they expired. */
  sessionsMs: number;
  /** OTP verifications, after they expired. */
  otpMs: number;
  /** Number lookups and email verifications, after they were answered. */
  lookupsMs: number;
  /** The audio a call sent, after the call. */
  callAudioMs: number;
  /** Days after which a message's body is redacted, for accounts that set none; 0 = never. */
  bodiesDays: number;
  /** Rows one statement deletes or redacts at most: each is a short transaction of its own. */
  batchSize: number;
  /** A run stops after this long and the next run (soon) carries on. */
  budgetMs: number;
}

const DAY = 86_400_000;

/** The defaults (docs/decisions.md says why each). */
export const RETENTION_DEFAULTS: RetentionSettings = {
  jobsMs: 7 * DAY,
  webhooksMs: 30 * DAY,
  sandboxMs: 7 * DAY,
  sessionsMs: 30 * DAY,
  otpMs: 30 * DAY,
  lookupsMs: 90 * DAY,
  callAudioMs: 30 * DAY,
  bodiesDays: 30,
  batchSize: 500,
  budgetMs: 20_000,
};
