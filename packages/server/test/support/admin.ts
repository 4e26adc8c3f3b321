import { expect } from 'vitest';
import { listAudit } from '../../src/modules/people/audit.ts';
import type { Harness } from './harness.ts';
import type { Session } from './people.ts';

/** An audit entry as the API shows it (modules/people/audit.ts auditView). */
export type AuditEntryView = Awaited<ReturnType<typeof listAudit>>['data'][number];

/** The newest audit entry of `action` (on `target` when given); fails when there is none. */
export async function lastAudit(h: Harness, action: string, target?: string): Promise<AuditEntryView> {
  const rows = (await listAudit(h.rt.store, null, { action, limit: 100 })).data.filter((r) => target === undefined || r.target === target);
  expect(rows.length, `an audit entry ${action}${target ? ` on ${target}` : ''}`).toBeGreaterThan(0);
  return rows[0]!;
}

/** How many audit entries of `action` there are (on `target` when given). */
export async function auditCount(h: Harness, action: string, target?: string): Promise<number> {
  return (await listAudit(h.rt.store, null, { action, limit: 100 })).data.filter((r) => target === undefined || r.target === target).length;
}

/** Asserts an entry: what was done, to what, in which account, by whom (a session's user, or the CLI for null), and the states. */
export function expectAudit(
  entry: AuditEntryView,
  want: { action: string; by: Session | null; target: string | null; accountId: string | null; before?: unknown; after?: unknown },
): void {
  expect(entry.action).toBe(want.action);
  expect(entry.target).toBe(want.target);
  expect(entry.account_id).toBe(want.accountId);
  if (want.by === null) {
    expect(entry.actor).toEqual({ type: 'cli' });
    expect(entry.ip).toBeNull();
  } else {
    expect(entry.actor).toEqual({ type: 'user', id: want.by.userId, email: want.by.email, operator: true });
    expect(typeof entry.ip).toBe('string');
  }
  if ('before' in want) expect(entry.before).toEqual(want.before);
  if ('after' in want) expect(entry.after).toEqual(want.after);
}
