import { timingSafeEqual } from 'node:crypto';
import { hashApiKey, parseApiKey } from '../../lib/api-keys.ts';
import { AppError } from '../../lib/errors.ts';
import type { Store } from '../../store/store.ts';
import { ipAllowed } from './ip-allowlist.ts';
import type { Scope } from './scopes.ts';

/** Who is calling: the key, its account and the limits that apply, resolved once per request. */
export interface Principal {
  keyId: string;
  accountId: string;
  test: boolean;
  scopes: ReadonlySet<string>;
  rateLimitPerMinute: number | null;
  caps: {
    accountDaily: number | null;
    accountMonthly: number | null;
    keyDaily: number | null;
    keyMonthly: number | null;
  };
  /** A debit taking the balance below this emits balance.low (null: never). */
  balanceLowMicros: number | null;
  /** The account's id on the Twilio-compatible API (`AC…`); absent for the platform's own sender. */
  twilioAccountSid?: string;
}

// last_used_at is for people; writing it once a minute per key keeps it off the hot path.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Extracts the key from "Bearer cs_…" or a bare "cs_…" Authorization header. */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const value = header.trim();
  if (/^bearer$/i.test(value)) return null;
  const m = /^bearer\s+(.+)$/i.exec(value);
  const key = (m ? m[1]! : value).trim();
  return key.length > 0 ? key : null;
}

/**
 * Steps 1–4 of the pipeline: authenticate, account status, IP allowlist, scope. Each refusal
 * is an AppError with the SPEC's code. `key` is what the route's credential form carried (null:
 * none). A form that names the key's owner too — Twilio's HTTP Basic user name (`accountSid`),
 * Kannel's `username` (`keyId`) — must name the key's, or the key is refused like a wrong one.
 */
export async function authenticate(
  store: Store,
  opts: { key: string | null; accountSid?: string; keyId?: string; clientIp: string; scope: Scope | null; now: number },
): Promise<Principal> {
  const key = opts.key;
  if (key === null) throw new AppError('missing_credentials');
  if (!parseApiKey(key)) throw new AppError('invalid_credentials');
  const hash = hashApiKey(key);
  // The first read of every authenticated request: it also tells the cache whether anything
  // cached (keys, senders, prices) changed since the last request, on any process.
  await store.cache.refresh();
  const row = await store.cache.keyByHash(hash);
  // The row was found by its hash; comparing the hashes again in constant time costs nothing
  // and keeps the check independent of how the database matched the index.
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) throw new AppError('invalid_credentials');
  const now = opts.now;
  if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) {
    throw new AppError('invalid_credentials');
  }
  if (opts.accountSid !== undefined && opts.accountSid !== row.account_twilio_sid) throw new AppError('invalid_credentials');
  if (opts.keyId !== undefined && opts.keyId !== row.id) throw new AppError('invalid_credentials');
  if (row.account_status !== 'active') throw new AppError('account_not_active');
  if (!ipAllowed(JSON.parse(row.account_ip_allowlist) as string[], opts.clientIp)) throw new AppError('ip_not_allowed');
  const scopes = new Set(row.scopes.split(' '));
  if (opts.scope !== null && !scopes.has(opts.scope)) {
    throw new AppError('insufficient_scope', `This API key lacks the "${opts.scope}" scope this endpoint needs`);
  }
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    // Noted on the cached row too, or every later request would write it again.
    row.last_used_at = now;
    store.keys.update(row.id, { last_used_at: now }).catch(() => undefined);
  }
  return {
    keyId: row.id,
    accountId: row.account_id,
    test: row.test === 1,
    scopes,
    rateLimitPerMinute: row.rate_limit_per_minute ?? row.account_rate_limit_per_minute,
    caps: {
      accountDaily: row.account_daily_cap_micros,
      accountMonthly: row.account_monthly_cap_micros,
      keyDaily: row.daily_cap_micros,
      keyMonthly: row.monthly_cap_micros,
    },
    balanceLowMicros: row.account_balance_low_micros,
    twilioAccountSid: row.account_twilio_sid,
  };
}
