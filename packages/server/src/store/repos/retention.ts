import { sql } from '../kysely.ts';
import type { Capabilities } from '../capabilities.ts';
import type { RetentionColumns } from '../schema.ts';
import type { Executor } from './executor.ts';
import { idIn } from './id-list.ts';

/**
 * What a purge removes, each by one time column: rows whose time is before the cutoff go.
 * Listed as data so that the purge, its tests and docs/retention.md walk the same list.
 */
export const PURGEABLE = {
  /** Idempotency-Keys past their TTL (the cutoff is now). */
  idempotency_keys: { time: 'expires_at' },
  /** Done and given-up jobs (pending and running ones are never touched). */
  jobs: { time: 'updated_at' },
  /** Events (none with a pending delivery: a manual retry of an old one still sends it). */
  events: { time: 'created_at' },
  /** Deliveries no longer pending (a pending one is still being retried). */
  webhook_deliveries: { time: 'created_at' },
  webhook_attempts: { time: 'created_at' },
  sessions: { time: 'expires_at' },
  user_tokens: { time: 'expires_at' },
  otp_verifications: { time: 'expires_at' },
  sandbox_inbox: { time: 'created_at' },
  lookups: { time: 'created_at' },
  email_verifications: { time: 'created_at' },
  call_audio: { time: 'created_at' },
  /** Parts of a long inbound SMS whose other parts never came (networks send the rest within minutes). */
  inbound_parts: { time: 'created_at' },
} as const;

/** A table the purge deletes from by age. */
export type PurgeTable = keyof typeof PURGEABLE;

/** Statuses in which a message's content may still be needed (to send it). */
const UNSENT = ['scheduled', 'queued', 'sending'];

/**
 * Deletes and redacts in bounded batches: each call is one statement over at most `limit` rows
 * found through an index on the time column, so it holds its locks (SQLite's write lock, or
 * PostgreSQL's row locks) for one short statement only.
 */
export class RetentionRepo {
  private readonly db;

  constructor(
    db: Executor,
    private readonly caps: Capabilities,
  ) {
    this.db = db.withTables<RetentionColumns>();
  }

