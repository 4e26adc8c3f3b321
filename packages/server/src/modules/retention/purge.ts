import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { PurgeTable } from '../../store/repos/retention.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { FINAL_CALL_STATUSES } from '../voice/views.ts';
import type { RetentionSettings } from './settings.ts';

const DAY = 86_400_000;

/** What one purge run did: rows deleted per table, messages redacted, and whether it ran out of time. */
export interface PurgeReport {
  deleted: Partial<Record<PurgeTable, number>>;
  redacted: number;
  campaignsRedacted: number;
  callsRedacted: number;
  /** Inbound emails whose subject, bodies and attachments went (docs/inbound.md). */
  inboundEmailsRedacted: number;
  /** The time budget ran out with work left: the next run should come soon. */
  more: boolean;
}

/** Each table's cutoff at `now` (null: kept forever). */
export function cutoffs(s: RetentionSettings, now: number): Record<PurgeTable, number | null> {
  const before = (ms: number) => (ms > 0 ? now - ms : null);
  return {
    // An Idempotency-Key is kept for its TTL (HELLIO_IDEMPOTENCY_TTL_HOURS), written into expires_at.
    idempotency_keys: now,
    jobs: before(s.jobsMs),
    // Attempts, then deliveries, then their events: a run that stops in between never leaves a
    // delivery whose event is gone (the delivery log joins them).
    webhook_attempts: before(s.webhooksMs),
    webhook_deliveries: before(s.webhooksMs),
    events: before(s.webhooksMs),
    sessions: before(s.sessionsMs),
    user_tokens: before(s.sessionsMs),
    otp_verifications: before(s.otpMs),
    sandbox_inbox: before(s.sandboxMs),
    lookups: before(s.lookupsMs),
    email_verifications: before(s.lookupsMs),
    call_audio: before(s.callAudioMs),
    // Not a setting: a long SMS whose parts are a day apart will never be whole (docs/inbound.md).
    inbound_parts: now - DAY,
  };
}

/**
 * Deletes what has outlived its retention period and redacts the bodies of old messages, in
 * batches of `batchSize` rows — one short statement (or transaction) each, yielding to other work
 * between them — until nothing is left or `budgetMs` of real time has passed (then `more`).
 * Safe to run from several processes at once: every batch only removes what is already old.
 */
export async function purge(deps: Deps, s: RetentionSettings): Promise<PurgeReport> {
  const { store } = deps;
  const now = deps.clock.now();
  // The budget is real elapsed time (how long the run holds a worker), not the domain's clock.
  const started = performance.now();
  const outOfTime = () => performance.now() - started >= s.budgetMs;
  const report: PurgeReport = { deleted: {}, redacted: 0, campaignsRedacted: 0, callsRedacted: 0, inboundEmailsRedacted: 0, more: false };
  for (const [table, cutoff] of Object.entries(cutoffs(s, now)) as Array<[PurgeTable, number | null]>) {
    if (cutoff === null) continue;
    for (;;) {
      if (outOfTime()) return { ...report, more: true };
      const n = await store.retention.deleteBatch(table, cutoff, s.batchSize);
      if (n > 0) report.deleted[table] = (report.deleted[table] ?? 0) + n;
      await yieldToOthers();
      if (n < s.batchSize) break;
    }
  }
  for (const account of await store.retention.accountBodyRetention()) {
    const days = account.body_retention_days ?? s.bodiesDays;
    if (days <= 0) continue;
    const cutoff = now - days * DAY;
    for (;;) {
      if (outOfTime()) return { ...report, more: true };
      const n = await redactBatch(store, account.id, cutoff, now, s.batchSize);
      report.redacted += n;
      await yieldToOthers();
      if (n < s.batchSize) break;
    }
    report.campaignsRedacted += await store.retention.redactCampaigns(account.id, cutoff, s.batchSize);
    report.callsRedacted += await store.retention.redactCalls(account.id, cutoff, [...FINAL_CALL_STATUSES], s.batchSize);
    // Received mail is a body like a sent one's: the same period, by the time it arrived.
    for (;;) {
      if (outOfTime()) return { ...report, more: true };
      // Found outside a transaction: most runs find none, and then take no write lock at all.
      const ids = await store.inboundEmails.unredacted(account.id, cutoff, s.batchSize);
      if (ids.length > 0) await store.transaction((tx) => tx.inboundEmails.redact(ids, now));
      const n = ids.length;
      report.inboundEmailsRedacted += n;
      if (n < s.batchSize) break;
      await yieldToOthers();
    }
  }
  return report;
}

/** Redacts one batch of an account's old messages in one short transaction; answers how many. */
async function redactBatch(store: Store, accountId: string, cutoff: number, now: number, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const rows = await tx.retention.unredacted(accountId, cutoff, limit);
    await tx.retention.redact(rows, now);
    return rows.length;
  });
}
