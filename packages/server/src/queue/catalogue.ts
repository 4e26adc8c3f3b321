import type { Backoff } from './job-definition.ts';

/**
 * The closed catalogue of the application's background work: every kind of job, its payload, and
 * how it runs (time limit, retries, attempts, concurrency) — as data. A new kind is one entry in
 * `JobPayloads`, one in `JOB_POLICIES`, one constructor in `Jobs` and one handler in workers/
 * (the type of `JobHandlers` makes a missing handler a compile error).
 */
export interface JobPayloads {
  /** Hand one accepted SMS to the network (its route's provider, or the simulator). */
  'deliver.sms': { message_id: string };
  /** Hand one accepted email to the mail server. */
  'deliver.email': { message_id: string };
  /** POST one event to one webhook endpoint (one row of webhook_deliveries). */
  'webhook.deliver': { delivery_id: string };
  /** Place one accepted call: synthesise its speech, dial, play, hang up, bill. */
  'voice.call': { call_id: string };
  /** Delete and redact what has outlived its retention period, a time budget at a time (recurring). */
  'retention.purge': Record<string, never>;
  /** Apply the receipt a simulated network promised for one part, when it is due (as an SMPP receipt is applied). */
  'sms.simulated_receipt': { provider: string; provider_message_id: string; status: string; detail: string };
  /** Make `undelivered` (receipt_timeout) the messages left `sent` without a receipt past their channel's timeout; one batch a run. */
  'messages.expire_receipts': Record<string, never>;
  /** Report one status change of a message sent through a compatibility API (Twilio's StatusCallback, Kannel's dlr-url). */
  'compat.status_callback': { message_id: string; status: string };
}

export type JobKind = keyof JobPayloads;

/** How a kind of job runs. */
export interface JobPolicy {
  /** A run taking longer is abandoned and retried. */
  timeoutMs: number;
  /** Runs in all, the first included. */
  maxAttempts: number;
  backoff: Backoff;
  /** At most this many jobs of one group (the job's group) run at once, across all workers. */
  groupConcurrency?: number;
  /** At most this many jobs of the kind run at once in one worker process. */
  concurrency?: number;
  /** Runs for minutes: its claim is renewed while it runs (queue/job-definition.ts). */
  renewsLease?: boolean;
}

/** About a day of retries (5 s doubling to a 1 h cap) before a message is failed and refunded. */
const DELIVERY_RETRIES = { maxAttempts: 30, backoff: { baseMs: 5_000, maxMs: 3_600_000 } } as const;

/** Webhook retries, Standard Webhooks' suggestion as Svix runs it: ~5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (≈ 28 h), jittered. */
export const WEBHOOK_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** Attempts of a webhook delivery in all: the first and one per scheduled retry. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_SCHEDULE_MS.length + 1;

/** Requests in flight to one webhook endpoint at once, so a slow endpoint holds few workers and delays no other. */
export const WEBHOOK_ENDPOINT_CONCURRENCY = 4;

/** One webhook attempt's default budget (HELLIO_WEBHOOK_TIMEOUT_MS): connect, send, and the receiver's answer. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * Email jobs one worker process runs at once: enough to keep an SMTP pool busy and its outcomes
 * batched (64 left PostgreSQL's round trips showing: ~870 against ~1,070 emails/s with 256 in
 * bench/deliver), bounded because each waits for a connection (SmtpProvider gives a message up
 * unsent after 60 s of that, before its job's 120 s run out).
 */
export const EMAIL_CONCURRENCY = 256;

/**
 * Calls one worker process carries at once (docs/performance.md measures what one core holds).
 * A call job runs as long as its ringing and answered time, so it renews its claim.
 */
export const VOICE_CONCURRENCY = 100;

/** The longest a call job runs: the longest ring, the longest time limit, and synthesis. */
export const VOICE_CALL_TIMEOUT_MS = (120 + 3_600 + 120) * 1_000;

/** Every kind's policy. */
export const JOB_POLICIES: { readonly [K in JobKind]: JobPolicy } = {
  'deliver.sms': { timeoutMs: 60_000, ...DELIVERY_RETRIES },
  'deliver.email': { timeoutMs: 120_000, concurrency: EMAIL_CONCURRENCY, ...DELIVERY_RETRIES },
  'webhook.deliver': {
    // The HTTP attempt has its own limit; this one also covers the bookkeeping around it.
    timeoutMs: WEBHOOK_TIMEOUT_MS + 15_000,
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    backoff: { scheduleMs: WEBHOOK_RETRY_SCHEDULE_MS, jitter: 0.2 },
    groupConcurrency: WEBHOOK_ENDPOINT_CONCURRENCY,
  },
  // A call whose trunks all failed is tried again twice within the minute, then failed and
  // refunded: a late call (an OTP code that has expired) is worth less than an honest failure.
  'voice.call': {
    timeoutMs: VOICE_CALL_TIMEOUT_MS,
    maxAttempts: 3,
    backoff: { baseMs: 10_000, maxMs: 30_000 },
    concurrency: VOICE_CONCURRENCY,
    renewsLease: true,
  },
  // A failed run is tried again soon; the next scheduled run comes anyway. Its time limit stays
  // within the longest other kind's (email, 120 s): the worker's lease follows the longest limit,
  // and a longer one would make every dead worker's jobs wait longer (the run stops at its budget).
  'retention.purge': { timeoutMs: 120_000, maxAttempts: 3, backoff: { baseMs: 30_000, maxMs: 300_000 } },
  // A receipt is a few rows in one transaction; retried soon when the database was busy.
  'sms.simulated_receipt': { timeoutMs: 30_000, maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 60_000 } },
  // One sweep batch; the next run (the recurring schedule) takes what is left, so no retries pile up.
  'messages.expire_receipts': { timeoutMs: 60_000, maxAttempts: 3, backoff: { baseMs: 5_000, maxMs: 60_000 } },
  // One POST, on the webhooks' schedule: a customer's callback that is down for a day still gets it.
  'compat.status_callback': {
    timeoutMs: WEBHOOK_TIMEOUT_MS + 15_000,
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    backoff: { scheduleMs: WEBHOOK_RETRY_SCHEDULE_MS, jitter: 0.2 },
  },
};

