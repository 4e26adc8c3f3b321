import { apiKeyPrefix, generateApiKey, hashApiKey, parseApiKey } from '../../lib/api-keys.ts';
import { notFound, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ApiKeyRow } from '../../store/repos/keys.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import type { Scope } from './scopes.ts';
import { getAccount } from './accounts.ts';

export interface CreateKeyInput {
  accountId: string;
  scopes: Scope[];
  name?: string;
  test?: boolean;
  expiresAt?: number | null;
  /**
   * An existing key to bring over (from a HeliosSend migration, say) instead of a fresh one. It
   * must have the shape of a key; only its hash is kept, as for generated keys.
   */
  importKey?: string;
}

/** Creates a key; the plaintext is returned here and never again. */
export async function createKey({ store, clock }: Deps, input: CreateKeyInput): Promise<{ row: ApiKeyRow; key: string }> {
  const now = clock.now();
  if (input.scopes.length === 0) throw validationError([{ field: 'scopes', message: 'at least one scope is needed' }]);
  let key: string;
  let test = input.test ?? false;
  if (input.importKey !== undefined) {
    const parsed = parseApiKey(input.importKey);
    if (!parsed) throw validationError([{ field: 'key', message: 'must be cs_ or cs_test_ followed by 64 base64url characters' }]);
    key = input.importKey;
    test = parsed.test;
  } else {
    key = generateApiKey(test);
  }
  if (input.expiresAt != null && input.expiresAt <= now) {
    throw validationError([{ field: 'expires_at', message: 'must be in the future' }]);
  }
  await getAccount(store, input.accountId);
  const row: ApiKeyRow = {
    id: newId('key'),
    account_id: input.accountId,
    name: input.name?.trim() || 'default',
    key_hash: hashApiKey(key),
    prefix: apiKeyPrefix(key),
    scopes: input.scopes.join(' '),
    test: test ? 1 : 0,
    rate_limit_per_minute: null,
    daily_cap_micros: null,
    monthly_cap_micros: null,
    expires_at: input.expiresAt ?? null,
    last_used_at: null,
    revoked_at: null,
    created_at: now,
    rotated_to: null,
  };
  try {
    await store.keys.insert(row);
  } catch (err) {
    // Only an imported key can collide (generated ones carry 384 random bits).
    if (input.importKey !== undefined && (await store.keys.findByHash(row.key_hash))) {
      throw validationError([{ field: 'key', message: 'this key is already registered' }]);
    }
    throw err;
  }
  return { row, key };
}

/** Revokes a key at once: the next request with it, on any process, is refused. */
export async function revokeKey({ store, clock }: Deps, keyId: string): Promise<ApiKeyRow> {
  const key = await store.keys.get(keyId);
  if (!key) throw notFound('Key');
  if (key.revoked_at === null) await store.keys.update(keyId, { revoked_at: clock.now() });
  return (await store.keys.get(keyId))!;
}

/** Sets the key's own requests-per-minute limit (null: fall back to the account's, then the server's). */
export async function setKeyRateLimit(store: Store, keyId: string, perMinute: number | null): Promise<ApiKeyRow> {
  if (perMinute !== null && (!Number.isInteger(perMinute) || perMinute < 1)) {
    throw validationError([{ field: 'per_minute', message: 'must be a positive integer' }]);
  }
  if (!(await store.keys.update(keyId, { rate_limit_per_minute: perMinute }))) throw notFound('Key');
  return (await store.keys.get(keyId))!;
}

/** Sets (null clears) the key's own daily and monthly spend caps; undefined leaves one as is. */
export async function setKeyCaps(
  store: Store,
  keyId: string,
  caps: { daily?: number | null; monthly?: number | null },
): Promise<ApiKeyRow> {
  const changes: Parameters<Store['keys']['update']>[1] = {};
  if (caps.daily !== undefined) changes.daily_cap_micros = caps.daily;
  if (caps.monthly !== undefined) changes.monthly_cap_micros = caps.monthly;
  if (!(await store.keys.update(keyId, changes))) throw notFound('Key');
  return (await store.keys.get(keyId))!;
}
