/**
 * Row types of every table. Timestamps are epoch milliseconds and money is integer micro-units,
 * so the same code and the same comparisons work on SQLite and PostgreSQL. JSON is stored as text.
 */
export interface AccountsTable {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'pending';
  balance_micros: number;
  /** JSON array of IPv4/IPv6 addresses and CIDR ranges; empty = open. */
  ip_allowlist: string;
  rate_limit_per_minute: number | null;
  daily_cap_micros: number | null;
  monthly_cap_micros: number | null;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  /** Space-separated scope list. */
  scopes: string;
  test: number;
  rate_limit_per_minute: number | null;
  daily_cap_micros: number | null;
  monthly_cap_micros: number | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface LedgerTable {
  id: string;
  account_id: string;
  amount_micros: number;
  balance_after_micros: number;
  kind: 'topup' | 'adjustment' | 'debit' | 'refund';
  reference: string | null;
  note: string | null;
  created_at: number;
}

/** Money spent per scope ("acc:…" or "key:…") and period ("d:2026-11-23", "m:2026-11"). */
export interface SpendTable {
  scope: string;
  period: string;
  amount_micros: number;
}

export interface SendersTable {
  id: string;
  account_id: string;
  kind: 'sms' | 'email_domain' | 'email_address';
  value: string;
  created_at: number;
}

export interface PricesTable {
  channel: string;
  /** Leading digits of the E.164 number without "+"; "" is the channel's default rate. */
  prefix: string;
  price_micros: number;
}

export interface CampaignsTable {
  id: string;
  account_id: string;
  key_id: string;
  channel: string;
  sender: string;
  body: string;
  total_count: number;
  price_micros: number;
  sandbox: number;
  reference: string | null;
  scheduled_at: number | null;
  created_at: number;
}

export interface MessagesTable {
  id: string;
  account_id: string;
  key_id: string;
  campaign_id: string | null;
  channel: 'sms' | 'email';
  status: string;
  sender: string;
  /** E.164 number for SMS; the first "to" address for email (the rest is in payload). */
  recipient: string;
  subject: string | null;
  body: string | null;
  /** JSON with what only some channels carry (email: to, cc, bcc, html, headers, attachments…). */
  payload: string | null;
  segments: number | null;
  encoding: string | null;
  price_micros: number;
  sandbox: number;
  reference: string | null;
  scheduled_at: number | null;
  created_at: number;
  updated_at: number;
  /** The adapter that took the message (smpp, smtp, simulator …), once one did. */
  provider: string | null;
  /** Why the message failed, bounced or stayed undelivered. */
  error: string | null;
}

export interface MessageEventsTable {
  id: string;
  message_id: string;
  status: string;
  detail: string | null;
  created_at: number;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  run_at: number;
  attempts: number;
  max_attempts: number;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyKeysTable {
  account_id: string;
  idem_key: string;
  request_hash: string;
  status: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

export interface ProviderRefsTable {
  provider: string;
  provider_message_id: string;
  message_id: string;
  part: number;
  /** The part's receipt status, once one came. */
  status: string | null;
  created_at: number;
}

export interface SandboxInboxTable {
  id: string;
  account_id: string;
  message_id: string;
  channel: string;
  sender: string;
  recipient: string;
  subject: string | null;
  body: string;
  created_at: number;
}

export interface RoutesTable {
  channel: string;
  /** Leading digits of the destination without "+"; "" is the channel's default route. */
  prefix: string;
  provider: string;
  fallback: string | null;
  created_at: number;
}

export interface DomainsTable {
  id: string;
  account_id: string;
  domain: string;
  selector: string;
  /** PKCS#8 PEM; never leaves the server. */
  private_key: string;
  /** Base64 SubjectPublicKeyInfo, the DKIM record's p= value. */
  public_key: string;
  status: 'pending' | 'verified';
  verified_at: number | null;
  created_at: number;
}

export interface PendingReceiptsTable {
  provider: string;
  provider_message_id: string;
  status: 'delivered' | 'undelivered' | 'failed';
  detail: string;
  received_at: number;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  ledger: LedgerTable;
  spend: SpendTable;
  senders: SendersTable;
  prices: PricesTable;
  campaigns: CampaignsTable;
  messages: MessagesTable;
  message_events: MessageEventsTable;
  jobs: JobsTable;
  idempotency_keys: IdempotencyKeysTable;
  provider_refs: ProviderRefsTable;
  sandbox_inbox: SandboxInboxTable;
  routes: RoutesTable;
  domains: DomainsTable;
  pending_receipts: PendingReceiptsTable;
}