/**
 * Background work that repeats: the kinds that always have exactly one live job, and how long
 * after one run ends the next one is due. `queue/recurring.ts` keeps the one job in existence
 * (any number of worker processes) and its handler wrapper schedules the next run. A kind becomes
 * recurring with one line here; its payload is `Record<string, never>` and its handler is
 * wrapped in `recurring(kind, …)`.
 */
export const RECURRING: ReadonlyArray<{ kind: RecurringKind; everyMs: number }> = [
  { kind: 'retention.purge', everyMs: 10 * 60_000 },
  { kind: 'messages.expire_receipts', everyMs: 5 * 60_000 },
];

/** The kinds whose payload is empty: the ones that can recur. */
export type RecurringKind = { [K in JobKind]: JobPayloads[K] extends Record<string, never> ? K : never }[JobKind];

/** The payload fields of each kind (all strings): what a stored payload is checked against before its handler sees it. */
export const PAYLOAD_FIELDS: { readonly [K in JobKind]: ReadonlyArray<keyof JobPayloads[K]> } = {
  'deliver.sms': ['message_id'],
  'deliver.email': ['message_id'],
  'webhook.deliver': ['delivery_id'],
  'voice.call': ['call_id'],
  'retention.purge': [],
  'sms.simulated_receipt': ['provider', 'provider_message_id', 'status', 'detail'],
  'messages.expire_receipts': [],
  'compat.status_callback': ['message_id', 'status'],
};

declare const madeByJobs: unique symbol;

/** A job to enqueue. Only the constructors of `Jobs` make one, so a kind and its payload always agree. */
export interface NewJob<K extends JobKind = JobKind> {
  readonly kind: K;
  readonly payload: JobPayloads[K];
  /** When it becomes due; now when absent. */
  readonly runAt?: number;
  /** The group the kind's groupConcurrency counts by (a webhook endpoint). */
  readonly group?: string;
  /** Fewer attempts than the kind's policy gives. */
  readonly maxAttempts?: number;
  /** No second live (pending or running) job with this key is made: recurring jobs carry their kind. */
  readonly dedupeKey?: string;
  readonly [madeByJobs]: true;
}

const job = <K extends JobKind>(j: Omit<NewJob<K>, typeof madeByJobs>) => j as NewJob<K>;

/** The constructors of every job the application enqueues. */
export const Jobs = {
  /** Delivers an accepted message on its channel, when it is due (its schedule, or now). */
  deliverMessage(m: { id: string; channel: string; scheduled_at: number | null }): NewJob<'deliver.sms' | 'deliver.email'> {
    const payload = { message_id: m.id };
    const runAt = m.scheduled_at ?? undefined;
    if (m.channel === 'sms') return job({ kind: 'deliver.sms', payload, ...(runAt !== undefined ? { runAt } : {}) });
    if (m.channel === 'email') return job({ kind: 'deliver.email', payload, ...(runAt !== undefined ? { runAt } : {}) });
    throw new Error(`no delivery job for the channel ${m.channel}`);
  },

  /** Places an accepted call. */
  placeCall(callId: string): NewJob<'voice.call'> {
    return job({ kind: 'voice.call', payload: { call_id: callId } });
  },

  /** The receipt a simulated network promised for one part, due at `runAt` (written with the message's `sent` step). */
  simulatedReceipt(
    r: { provider: string; providerMessageId: string; status: 'delivered' | 'undelivered' | 'failed'; detail: string },
    runAt: number,
  ): NewJob<'sms.simulated_receipt'> {
    return job({ kind: 'sms.simulated_receipt', payload: { provider: r.provider, provider_message_id: r.providerMessageId, status: r.status, detail: r.detail }, runAt });
  },

  /** A receipt-timeout sweep outside its schedule (the scheduled ones are `recurring`; docs/reliability.md). */
  expireReceipts(runAt?: number): NewJob<'messages.expire_receipts'> {
    return job({ kind: 'messages.expire_receipts', payload: {}, ...(runAt !== undefined ? { runAt } : {}) });
  },

  /** Delivers one event to one endpoint, on the retry schedule; `{ once: true }` for a manual retry (one attempt). */
  deliverWebhook(deliveryId: string, endpointId: string, opts: { once?: boolean } = {}): NewJob<'webhook.deliver'> {
    return job({ kind: 'webhook.deliver', payload: { delivery_id: deliveryId }, group: endpointId, ...(opts.once ? { maxAttempts: 1 } : {}) });
  },

  /** Reports a message's move to `status` to the callback it was sent with (message_callbacks). */
  statusCallback(messageId: string, status: string): NewJob<'compat.status_callback'> {
    return job({ kind: 'compat.status_callback', payload: { message_id: messageId, status } });
  },

  /** The next run of a recurring kind, due at `runAt`: the only live job of its kind (its dedupe key). */
  recurring<K extends RecurringKind>(kind: K, runAt: number): NewJob<K> {
    return job({ kind, payload: {} as JobPayloads[K], runAt, dedupeKey: kind });
  },
};
