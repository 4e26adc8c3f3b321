import type { ColumnType, Insertable } from './kysely.ts';

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
  /** A debit that takes the balance below this emits balance.low; null = never. */
  balance_low_micros: number | null;
  created_at: number;
  updated_at: number;
  /** The account's id on the Twilio-compatible API (`AC` + 32 hex): HTTP Basic's user name there. */
  twilio_account_sid: string;
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
  /** The key that replaced this one when it was rotated (it keeps working until expires_at). */
  rotated_to: string | null;
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
  /** Messages of the campaign that reached a final status; equal to total_count = completed. */
  final_count: number;
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
  /**
   * `outbound` (sent by the account) or `inbound` (received on one of its numbers); migration
   * 0021. Optional so that the many places building outbound rows need not name it: the column's
   * default is `outbound`, and a row read back always has it.
   */
  direction?: MessageDirection;
}

/** Which way a message went: sent by the account, or received on one of its numbers. */
export type MessageDirection = 'outbound' | 'inbound';

export interface MessageEventsTable {
  id: string;
  message_id: string;
  /** The status the message moved to, or `retrying`: an attempt that failed and will be tried again (the status stays). */
  status: string;
  detail: string | null;
  created_at: number;
  /** On `retrying` entries: which attempt failed (1 = the first). Optional when writing a status step. */
  attempt: ColumnType<number | null, number | null | undefined, number | null>;
  /** On `retrying` entries: when the next attempt is due (epoch ms). */
  next_attempt_at: ColumnType<number | null, number | null | undefined, number | null>;
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
  /** Jobs of one group (a webhook endpoint) share the kind's per-group concurrency limit. */
  group_key: string | null;
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

/** Something that happened to an account's resources (SPEC §4); `payload` is the webhook body, as sent. */
export interface EventsTable {
  id: string;
  account_id: string;
  type: string;
  /** JSON `{"type", "timestamp", "data"}`: exactly the bytes signed and delivered. */
  payload: string;
  created_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types, or ["*"] for all. */
  events: string;
  enabled: number;
  /** Why the endpoint was disabled (by its owner, a 410, or days of failures). */
  disabled_reason: string | null;
  /** `whsec_` + base64 of the signing key. Needed in clear to sign; shown to the owner once. */
  secret: string;
  /** The secret before the last rotation, which keeps signing until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  account_id: string;
  endpoint_id: string;
  event_id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: number;
  updated_at: number;
  /** The id of the resource its event is about (`data.id`: a message, a campaign…); null when none. */
  subject_id: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  attempt: number;
  /** The receiver's HTTP status; null when no answer came (refused, timed out, blocked). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
  next_retry_at: number | null;
  created_at: number;
}

/** A number lookup (POST /lookup) as answered and charged; see docs/lookup.md. */
export interface LookupsTable {
  id: string;
  account_id: string;
  key_id: string;
  /** The number as the client wrote it, and the `country` it came with (null when none). */
  input: string;
  input_country: string | null;
  /** E.164 form, also for numbers that are not valid. */
  number: string;
  valid: number;
  possible: number;
  /** ISO 3166-1 alpha-2; null when the number belongs to no single country. */
  country: string | null;
  type: string;
  /** Why a number is not valid (too_short, too_long, invalid_length, invalid_but_possible); null when valid. */
  validation_error: string | null;
  carrier: string | null;
  region: string | null;
  national_format: string;
  international_format: string;
  price_micros: number;
  sandbox: number;
  created_at: number;
}

/** One OTP verification (POST /otp/send … /otp/verify); see docs/otp.md. */
export interface OtpVerificationsTable {
  id: string;
  account_id: string;
  key_id: string;
  channel: 'sms' | 'email' | 'voice';
  /** E.164 number, or the lower-cased email address. */
  recipient: string;
  /** The SMS-pumping defence's prefix (leading E.164 digits); null for email. */
  prefix: string | null;
  status: 'pending' | 'approved' | 'expired' | 'max_attempts_reached';
  /** HMAC-SHA256 (base64url) of the current code under the server secret; the code is never stored. */
  code_hash: string;
  code_length: number;
  attempts: number;
  sends: number;
  /** The message that carried the latest code. */
  message_id: string;
  sandbox: number;
  expires_at: number;
  last_sent_at: number;
  approved_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A destination prefix an account's OTP sends are paused for (the SMS-pumping defence), and why. */
export interface OtpPrefixBlocksTable {
  account_id: string;
  prefix: string;
  blocked_until: number;
  /** The window's figures that tripped the block. */
  sends: number;
  approvals: number;
  reason: string;
  created_at: number;
}

/** Destination countries an account may send OTPs to; no row = every country. */
export interface OtpCountryRulesTable {
  account_id: string;
  /** JSON array of ISO 3166-1 alpha-2 codes. */
  allowed_countries: string;
  updated_at: number;
}

/** Secrets the installation generates for itself, once, shared by every process (the OTP secret). */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

/** One answered POST /email/verify (docs/email-verification.md). */
export interface EmailVerificationsTable {
  id: string;
  account_id: string;
  key_id: string;
  /** The address as verified (domain lower-cased), or as given when its syntax is invalid. */
  email: string;
  result: 'deliverable' | 'undeliverable' | 'risky' | 'unknown';
  reason: string;
  /** JSON object of the checks: {syntax, domain, mx, disposable, role, free, smtp, catch_all}, each true/false/null. */
  checks: string;
  /** JSON array of the mail hosts, best first. */
  mx_hosts: string;
  suggestion: string | null;
  price_micros: number;
  sandbox: number;
  created_at: number;
}

/** One row: a number that grows with every change to what the API caches (migration 0010). */
export interface CacheEpochTable {
  id: number;
  version: number;
}

/** The roles a user can hold in an account (SPEC §5). */
export type Role = 'owner' | 'admin' | 'developer' | 'viewer';

export interface UsersTable {
  id: string;
  /** Lower case: unique case-insensitively. */
  email: string;
  name: string | null;
  /** argon2id (PHC string). */
  password_hash: string;
  operator: number;
  email_verified_at: number | null;
  /** Base32 TOTP secret; set while enrolling, active once totp_enabled_at is set. */
  totp_secret: string | null;
  totp_enabled_at: number | null;
  /** The TOTP step (unix time / 30 s) of the last code accepted; a code of that step or before is refused. */
  totp_last_step: number | null;
  /** JSON array of SHA-256 hashes of the unused recovery codes. */
  recovery_codes: string;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  account_id: string;
  user_id: string;
  role: Role;
  created_at: number;
}

export interface SessionsTable {
  /** The public id (ses_…), for listing and revoking; the cookie carries a separate secret. */
  id: string;
  /** SHA-256 of the cookie's secret. */
  token_hash: string;
  user_id: string;
  ip: string;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  /** The absolute expiry; the idle one is last_seen_at + the idle timeout. */
  expires_at: number;
  revoked_at: number | null;
}

/** What a one-time token is for. */
export type UserTokenKind = 'setup' | 'invitation' | 'password_reset' | 'email_verification';

export interface UserTokensTable {
  id: string;
  /** SHA-256 of the token sent in the link. */
  token_hash: string;
  kind: UserTokenKind;
  user_id: string | null;
  account_id: string | null;
  /** The invitee's address (invitations). */
  email: string | null;
  /** The role an invitation grants. */
  role: Role | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuditLogTable {
  id: string;
  /** The account acted on; null for platform-wide actions (price lists, users). */
  account_id: string | null;
  /** The user who acted; null for the CLI (a shell on the server). */
  actor_id: string | null;
  actor_email: string | null;
  actor_operator: number;
  /** Dotted name of what was done: "key.create", "member.role", "account.suspend"… */
  action: string;
  /** The id of what it was done to. */
  target: string | null;
  ip: string | null;
  /** JSON of the state before and after (secrets never included). */
  before: string | null;
  after: string | null;
  created_at: number;
}

export interface SenderRequestsTable {
  id: string;
  account_id: string;
  kind: 'sms' | 'email_domain' | 'email_address';
  value: string;
  status: 'pending' | 'approved' | 'rejected';
  /** The operator's reason for a rejection. */
  reason: string | null;
  /** The requester's note for the operator (the use case). */
  note: string | null;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
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
  events: EventsTable;
  cache_epoch: CacheEpochTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  email_verifications: EmailVerificationsTable;
  lookups: LookupsTable;
  otp_verifications: OtpVerificationsTable;
  otp_prefix_blocks: OtpPrefixBlocksTable;
  otp_country_rules: OtpCountryRulesTable;
  server_secrets: ServerSecretsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  user_tokens: UserTokensTable;
  audit_log: AuditLogTable;
  sender_requests: SenderRequestsTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  call_audio: CallAudioTable;
  message_callbacks: MessageCallbacksTable;
  numbers: NumbersTable;
  suppressions: SuppressionsTable;
  inbound_parts: InboundPartsTable;
  consent_replies: ConsentRepliesTable;
  inbound_emails: InboundEmailsTable;
  inbound_email_attachments: InboundEmailAttachmentsTable;
}

/** Mail received for an account's verified domain (migration 0022); not a bounce or complaint. */
export interface InboundEmailsTable {
  id: string;
  account_id: string;
  /** The envelope's MAIL FROM; null for the null sender (<>). */
  mail_from: string | null;
  /** The envelope's recipients of this account, JSON array of addresses. */
  rcpt_to: string;
  /** The From header's address. */
  from_address: string | null;
  /** The To and Cc headers' addresses, JSON array. */
  to_addresses: string;
  subject: string | null;
  message_id_header: string | null;
  in_reply_to: string | null;
  text_body: string | null;
  html_body: string | null;
  /** Bytes of the whole message as received. */
  size: number;
  /** mailauth's verdicts on arrival: pass, fail, softfail, neutral, none, temperror, permerror. */
  spf: string;
  dkim: string;
  dmarc: string;
  /** The connecting client's IP address. */
  remote_address: string | null;
  /** When retention removed subject, bodies and attachments; null while it holds them. */
  body_redacted_at: number | null;
  created_at: number;
}

/** One attachment of an inbound email, numbered from 1 (migration 0022). */
export interface InboundEmailAttachmentsTable {
  email_id: string;
  n: number;
  filename: string | null;
  content_type: string;
  size: number;
  /** The bytes, base64. */
  content: string;
}

/** A number an account receives SMS on (migration 0021); one owner per number. */
export interface NumbersTable {
  /** E.164. */
  number: string;
  account_id: string;
  created_at: number;
}

/** The channels a suppression applies to. */
export type SuppressionChannel = 'sms' | 'email';

/** What put a recipient on the suppression list. */
export type SuppressionSource = 'stop' | 'bounce' | 'complaint' | 'manual' | 'import';

/** A recipient the account never sends to on a channel (migration 0021). */
export interface SuppressionsTable {
  id: string;
  account_id: string;
  channel: SuppressionChannel;
  /** E.164 for SMS; the lower-cased address for email. */
  value: string;
  source: SuppressionSource;
  /** Free text: the STOP keyword received, a bounce's diagnostic, an operator's note. */
  reason: string | null;
  created_at: number;
}

/** One part of a concatenated MO SMS, kept until every part has arrived (migration 0021). */
export interface InboundPartsTable {
  source: string;
  destination: string;
  /** The concatenation reference (UDH 8- or 16-bit, or SAR's sar_msg_ref_num). */
  ref: number;
  total: number;
  /** 1-based. */
  seq: number;
  text: string;
  provider: string | null;
  created_at: number;
}

/** An account's own replies to STOP, START and HELP; null = the default (docs/inbound.md). */
export interface ConsentRepliesTable {
  account_id: string;
  stop_reply: string | null;
  start_reply: string | null;
  help_reply: string | null;
  updated_at: number;
}

/** Where a message sent through a compatibility API reports its status changes (migration 0020). */
export interface MessageCallbacksTable {
  message_id: string;
  account_id: string;
  /** 'twilio' (StatusCallback) or 'kannel' (dlr-url). */
  kind: string;
  url: string;
  /** What signs the callbacks (Twilio: the key the message was sent with), sealed at rest; null when unsigned. */
  token: string | null;
  /** Kannel's dlr-mask: the statuses reported (1 delivered, 2 failed, 4 queued, 8 sent, 16 rejected). */
  mask: number | null;
  created_at: number;
}

/**
 * The columns of migration 0018 (retention), known only to the code that uses them
 * (`db.withTables<RetentionColumns>()` in store/repos/retention.ts and jobs.ts), so that every
 * row the rest of the code builds need not name them.
 */
export type RetentionColumns = {
  accounts: {
    /** Days after which a message's body is redacted; null = the installation's default, 0 = never. */
    body_retention_days: number | null;
  };
  messages: {
    /** When retention removed its body, subject and content; null while it holds them. */
    body_redacted_at: number | null;
  };
  jobs: {
    /** At most one pending or running job holds a key (a recurring job: its kind); null for the rest. */
    dedupe_key: string | null;
  };
};

/** A row of `T` as it is written (columns with a default or only some rows fill may be left out). */
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;

/** A text-to-speech call (POST /voice/send, or an OTP by voice); see docs/voice.md. */
export interface CallsTable {
  id: string;
  account_id: string;
  key_id: string;
  status: string;
  /** E.164. */
  to_number: string;
  from_number: string | null;
  /** The text as shown (an OTP call's code redacted). */
  text: string;
  /** An OTP call's real text, sealed for the worker alone (modules/otp/otp-keys.ts); null otherwise. */
  sealed_text: string | null;
  otp_id: string | null;
  language: string;
  voice: string | null;
  repeat: number;
  /** Seconds. */
  ring_timeout: number;
  /** Seconds of answered time at most. */
  time_limit: number;
  /** The destination's price per started minute, when the call was accepted. */
  rate_micros: number;
  /** What accept debited: the rate × the minutes of `time_limit`. */
  hold_micros: number;
  /** What the call costs: the hold until it ends, then the answered minutes × the rate. */
  price_micros: number;
  sandbox: number;
  reference: string | null;
  /** The trunk (or "simulator") that carried it. */
  provider: string | null;
  sip_code: number | null;
  hangup_by: string | null;
  codec: string | null;
  duration_seconds: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  ringing_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  alive_at: number | null;
  cancel_requested_at: number | null;
}

/** One step of a call's timeline. */
export interface CallEventsTable {
  id: string;
  call_id: string;
  status: string;
  detail: string | null;
  created_at: number;
}

/** The audio a call sent: one pass of the speech in its codec, and how much of the whole was sent. */
export interface CallAudioTable {
  call_id: string;
  codec: string;
  /** Base64 of the G.711 bytes of one pass. */
  speech: string;
  repeat: number;
  pause_ms: number;
  frames_sent: number;
  created_at: number;
}
