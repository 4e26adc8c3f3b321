import { validationError } from '../../lib/errors.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { RetentionSettings } from './settings.ts';

/** An account's body retention as shown: its own setting (null = the default) and the days in force (0 = never). */
export interface BodyRetentionView {
  account: string;
  body_retention_days: number | null;
  effective_days: number;
}

/** The longest period an account may set: a hundred years, which is "keep". */
const MAX_DAYS = 36_500;

/**
 * Reads "30", "never" (0: bodies are kept) or "default" (the installation's
 * HELLIO_RETENTION_BODIES_DAYS) as an account's body retention; refuses anything else.
 */
export function parseBodyRetention(raw: string): number | null {
  if (raw === 'default') return null;
  if (raw === 'never') return 0;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n > MAX_DAYS) {
    throw validationError([{ field: 'days', message: `must be a number of days (0–${MAX_DAYS}), "never" or "default"` }]);
  }
  return n;
}

/** Sets how many days an account's message bodies are kept before they are redacted (docs/retention.md). */
export async function setBodyRetention(store: Store, settings: RetentionSettings, accountId: string, days: number | null): Promise<BodyRetentionView> {
  await getAccount(store, accountId);
  await store.retention.setBodyRetention(accountId, days);
  return { account: accountId, body_retention_days: days, effective_days: days ?? settings.bodiesDays };
}

/** An account's body retention. */
export async function bodyRetention(store: Store, settings: RetentionSettings, accountId: string): Promise<BodyRetentionView> {
  await getAccount(store, accountId);
  const own = (await store.retention.accountBodyRetention(accountId))[0]?.body_retention_days ?? null;
  return { account: accountId, body_retention_days: own, effective_days: own ?? settings.bodiesDays };
}
