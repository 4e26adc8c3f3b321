/**
 * The shapes of Hellio's API (SPEC §3), written by hand so that they read well in an editor.
 * Request fields keep the API's snake_case names: what you pass is what is sent. A test of the
 * server (test/sdk/drift.test.ts) generates types from /openapi.json and fails when these drift.
 */

/** A decimal amount of money as a string ("0.0350"); always with its `currency`. */
export type Money = string;

/** An RFC 3339 UTC timestamp ("2026-01-31T09:00:00.000Z"). */
export type Timestamp = string;

/** A page of a list: pass `next_cursor` as `cursor` for the next page; null on the last one. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The paging of every list: `limit` (1–100) and the `cursor` of the page before. */
export interface PageParams {
  limit?: number;
  cursor?: string;
}

/** A field the server refused, and why (`ValidationError.errors`). */
export interface FieldError {
  field: string;
  message: string;
}

/** The body of every error answer (SPEC §2). */
export interface ErrorBody {
  code: string;
  message: string;
  detail: string;
  errors?: FieldError[];
}

// ─── email ───────────────────────────────────────────────────────────────────────────────────

/** A file attached to an email. */
export interface EmailAttachment {
  filename: string;
  /** The file's bytes, base64. */
  content: string;
  content_type?: string;
}

/** POST /send. */
export interface EmailSendParams {
  /** "addr@example.com" or "Name <addr@example.com>"; a verified domain or an approved address. */
  from: string;
  to: string | string[];
  subject: string;
  html?: string;
  text?: string;
  cc?: string | string[];
  bcc?: string | string[];
  reply_to?: string | string[];
  headers?: Record<string, string>;
  attachments?: EmailAttachment[];
  tags?: { name: string; value: string }[];
  /** RFC 3339: send later. */
  scheduled_at?: string;
}

/** The answer to POST /send. */
export interface EmailSendResult {
  id: string;
  status: string;
}

// ─── SMS ─────────────────────────────────────────────────────────────────────────────────────

/** POST /sms/send. */
export interface SmsSendParams {
  /** An approved sender id or number. */
  from: string;
  /** An E.164 number, or an array of them (more than one makes a campaign). */
  to: string | string[];
  message: string;
  /** RFC 3339: send later. */
  scheduled_at?: string;
  /** Your own reference, kept on every message. */
  reference?: string;
}

/** One recipient's message in the answer to POST /sms/send. */
export interface SmsSendMessage {
  id: string;
  to: string;
  status: string;
  segments: number;
  encoding: string;
  price: Money;
}

/** The answer to POST /sms/send. */
export interface SmsSendResult {
  campaign_id: string | null;
  messages: SmsSendMessage[];
  total_price: Money;
  currency: string;
}

// ─── OTP ─────────────────────────────────────────────────────────────────────────────────────

/** The channels a one-time code travels by. */
export type OtpChannel = 'sms' | 'voice' | 'email';

/** Where a verification stands. */
export type OtpStatus = 'pending' | 'approved' | 'expired' | 'max_attempts_reached';

/** POST /otp/send. */
export interface OtpSendParams {
  /** An E.164 number (sms, voice) or an email address (email). */
  to: string;
  channel?: OtpChannel;
  /** Digits in the code, 4–10 (6). */
  length?: number;
  /** Seconds the code is valid, 60–3600 (600). */
  expires_in?: number;
  /** The text, with `{code}` where the code goes. */
  template?: string;
  /** An approved SMS sender or email address; the operator's default when absent. */
  sender?: string;
}

/** A verification, as POST /otp/send answers it. */
export interface Otp {
  id: string;
  status: OtpStatus;
  to: string;
  channel: OtpChannel;
  /** Codes sent for this verification. */
  sends: number;
  attempts_remaining: number;
  message_id: string;
  sandbox: boolean;
  expires_at: Timestamp;
  approved_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** What this send cost. */
  price: Money;
  currency: string;
}

/** POST /otp/verify: the code, and either the verification's `id` or the destination `to`. */
export interface OtpVerifyParams {
  id?: string;
  to?: string;
  code: string;
}

/** The answer to POST /otp/verify. */
export interface OtpVerifyResult {
  id: string;
  status: OtpStatus;
  attempts_remaining: number;
}

// ─── voice ───────────────────────────────────────────────────────────────────────────────────

