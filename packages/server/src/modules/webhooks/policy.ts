/**
 * Webhook rules beside the queue's (whose retry schedule, attempts and per-endpoint concurrency
 * are in queue/catalogue.ts): when an endpoint is switched off, how rotations overlap, how many
 * endpoints an account may have. Read by the endpoints, the delivery and the docs.
 */

/** An endpoint whose attempts have failed, without one success, for this long is disabled. */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/** How long the secret replaced by a rotation keeps signing next to the new one. */
export const WEBHOOK_ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** Endpoints one account may register: every event fans out to each of them. */
export const WEBHOOK_MAX_ENDPOINTS = 20;

/** Failed deliveries one bulk replay sends again; a larger backlog takes more calls (each picks up where the last stopped). */
export const WEBHOOK_REPLAY_MAX = 1000;
