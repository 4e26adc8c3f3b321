import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { ApiKeyRow } from '../../store/repos/keys.ts';
import type { Deps } from '../deps.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';
import { createKey } from './keys.ts';
import type { Scope } from './scopes.ts';

/** How long a rotated key keeps working by default: a day to roll the new one out. */
export const DEFAULT_ROTATION_OVERLAP_S = 24 * 3600;
/** The longest overlap a rotation may leave: two keys live for longer is two keys, not a rotation. */
export const MAX_ROTATION_OVERLAP_S = 30 * 24 * 3600;

/** What a key is now: usable, or why not. */
export type KeyStatus = 'active' | 'expired' | 'revoked';

/** A key as the management API shows it: never its hash, never the key itself. */
export function keyView(k: ApiKeyRow, now: number) {
  const status: KeyStatus = k.revoked_at !== null ? 'revoked' : k.expires_at !== null && k.expires_at <= now ? 'expired' : 'active';
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.split(' '),
    test: k.test === 1,
    status,
    last_used_at: rfc3339(k.last_used_at),
    expires_at: rfc3339(k.expires_at),
    revoked_at: rfc3339(k.revoked_at),
    created_at: rfc3339(k.created_at),
    rotated_to: k.rotated_to,
  };
}

/** What the audit log keeps of a key: its settings (a key's secret is never in an audit row). */
const audited = (k: ApiKeyRow) => ({
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  test: k.test === 1,
  expires_at: k.expires_at,
  revoked_at: k.revoked_at,
  rotated_to: k.rotated_to,
});

/** A page of the account's keys, newest first. */
export async function listAccountKeys({ store, clock }: Deps, accountId: string, q: { limit?: number; cursor?: string }) {
  checkCursor('key', q.cursor);
  const size = pageSize(q.limit);
  const rows = await store.keys.page(accountId, { limit: size + 1, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) });
  const now = clock.now();
  return page(rows, size, (k) => keyView(k, now));
}

/** One of the account's keys; another account's is "not found", like a missing one. */
async function keyOf(store: Deps['store'], accountId: string, keyId: string): Promise<ApiKeyRow> {
  const key = await store.keys.get(keyId);
  if (!key || key.account_id !== accountId) throw notFound('Key');
  return key;
}

export interface NewAccountKey {
  name: string;
  scopes: Scope[];
  test?: boolean;
  expiresAt?: number | null;
}

/** Creates a key exactly as the CLI does (createKey), audited; the key itself is answered here only. */
export async function createAccountKey({ store, clock }: Deps, actor: AuditActor, accountId: string, input: NewAccountKey) {
  return store.transaction(async (tx) => {
    const { row, key } = await createKey({ store: tx, clock }, { accountId, name: input.name, scopes: input.scopes, test: input.test ?? false, expiresAt: input.expiresAt ?? null });
    await audit(tx, actor, { accountId, action: 'key.create', target: row.id, after: audited(row) }, row.created_at);
    return { ...keyView(row, row.created_at), key };
  });
}

/** Revokes one of the account's keys at once (on every process); revoking it again changes nothing. */
export async function revokeAccountKey({ store, clock }: Deps, actor: AuditActor, accountId: string, keyId: string) {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const before = await keyOf(tx, accountId, keyId);
    if (before.revoked_at !== null) return keyView(before, now);
    await tx.keys.update(keyId, { revoked_at: now });
    const after = (await tx.keys.get(keyId))!;
    await audit(tx, actor, { accountId, action: 'key.revoke', target: keyId, before: audited(before), after: audited(after) }, now);
    return keyView(after, now);
  });
}

/**
 * Rotates a key: a new key with the old one's name, scopes, mode, rate limit and spend caps, and
 * the old key kept working for `overlapSeconds` (never past its own expiry; 0 ends it at once)
 * so that the new one can be rolled out without a gap. The new key is answered here only.
 */
export async function rotateAccountKey(
  { store, clock }: Deps,
  actor: AuditActor,
  accountId: string,
  keyId: string,
  opts: { overlapSeconds?: number; expiresAt?: number | null } = {},
) {
  const overlap = opts.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_S;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_ROTATION_OVERLAP_S) {
    throw validationError([{ field: 'overlap_seconds', message: `must be a whole number of seconds from 0 to ${MAX_ROTATION_OVERLAP_S}` }]);
  }
  const now = clock.now();
  return store.transaction(async (tx) => {
    const old = await keyOf(tx, accountId, keyId);
    if (old.revoked_at !== null) throw new AppError('conflict', 'This key is revoked: create a new one instead');
    if (old.rotated_to !== null) throw new AppError('conflict', `This key was rotated already: rotate its successor ${old.rotated_to}`);
    if (old.expires_at !== null && old.expires_at <= now) throw new AppError('conflict', 'This key has expired: create a new one instead');
    const { row, key } = await createKey(
      { store: tx, clock },
      { accountId, name: old.name, scopes: old.scopes.split(' ') as Scope[], test: old.test === 1, expiresAt: opts.expiresAt ?? null },
    );
    const limits = { rate_limit_per_minute: old.rate_limit_per_minute, daily_cap_micros: old.daily_cap_micros, monthly_cap_micros: old.monthly_cap_micros };
    await tx.keys.update(row.id, limits);
    const until = Math.min(now + overlap * 1000, old.expires_at ?? Number.MAX_SAFE_INTEGER);
    if (!(await tx.keys.markRotated(old.id, row.id, until))) throw new AppError('conflict', 'This key was rotated or revoked meanwhile');
    const previous = (await tx.keys.get(old.id))!;
    const successor = (await tx.keys.get(row.id))!;
    await audit(tx, actor, { accountId, action: 'key.rotate', target: old.id, before: audited(old), after: { ...audited(previous), successor: audited(successor) } }, now);
    return { key: { ...keyView(successor, now), key }, previous: keyView(previous, now) };
  });
}