/** Where a call stands. */
export type CallStatus = 'queued' | 'ringing' | 'in_progress' | 'completed' | 'busy' | 'no_answer' | 'failed' | 'canceled';

/** POST /voice/send. */
export interface VoiceSendParams {
  /** The E.164 number to call. */
  to: string;
  /** What to say; digits are read one by one. */
  text: string;
  /** BCP 47 language ("en" by default). */
  language?: string;
  /** A voice id from GET /voice/voices. */
  voice?: string;
  /** Caller id: an approved sender number. */
  from?: string;
  /** Times the text is spoken (1–3). */
  repeat?: number;
  /** Seconds to ring before giving up (5–120, 30). */
  ring_timeout?: number;
  /** Most seconds of answered time. */
  time_limit?: number;
}

/** A call. */
export interface Call {
  id: string;
  status: CallStatus;
  to: string;
  from: string | null;
  text: string;
  language: string;
  voice: string | null;
  repeat: number;
  ring_timeout: number;
  time_limit: number;
  /** Answer to hang-up in whole seconds; null until the call ends. */
  duration_seconds: number | null;
  sip_code: number | null;
  hangup_by: 'caller' | 'callee' | 'system' | null;
  codec: 'PCMU' | 'PCMA' | null;
  price: Money;
  price_per_minute: Money;
  currency: string;
  sandbox: boolean;
  otp_id: string | null;
  error: string | null;
  created_at: Timestamp;
  ringing_at: Timestamp | null;
  answered_at: Timestamp | null;
  ended_at: Timestamp | null;
  updated_at: Timestamp;
}

/** A call with its timeline (GET /voice/{id}). */
export interface CallDetail extends Call {
  events: { id: string; status: string; detail: string | null; created_at: Timestamp }[];
}

/** GET /voice: filters. */
export interface CallListParams extends PageParams {
  status?: CallStatus;
  to?: string;
  /** Created at or after (RFC 3339 or YYYY-MM-DD). */
  from?: string;
  /** Created before (RFC 3339 or YYYY-MM-DD). */
  until?: string;
}

// ─── inbound email ───────────────────────────────────────────────────────────────────────────

/** An email received for one of the account's verified domains (GET /emails/inbound/{id}). */
export interface InboundEmail {
  id: string;
  /** The envelope sender; null for the null sender (`<>`). */
  mail_from: string | null;
  rcpt_to: string[];
  from: string | null;
  /** The To and Cc addresses. */
  to: string[];
  subject: string | null;
  message_id: string | null;
  /** A reply to an email sent with Hellio names its `<msg_…@domain>`. */
  in_reply_to: string | null;
  text: string | null;
  html: string | null;
  size: number;
  /** SPF, DKIM and DMARC verdicts on arrival. */
  authentication: { spf: string; dkim: string; dmarc: string };
  /** Download one with GET /emails/inbound/{id}/attachments/{n}. */
  attachments: Array<{ n: number; filename: string | null; content_type: string; size: number }>;
  /** Retention removed subject, bodies and attachments. */
  redacted: boolean;
  created_at: string;
}

export interface InboundEmailListParams extends PageParams {
  /** Received at or after (RFC 3339 or YYYY-MM-DD). */
  from?: string;
  /** Received before (RFC 3339 or YYYY-MM-DD). */
  until?: string;
}

// ─── lookup ──────────────────────────────────────────────────────────────────────────────────

/** What kind of line a number is. */
export type NumberType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'voip'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

/** POST /lookup. */
export interface LookupParams {
  /** E.164, or a national number with `country`. */
  number: string;
  /** ISO 3166-1 alpha-2 country of a national-format number. */
  country?: string;
}

/** A phone number lookup. */
export interface Lookup {
  id: string;
  number: string;
  valid: boolean;
  possible: boolean;
  country: string | null;
  type: NumberType;
  validation_errors: ('too_short' | 'too_long' | 'invalid_length' | 'invalid_but_possible')[];
  carrier: string | null;
  region: string | null;
  national_format: string;
  international_format: string;
  price: Money;
  currency: string;
  sandbox: boolean;
  created_at: Timestamp;
}

// ─── email verification ──────────────────────────────────────────────────────────────────────

/** The verdict on an address. */
export type EmailVerifyResult = 'deliverable' | 'undeliverable' | 'risky' | 'unknown';