  /** Deletes up to `limit` rows of `table` older than `cutoff`; answers how many went. */
  async deleteBatch(table: PurgeTable, cutoff: number, limit: number): Promise<number> {
    if (table === 'idempotency_keys') {
      // Keyed by (account_id, idem_key): the batch is chosen by row value.
      const r = await this.db
        .deleteFrom('idempotency_keys')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('account_id', 'idem_key'),
            'in',
            selectFrom('idempotency_keys').select(['account_id', 'idem_key']).where('expires_at', '<', cutoff).limit(limit).$asTuple('account_id', 'idem_key'),
          ),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    }
    if (table === 'jobs') {
      // Through jobs_due (status, run_at): a job ends after it is due, so run_at < cutoff holds for every one to go.
      const ids = this.db
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', ['done', 'failed'])
        .where('run_at', '<', cutoff)
        .where('updated_at', '<', cutoff)
        .limit(limit);
      const r = await this.db.deleteFrom('jobs').where('id', 'in', ids).executeTakeFirst();
      return Number(r.numDeletedRows);
    }
    if (table === 'inbound_parts') {
      // Keyed by (source, destination, ref, total, seq): the batch is chosen by row value, as for idempotency keys.
      const r = await sql`delete from inbound_parts where (source, destination, ref, total, seq) in (select source, destination, ref, total, seq from inbound_parts where created_at < ${cutoff} limit ${limit})`.execute(this.db);
      return Number(r.numAffectedRows ?? 0n);
    }
    if (table === 'call_audio') {
      const ids = this.db.selectFrom('call_audio').select('call_id').where('created_at', '<', cutoff).limit(limit);
      const r = await this.db.deleteFrom('call_audio').where('call_id', 'in', ids).executeTakeFirst();
      return Number(r.numDeletedRows);
    }
    const column = PURGEABLE[table].time;
    // One shape for the tables keyed by id; the names come from PURGEABLE, never from input.
    const t = sql.table(table);
    const col = sql.ref(column);
    // A delivery still pending is being retried, and its event is what it will send.
    const inUse =
      table === 'webhook_deliveries'
        ? sql` and status <> 'pending'`
        : table === 'events'
          ? sql` and not exists (select 1 from webhook_deliveries d where d.event_id = events.id and d.status = 'pending')`
          : sql``;
    const r = await sql`delete from ${t} where id in (select id from ${t} where ${col} < ${cutoff}${inUse} limit ${limit})`.execute(this.db);
    return Number(r.numAffectedRows ?? 0n);
  }

  /** Accounts (or one) and their own body retention (days; null = the installation's default). */
  async accountBodyRetention(accountId?: string): Promise<Array<{ id: string; body_retention_days: number | null }>> {
    let q = this.db.selectFrom('accounts').select(['id', 'body_retention_days']);
    if (accountId !== undefined) q = q.where('id', '=', accountId);
    return q.orderBy('id').execute();
  }

  /**
   * Up to `limit` of an account's messages made before `cutoff` that still hold their content and
   * no longer need it to be sent (through the partial index messages_unredacted).
   */
  async unredacted(accountId: string, cutoff: number, limit: number): Promise<Array<{ id: string; channel: string; payload: string | null }>> {
    return this.db
      .selectFrom('messages')
      .select(['id', 'channel', 'payload'])
      .where('account_id', '=', accountId)
      .where('body_redacted_at', 'is', null)
      .where('created_at', '<', cutoff)
      // A scheduled message's period starts when it was due to go, not when it was accepted.
      .where((eb) => eb.or([eb('scheduled_at', 'is', null), eb('scheduled_at', '<', cutoff)]))
      .where('status', 'not in', UNSENT)
      .limit(limit)
      .execute();
  }

  /**
   * Redacts these messages (call in one transaction): the body and subject go, an email's payload
   * keeps only its addresses and tags, and an SMS's payload (an OTP's sealed text) goes. Status,
   * price, segments, times and the recipient stay.
   */
  async redact(rows: ReadonlyArray<{ id: string; channel: string; payload: string | null }>, now: number): Promise<void> {
    const emails = rows.filter((r) => r.channel === 'email' && r.payload !== null);
    const plain = rows.filter((r) => !emails.includes(r)).map((r) => r.id);
    if (plain.length > 0) {
      await this.db.updateTable('messages').set({ body: null, subject: null, payload: null, body_redacted_at: now }).where(idIn(this.caps, 'id', plain)).execute();
    }
    for (const r of emails) {
      await this.db
        .updateTable('messages')
        .set({ body: null, subject: null, payload: redactedPayload(r.payload!), body_redacted_at: now })
        .where('id', '=', r.id)
        .execute();
    }
  }

  /** Empties the text of an account's finished campaigns made (and due) before `cutoff` (their messages are redacted alike). */
  async redactCampaigns(accountId: string, cutoff: number, limit: number): Promise<number> {
    const ids = this.db
      .selectFrom('campaigns')
      .select('id')
      .where('account_id', '=', accountId)
      .where('created_at', '<', cutoff)
      .where((eb) => eb.or([eb('scheduled_at', 'is', null), eb('scheduled_at', '<', cutoff)]))
      .whereRef('final_count', '=', 'total_count')
      .where('body', '<>', '')
      .limit(limit);
    const r = await this.db.updateTable('campaigns').set({ body: '' }).where('id', 'in', ids).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Empties the text of an account's ended calls (`statuses`) made before `cutoff`, an OTP call's
   * sealed code with it; a call still queued or ringing keeps what it has to say.
   */
  async redactCalls(accountId: string, cutoff: number, statuses: readonly string[], limit: number): Promise<number> {
    const ids = this.db
      .selectFrom('calls')
      .select('id')
      .where('account_id', '=', accountId)
      .where('created_at', '<', cutoff)
      .where('status', 'in', statuses)
      .where('text', '<>', '')
      .limit(limit);
    const r = await this.db.updateTable('calls').set({ text: '', sealed_text: null }).where('id', 'in', ids).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Sets an account's own body retention (days; null = the installation's default, 0 = never). */
  async setBodyRetention(accountId: string, days: number | null): Promise<boolean> {
    const r = await this.db.updateTable('accounts').set({ body_retention_days: days }).where('id', '=', accountId).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Rows in a table (tests and the growth check). */
  async count(table: PurgeTable | 'messages' | 'message_events' | 'campaigns'): Promise<number> {
    const r = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/** An email payload without its content: the addresses and tags (metadata for reports) remain. */
function redactedPayload(payload: string): string {
  try {
    const p = JSON.parse(payload) as Record<string, unknown>;
    const keep: Record<string, unknown> = {};
    for (const k of ['from', 'to', 'cc', 'bcc', 'reply_to', 'tags']) if (k in p) keep[k] = p[k];
    return JSON.stringify({ ...keep, subject: '', html: null, text: null, headers: {}, attachments: [] });
  } catch {
    return '{}';
  }
}
