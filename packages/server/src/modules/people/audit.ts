import { newId } from '../../lib/ids.ts';
import type { AuditRow } from '../../store/repos/audit.ts';
import type { Store } from '../../store/store.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { AuditActor } from './actor.ts';

/** One audited action: what was done to what, and the state before and after (never a secret). */
export interface AuditEntry {
  accountId: string | null;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Records an owner's, admin's or operator's action — in `store`, the action's own transaction. */
export async function audit(store: Store, actor: AuditActor, entry: AuditEntry, now: number): Promise<void> {
  await store.audit.insert({
    id: newId('aud'),
    account_id: entry.accountId,
    actor_id: actor?.userId ?? null,
    actor_email: actor?.email ?? null,
    actor_operator: actor?.operator ? 1 : 0,
    action: entry.action,
    target: entry.target ?? null,
    ip: actor?.ip ?? null,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    created_at: now,
  });
}

/**
 * Records the action when a person made it (`actor` given); a change made with an API key is not a
 * person's action and writes no row. For module functions that keys and members share.
 */
export async function auditBy(store: Store, actor: AuditActor | undefined, entry: AuditEntry, now: number): Promise<void> {
  if (actor !== undefined) await audit(store, actor, entry, now);
}

/** An audit row as the API shows it. */
export function auditView(r: AuditRow) {
  return {
    id: r.id,
    account_id: r.account_id,
    actor: r.actor_id === null ? { type: 'cli' as const } : { type: 'user' as const, id: r.actor_id, email: r.actor_email, operator: r.actor_operator === 1 },
    action: r.action,
    target: r.target,
    ip: r.ip,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    created_at: new Date(r.created_at).toISOString(),
  };
}

/** A page of the audit log: one account's (accountId) or everybody's (null, for operators). */
export async function listAudit(store: Store, accountId: string | null, q: { limit?: number; cursor?: string; action?: string }) {
  checkCursor('aud', q.cursor);
  const size = pageSize(q.limit);
  const rows = await store.audit.list({ accountId, limit: size + 1, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.action ? { action: q.action } : {}) });
  return page(rows, size, auditView);
}