/** Why the verdict (docs/email-verification.md explains each). */
export type EmailVerifyReason =
  | 'invalid_syntax'
  | 'domain_not_found'
  | 'null_mx'
  | 'no_mail_server'
  | 'mailbox_not_found'
  | 'disposable'
  | 'catch_all'
  | 'role_account'
  | 'mailbox_exists'
  | 'domain_accepts_mail'
  | 'address_literal'
  | 'dns_unavailable'
  | 'smtp_timeout'
  | 'smtp_temporary_failure'
  | 'smtp_refused'
  | 'smtp_unreachable'
  | 'smtputf8_unsupported';

/** POST /email/verify. */
export interface EmailVerifyParams {
  email: string;
  /** Probe the mailbox over SMTP; the installation's setting by default. */
  smtp_check?: boolean;
}

/** An email address verification: each check true or false, or null where it was not run. */
export interface EmailVerification {
  id: string;
  email: string;
  result: EmailVerifyResult;
  reason: EmailVerifyReason;
  checks: {
    syntax: boolean | null;
    domain: boolean | null;
    mx: boolean | null;
    disposable: boolean | null;
    role: boolean | null;
    free: boolean | null;
    smtp: boolean | null;
    catch_all: boolean | null;
  };
  mx_hosts: string[];
  /** The address with a likely typo fixed (gmial.com → gmail.com). */
  suggestion: string | null;
  price: Money;
  currency: string;
  sandbox: boolean;
  created_at: Timestamp;
}

// ─── reports ─────────────────────────────────────────────────────────────────────────────────

/** Where a message stands. */
export type MessageStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'undelivered'
  | 'bounced'
  | 'complained'
  | 'canceled'
  | 'suppressed'
  | 'received';

/** Which way a message went: sent by the account, or received on one of its numbers. */
export type MessageDirection = 'outbound' | 'inbound';

