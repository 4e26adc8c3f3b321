import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { hashSecret, randomSecret } from '../../lib/secrets.ts';
import type { UserTokenRow } from '../../store/repos/user-tokens.ts';
import type { Role, UserTokenKind } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { PeopleSettings } from './settings.ts';

/** The id prefix of each kind of one-time token (an invitation's id is shown: `inv_…`). */
const ID_PREFIX: Record<UserTokenKind, string> = {
  setup: 'stp',
  invitation: 'inv',
  password_reset: 'rst',
  email_verification: 'evf',
};

/** What a one-time token is for, besides its kind. */
export interface TokenSpec {
  kind: UserTokenKind;
  userId?: string | null;
  accountId?: string | null;
  email?: string | null;
  role?: Role | null;
  createdBy?: string | null;
}

/**
 * Makes a one-time token valid for `ttlMs`: the secret goes into a link and is never stored (the
 * row keeps its SHA-256), so a copy of the database opens no link.
 */
export async function issueToken(store: Store, spec: TokenSpec, ttlMs: number, now: number): Promise<{ secret: string; row: UserTokenRow }> {
  const secret = randomSecret();
  const row: UserTokenRow = {
    id: newId(ID_PREFIX[spec.kind]),
    token_hash: hashSecret(secret),
    kind: spec.kind,
    user_id: spec.userId ?? null,
    account_id: spec.accountId ?? null,
    email: spec.email ?? null,
    role: spec.role ?? null,
    created_by: spec.createdBy ?? null,
    created_at: now,
    expires_at: now + ttlMs,
    used_at: null,
  };
  await store.userTokens.insert(row);
  return { secret, row };
}

/** The open token of `kind` that `secret` names; token_invalid when unknown, of another kind, used or expired. */
export async function openToken(store: Store, kind: UserTokenKind, secret: string, now: number): Promise<UserTokenRow> {
  const row = secret ? await store.userTokens.byHash(hashSecret(secret)) : undefined;
  if (!row || row.kind !== kind || row.used_at !== null || row.expires_at <= now) throw new AppError('token_invalid');
  return row;
}

/** Uses the token up; token_invalid when another request (or the clock) got there first. */
export async function spendToken(store: Store, row: UserTokenRow, now: number): Promise<void> {
  if (!(await store.userTokens.consume(row.id, now))) throw new AppError('token_invalid');
}

/** The dashboard page of an emailed or printed link, carrying its token. */
export function linkTo(settings: PeopleSettings, page: string, secret: string): string {
  return `${settings.publicUrl}/dashboard/${page}?token=${encodeURIComponent(secret)}`;
}
