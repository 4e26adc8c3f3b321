import type { Selectable, Updateable } from '../kysely.ts';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.ts';
import { type Executor, insertRows } from './executor.ts';
import type { SecretBox } from '../../lib/sealed-secrets.ts';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

const SECRET = 'webhook_endpoints.secret';
const PREVIOUS = 'webhook_endpoints.previous_secret';

/**
 * Webhook endpoints, one delivery per event and endpoint, and the log of every attempt. The
 * signing secrets are sealed on the way in and opened on the way out (lib/sealed-secrets.ts).
 */
export class WebhooksRepo {
  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(this.sealed(row)).execute();
  }

  private sealed<T extends Updateable<WebhookEndpointsTable>>(row: T): T {
    const out = { ...row };
    if (typeof out.secret === 'string') out.secret = this.box.seal(out.secret, SECRET);
    if (typeof out.previous_secret === 'string') out.previous_secret = this.box.seal(out.previous_secret, PREVIOUS);
    return out;
  }

  private opened(row: WebhookEndpointRow | undefined): WebhookEndpointRow | undefined {
    return row && { ...row, secret: this.box.open(row.secret, SECRET), previous_secret: this.box.openNullable(row.previous_secret, PREVIOUS) };
  }

  /** An account's endpoint; undefined for another account's id, exactly as for a missing one. */
  async endpoint(accountId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    return this.opened(
      await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst(),
    );
  }

  async endpointById(id: string): Promise<WebhookEndpointRow | undefined> {
    return this.opened(await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async endpoints(accountId: string, before: string | undefined, limit: number): Promise<WebhookEndpointRow[]> {
    let q = this.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId);
    if (before !== undefined) q = q.where('id', '<', before);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map((r) => this.opened(r)!);
  }

  async countEndpoints(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The enabled endpoints of these accounts with what they subscribe to: the fan-out of every event. */
  async subscribers(accountIds: string[]): Promise<Array<Pick<WebhookEndpointRow, 'id' | 'account_id' | 'events'>>> {
    if (accountIds.length === 0) return [];
    return this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'account_id', 'events'])
      .where('account_id', 'in', accountIds)
      .where('enabled', '=', 1)
      .execute();
  }

  async updateEndpoint(id: string, changes: Updateable<WebhookEndpointsTable>): Promise<boolean> {
    const r = await this.db.updateTable('webhook_endpoints').set(this.sealed(changes)).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Disables an endpoint unless it already is; true only for the call that disabled it, so the
   * webhook.disabled event is recorded once even when several workers see failures at once.
   */
  async disableEndpoint(id: string, reason: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_endpoints')
      .set({ enabled: 0, disabled_reason: reason, updated_at: now })
      .where('id', '=', id)
      .where('enabled', '=', 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Marks the start of a run of failures (kept when one is already running). */
  async noteFailure(id: string, now: number): Promise<number> {
    await this.db.updateTable('webhook_endpoints').set({ failing_since: now }).where('id', '=', id).where('failing_since', 'is', null).execute();
    const row = await this.db.selectFrom('webhook_endpoints').select('failing_since').where('id', '=', id).executeTakeFirst();
    return row?.failing_since ?? now;
  }

  async noteSuccess(id: string): Promise<void> {
    await this.db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
  }

  /** Deletes an endpoint with its deliveries and their attempts. */
  async deleteEndpoint(accountId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) return false;
    await this.db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
    await this.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    return true;
  }

  async insertDeliveries(rows: WebhookDeliveryRow[]): Promise<void> {
    await insertRows(this.db, 'webhook_deliveries', rows);
  }

  async delivery(id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A delivery with the type of its event. */
  async deliveryWithType(id: string): Promise<(WebhookDeliveryRow & { event_type: string }) | undefined> {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .selectAll('d')
      .select('e.type as event_type')
      .where('d.id', '=', id)
      .executeTakeFirst();
  }

  /** An endpoint's deliveries with their events' types, newest first. */
  async deliveries(endpointId: string, opts: { before?: string; status?: string; limit: number }): Promise<Array<WebhookDeliveryRow & { event_type: string }>> {
    let q = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .selectAll('d')
      .select('e.type as event_type')
      .where('d.endpoint_id', '=', endpointId);
    if (opts.status !== undefined) q = q.where('d.status', '=', opts.status as WebhookDeliveryRow['status']);
    if (opts.before !== undefined) q = q.where('d.id', '<', opts.before);
    return q.orderBy('d.id', 'desc').limit(opts.limit).execute();
  }

  /** An endpoint's failed deliveries created at or after `since` (ms), oldest first: what a bulk replay sends again. */
  async failedSince(endpointId: string, since: number, limit: number): Promise<Array<Pick<WebhookDeliveryRow, 'id'>>> {
    return this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'failed')
      .where('created_at', '>=', since)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Puts failed deliveries back to pending, due now; answers how many moved (a concurrent replay takes none twice). */
  async requeueFailed(ids: string[], now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, updated_at: now })
      .where('id', 'in', ids)
      .where('status', '=', 'failed')
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** An account's deliveries of the events about one resource (a message), with their types and endpoints' URLs, newest first. */
  async deliveriesAbout(accountId: string, subjectId: string, opts: { before?: string; limit: number }): Promise<Array<WebhookDeliveryRow & { event_type: string; endpoint_url: string }>> {
    let q = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
      .selectAll('d')
      .select(['e.type as event_type', 'w.url as endpoint_url'])
      .where('d.subject_id', '=', subjectId)
      .where('d.account_id', '=', accountId);
    if (opts.before !== undefined) q = q.where('d.id', '<', opts.before);
    return q.orderBy('d.id', 'desc').limit(opts.limit).execute();
  }

  async updateDelivery(id: string, changes: Updateable<WebhookDeliveriesTable>): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute();
  }

  async insertAttempt(row: WebhookAttemptRow): Promise<void> {
    await this.db.insertInto('webhook_attempts').values(row).execute();
  }

  /** The attempts of the given deliveries, oldest first. */
  async attemptsOf(deliveryIds: string[]): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('id').execute();
  }
}