/** A message (SMS or email) as reports show it. */
export interface Message {
  id: string;
  channel: string;
  direction: MessageDirection;
  status: MessageStatus;
  from: string;
  to: string | string[];
  subject: string | null;
  body: string | null;
  segments: number | null;
  encoding: string | null;
  price: Money;
  currency: string;
  sandbox: boolean;
  campaign_id: string | null;
  reference: string | null;
  error: string | null;
  scheduled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A step in a message's timeline: a status it moved to, or `retrying`. */
export interface MessageEvent {
  id: string;
  status: string;
  detail: string | null;
  attempt: number | null;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
}

/** A message with its timeline (GET /messages/{id}). */
export interface MessageDetail extends Message {
  events: MessageEvent[];
}

/** GET /messages: filters. */
export interface MessageListParams extends PageParams {
  channel?: 'sms' | 'email';
  status?: MessageStatus;
  /** Exactly the recipient as stored. */
  to?: string;
  /** The recipient, normalised first (a number with spaces, an address in any case). */
  recipient?: string;
  campaign_id?: string;
  /** Created at or after (RFC 3339). */
  from?: string;
  /** Created before (RFC 3339). */
  until?: string;
  /** `inbound`: messages received on the account's numbers. */
  direction?: MessageDirection;
  /** A phone number (E.164): the SMS sent to it and received from it, together. */
  conversation?: string;
}

// ─── suppressions ────────────────────────────────────────────────────────────────────────────

/** `sms` (numbers, also for voice calls) or `email` (addresses). */
export type SuppressionChannel = 'sms' | 'email';
/** What put a recipient on the list: a STOP reply, a hard bounce, a complaint, by hand, an import. */
export type SuppressionSource = 'stop' | 'bounce' | 'complaint' | 'manual' | 'import';

/** A recipient the account never sends to on a channel. */
export interface Suppression {
  id: string;
  channel: SuppressionChannel;
  /** The E.164 number, or the lower-cased address. */
  value: string;
  source: SuppressionSource;
  reason: string | null;
  created_at: string;
}

/** `POST /suppressions`: the entry, and whether this call added it (false: listed already, shown as it was). */
export interface SuppressionCreated extends Suppression {
  created: boolean;
}

/** `GET /suppressions`: filters and paging. */
export interface SuppressionListParams extends PageParams {
  channel?: SuppressionChannel;
  source?: SuppressionSource;
}

/** `GET /suppressions.csv`: the same filters, no paging (the whole list). */
export interface SuppressionExportParams {
  channel?: SuppressionChannel;
  source?: SuppressionSource;
}

/** `POST /suppressions` (source `manual`). */
export interface SuppressionCreateParams {
  channel: SuppressionChannel;
  /** A number (any common writing) or an address (any case). */
  value: string;
  reason?: string | null;
}

/** `DELETE /suppressions?channel=&value=`: an entry by what it holds. */
export interface SuppressionRemoveParams {
  channel: SuppressionChannel;
  value: string;
}

/** `POST /suppressions/import`: CSV rows `channel,value[,reason]` (or `value[,reason]` with `channel`). */
export interface SuppressionImportParams {
  csv: string;
  channel?: SuppressionChannel;
}

/** What an import did: rows added, rows listed already, rows refused (with their line). */
export interface SuppressionImportResult {
  added: number;
  existing: number;
  invalid: Array<{ line: number; message: string }>;
}

// ─── numbers ─────────────────────────────────────────────────────────────────────────────────

/** A number the account receives SMS on (assigned by an operator). */
export interface ReceivingNumber {
  /** E.164. */
  number: string;
  account_id: string;
  created_at: string;
}

/** One automatic reply: its text ('' = no reply) and whether it is the installation's default. */
export interface ConsentReply {
  text: string;
  default: boolean;
}

/** The automatic replies to STOP, START and HELP. */
export interface ConsentReplies {
  stop: ConsentReply;
  start: ConsentReply;
  help: ConsentReply;
}

/** `PATCH /numbers/replies`: your text, '' for no reply, null for the default; omitted: unchanged. */
export interface ConsentRepliesUpdateParams {
  stop?: string | null;
  start?: string | null;
  help?: string | null;
}

// ─── wallet ──────────────────────────────────────────────────────────────────────────────────

/** A spend cap: its limit (null = none) and what was used of it. */
export interface SpendCap {
  limit: Money | null;
  used: Money;
}

/** GET /balance. */
export interface Balance {
  balance: Money;
  currency: string;
  spend_caps: { daily: SpendCap; monthly: SpendCap };
}

// ─── webhooks ────────────────────────────────────────────────────────────────────────────────

/** The events an endpoint can subscribe to; `*` for all. Other strings are allowed for events added later. */
export type WebhookEventType =
  | 'message.scheduled'
  | 'message.queued'
  | 'message.sent'
  | 'message.delivered'
  | 'message.undelivered'
  | 'message.failed'
  | 'message.bounced'
  | 'message.complained'
  | 'message.canceled'
  | 'message.received'
  | 'email.received'
  | 'campaign.completed'
  | 'otp.approved'
  | 'otp.prefix_blocked'
  | 'voice.completed'
  | 'voice.failed'
  | 'balance.low'
  | 'webhook.disabled'
  | '*'
  // Keeps editors suggesting the names above while accepting any string.
  | (string & {});

/** POST /webhooks. */
export interface WebhookEndpointCreateParams {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

/** PATCH /webhooks/{id}: any of the fields; `enabled: true` re-enables a disabled endpoint. */
export type WebhookEndpointUpdateParams = Partial<WebhookEndpointCreateParams>;

/** A webhook endpoint. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** An endpoint as created or rotated: with its signing secret, shown only in this answer. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  /** `whsec_…`: keep it to verify deliveries. */
  secret: string;
  /** After a rotation: until when the previous secret keeps signing beside the new one. */
  previous_secret_expires_at?: Timestamp;
}

/** The answer to DELETE /webhooks/{id}. */
export interface WebhookEndpointDeleted {
  id: string;
  deleted: boolean;
}

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
  next_retry_at: Timestamp | null;
  created_at: Timestamp;
}

/** An event's delivery to one endpoint, with every attempt. */
export interface WebhookDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  attempts: WebhookAttempt[];
}

/** GET /webhooks/{id}/deliveries: filters. */
export interface WebhookDeliveryListParams extends PageParams {
  status?: 'pending' | 'succeeded' | 'failed';
}

/** A webhook's body: `data` is the resource as the API shows it when the event happened. */
export interface WebhookEvent<T = Record<string, unknown>> {
  type: string;
  timestamp: Timestamp;
  data: T;
}
