/** The admin API's shapes (docs/admin.md), shared by the admin console's pages. */

/** An account as GET /admin/accounts lists it. */
export interface AdminAccount {
  id: string;
  name: string;
  status: 'active' | 'pending' | 'suspended';
  balance: string;
  currency: string;
  created_at: string;
  updated_at: string;
}

/** One account as GET /admin/accounts/{id} answers it. */
export interface AdminAccountDetail extends AdminAccount {
  spend_caps: { daily: { limit: string | null; used: string }; monthly: { limit: string | null; used: string } };
  balance_low: string | null;
  rate_limit_per_minute: number | null;
  ip_allowlist: string[];
  member_count: number;
  key_count: number;
}

/** A request for a sender, waiting in (or decided from) the approval queue. */
export interface SenderRequest {
  id: string;
  account_id: string;
  kind: 'sms' | 'email_domain' | 'email_address';
  sender: string;
  status: 'pending' | 'approved' | 'rejected';
  note: string | null;
  reason: string | null;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

/** The channels with a price list, as the API names them. */
export const PRICE_CHANNELS = ['sms', 'email', 'lookup', 'email_verify', 'voice'] as const;

/** What one unit of each priced channel is. */
export const PRICE_UNIT: Record<string, string> = {
  sms: 'per SMS segment',
  email: 'per email recipient',
  lookup: 'per lookup',
  email_verify: 'per verification',
  voice: 'per started minute of a call',
};

/** GET /admin/prices. */
export interface PriceList {
  currency: string;
  data: { channel: string; prefix: string; price: string }[];
}

/** GET /admin/prices/quote. */
export interface PriceQuote {
  channel: string;
  to: string;
  prefix: string;
  price: string;
  currency: string;
}

/** GET /admin/routes. */
export interface RouteList {
  default_sms: string;
  providers: string[];
  data: { channel: string; prefix: string; provider: string; fallback: string | null }[];
}

/** GET /admin/providers. */
export interface ProviderHealth {
  providers: {
    name: string;
    channel: 'sms' | 'email';
    kind: string;
    default: boolean;
    sandbox: boolean;
    link: string | null;
    bound: boolean | null;
    in_flight: number;
    queued: number;
    last_error: string | null;
  }[];
  queues: { kind: string; pending: number; due: number; running: number; oldest_due_age_seconds: number | null }[];
}

/** A user as GET /admin/users lists them. */
export interface AdminUser {
  id: string;
  email: string;
  name: string | null;
  operator: boolean;
  email_verified: boolean;
  totp_enabled: boolean;
  created_at: string;
  accounts: { id: string; name: string; status: string; role: string }[];
}

/** How a prefix reads: "+44…", or the channel's default rate. */
export function prefixLabel(prefix: string): string {
  return prefix === '' ? 'default (any other)' : `+${prefix}…`;
}
