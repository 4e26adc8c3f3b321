/**
 * How webhooks are delivered, as data: the queue's job kind, the retry schedule (Standard
 * Webhooks' suggestion, as Svix runs it), limits. Read by the fan-out, the job and the docs.
 */
export const WEBHOOK_JOB_KIND = 'webhook.deliver';

/** Delays before each retry: ~5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (≈ 28 h in all), jittered. */
export const WEBHOOK_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** Attempts in all: the first and one per scheduled retry. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_SCHEDULE_MS.length + 1;

/** One attempt's whole budget: connect, send, and the receiver's answer. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/** Requests in flight to one endpoint at once, so a slow endpoint holds few workers and delays no other. */
export const WEBHOOK_ENDPOINT_CONCURRENCY = 4;

/** An endpoint whose attempts have failed, without one success, for this long is disabled. */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/** How long the secret replaced by a rotation keeps signing next to the new one. */
export const WEBHOOK_ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** Endpoints one account may register: every event fans out to each of them. */
export const WEBHOOK_MAX_ENDPOINTS = 20;
