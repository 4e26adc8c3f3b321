import { parseSipTrunkUrl } from '../providers/voice/sip/trunk-url.ts';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { type HttpSmsProviderConfig, parseHttpSmsProviderConfig } from '../providers/sms/http-sms-provider.ts';
import type { OtpSettings } from '../modules/otp/settings.ts';
import { parseMailbox } from '../lib/email-address.ts';
import { parseSecretKey } from '../lib/sealed-secrets.ts';
import type { EmailVerifySettings } from '../modules/email-verify/verifier.ts';
import { hostname } from 'node:os';
import { type PeopleSettings, SIGNUP_MODES, type SignupMode } from '../modules/people/settings.ts';
import type { RetentionSettings } from '../modules/retention/settings.ts';
import type { HttpLimits } from '../lib/http-limits.ts';

/** Every setting, validated once at start. Nothing else reads the environment. */
export interface Config {
  port: number;
  host: string;
  /** Directory of the embedded SQLite database (used when databaseUrl is unset). */
  dataDir: string;
  /** PostgreSQL connection string; when set the store runs on PostgreSQL instead of SQLite. */
  databaseUrl: string | null;
  /**
   * The key that seals secrets at rest (HELLIO_SECRET_KEY, 32 bytes); null = the key file
   * `<dataDir>/secret.key`, made on first start. Every process of one installation needs the same.
   */
  secretKey: Buffer | null;
  /** Earlier keys, for reading values sealed before a rotation (HELLIO_SECRET_KEY_PREVIOUS, comma-separated). */
  secretKeyPrevious: Buffer[];
  /** Redis connection string; when set rate limits are shared by every process through it. */
  redisUrl: string | null;
  /** Addresses/CIDRs of proxies whose X-Forwarded-For is believed; empty = none. */
  trustProxy: string[];
  logLevel: string;
  /** Requests per minute per key when neither the key nor its account sets one. */
  defaultRateLimitPerMinute: number;
  /** Largest accepted JSON body for most endpoints, in bytes. */
  bodyLimit: number;
  /** Largest accepted body for POST /send, whose attachments travel base64 in JSON. */
  emailBodyLimit: number;
  /** How long a completed Idempotency-Key is remembered. */
  idempotencyTtlMs: number;
  /** ISO 4217 currency of every wallet and price of this deployment. */
  currency: string;
  /** Size of the PostgreSQL connection pool of one process. */
  pgPoolSize: number;
  /** Group commits of accepted requests in flight at once; null = 1 on SQLite, 4 on PostgreSQL. */
  acceptBatches: number | null;
  /** SMSC for live SMS (smpp://system_id:password@host:port); the simulator when unset. */
  smppUrl: string | null;
  /** submit_sm the SMPP link keeps awaiting their answer at once (the SMSC's contracted window). */
  smppWindow: number;
  /** Mail server for live email (smtp:// or smtps://); the simulator when unset. */
  smtpUrl: string | null;
  /**
   * SIP trunks for live calls: "sip" from HELLIO_SIP_URL (the default) and the named ones of
   * HELLIO_SIP_TRUNKS (routes choose among them); the simulator carries calls when there is none.
   */
  sipTrunks: SipTrunkSetting[];
  /** How much faster than real time the voice simulator's calls run (demos and tests). */
  voiceSimulatorSpeed: number;
  /** Jobs one worker process runs at once. */
  workerConcurrency: number;
  /**
   * How long a message may stay `sent` without its receipt before it becomes `undelivered`
   * (receipt_timeout), per channel (docs/reliability.md).
   */
  receiptTimeoutMs: { sms: number; email: number };
  /** How long a worker's claim on a job lasts (a dead worker's jobs wait this long); null = the longest job timeout + 30 s. */
  jobLeaseMs: number | null;
  /** How long a SIGTERM'd process may take to stop in order before it exits anyway. */
  shutdownTimeoutMs: number;
  /** DNS servers for domain checks ("1.1.1.1", "127.0.0.1:5353"); empty = the system's. */
  dnsServers: string[];
  /** What customers' SPF records should include for mail sent through this installation. */
  spfInclude: string | null;
  /** The bounce host a domain's return-path CNAME points at. */
  returnPathHost: string | null;
  /** Generic HTTP SMS providers (HELLIO_HTTP_SMS_PROVIDERS, a JSON array), validated. */
  httpSmsProviders: HttpSmsProviderConfig[];
  /** Shared secret HTTP providers' status callbacks must carry (?token=…); callbacks are off without it. */
  providerCallbackToken: string | null;
  /** Bearer token that opens /metrics to addresses outside loopback and private networks; null: those are refused. */
  metricsToken: string | null;
  /** Port on which a process without the API (`hellio worker`) serves /metrics; null: it serves nothing. */
  workerMetricsPort: number | null;
  /** Port of the inbound SMTP server (MX of verified domains, bounces, complaints) in worker processes; null: none. */
  smtpInboundPort: number | null;
  /** Largest message the inbound SMTP server takes, in bytes (refused with 552 past it). */
  smtpInboundMaxBytes: number;
  /** The certificate and key (PEM) the inbound SMTP server offers STARTTLS with; null: STARTTLS is not offered. */
  smtpInboundTls: { cert: string; key: string } | null;
  /** Let webhook endpoints target loopback and private addresses (development and tests only). */
  webhooksAllowPrivate: boolean;
  /** One webhook attempt's time limit. */
  webhookTimeoutMs: number;
  /** Let files named by URL (Resend's attachment `path`) be fetched from loopback and private addresses. */
  attachmentsAllowPrivate: boolean;
  /** The time all the files one request names by URL may take to fetch, together. */
  attachmentFetchTimeoutMs: number;
  /** OTP verification: its secret, default senders, resend rules and abuse defences (HELLIO_OTP_*). */
  otp: OtpSettings;
  /** Email verification: the SMTP probe, DNS timeout, caching (HELLIO_EMAIL_VERIFY_*). */
  emailVerify: EmailVerifySettings;
  /** Users, sign-up, sessions and the platform's own mail (HELLIO_SIGNUP, HELLIO_SESSION_*, HELLIO_PUBLIC_URL). */
  people: PeopleSettings;
  /** Timeouts and caps on every HTTP connection (HELLIO_HTTP_*): docs/reliability.md. */
  http: HttpLimits;
  /** How long records are kept and how the purge runs (HELLIO_RETENTION_*, docs/retention.md). */
  retention: RetentionSettings;
}


export const DEFAULTS = {
  PORT: '3000',
  HOST: '0.0.0.0',
  HELLIO_DATA_DIR: './data',
  HELLIO_LOG_LEVEL: 'info',
  HELLIO_RATE_LIMIT_PER_MINUTE: '120',
  HELLIO_BODY_LIMIT: String(1024 * 1024),
  HELLIO_EMAIL_BODY_LIMIT: String(10 * 1024 * 1024),
  HELLIO_SMTP_INBOUND_MAX_BYTES: String(25 * 1024 * 1024),
  HELLIO_IDEMPOTENCY_TTL_HOURS: '24',
  HELLIO_CURRENCY: 'USD',
  HELLIO_PG_POOL_SIZE: '16',
  HELLIO_WORKER_CONCURRENCY: '1000',
  HELLIO_SMPP_WINDOW: '10',
  HELLIO_VOICE_SIMULATOR_SPEED: '1',
  HELLIO_WEBHOOK_TIMEOUT_MS: '15000',
  HELLIO_ATTACHMENT_FETCH_TIMEOUT_MS: '10000',
  HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES: '2880',
  HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES: '2880',
  HELLIO_SHUTDOWN_TIMEOUT_MS: '10000',
  HELLIO_OTP_SMS_FROM: 'Verify',
  HELLIO_OTP_RESEND_COOLDOWN_SECONDS: '30',
  HELLIO_OTP_PER_IP_PER_HOUR: '300',
  HELLIO_OTP_PER_DESTINATION_PER_HOUR: '10',
  HELLIO_OTP_PUMPING_WINDOW_SECONDS: '3600',
  HELLIO_OTP_PUMPING_MIN_SENDS: '30',
  HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '20',
  HELLIO_OTP_PUMPING_PREFIX_DIGITS: '6',
  HELLIO_OTP_PUMPING_BLOCK_SECONDS: '3600',
  HELLIO_EMAIL_VERIFY_SMTP_PORT: '25',
  HELLIO_EMAIL_VERIFY_TIMEOUT_MS: '10000',
  HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS: '5000',
  HELLIO_EMAIL_VERIFY_CACHE_SECONDS: '3600',
  HELLIO_SIGNUP: 'closed',
  HELLIO_MAIL_FROM: 'Hellio <no-reply@hellio.localhost>',
  HELLIO_SESSION_IDLE_MINUTES: '720',
  HELLIO_SESSION_MAX_HOURS: '168',
  HELLIO_LOGIN_PER_IP: '30',
  HELLIO_LOGIN_PER_EMAIL: '10',
  HELLIO_LOGIN_WINDOW_MINUTES: '15',
  HELLIO_SESSION_REQUESTS_PER_MINUTE: '600',
  HELLIO_HTTP_HEADERS_TIMEOUT_MS: '10000',
  HELLIO_HTTP_REQUEST_TIMEOUT_MS: '30000',
  HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS: '5000',
  HELLIO_HTTP_CONNECTION_TIMEOUT_MS: '120000',
  HELLIO_HTTP_MAX_CONNECTIONS: '1024',
  HELLIO_HTTP_MAX_IN_FLIGHT: '256',
  HELLIO_HTTP_MAX_EVENT_LOOP_DELAY_MS: '0',
  HELLIO_RETENTION_JOBS_DAYS: '7',
  HELLIO_RETENTION_WEBHOOKS_DAYS: '30',
  HELLIO_RETENTION_SANDBOX_DAYS: '7',
  HELLIO_RETENTION_SESSIONS_DAYS: '30',
  HELLIO_RETENTION_OTP_DAYS: '30',
  HELLIO_RETENTION_LOOKUPS_DAYS: '90',
  HELLIO_RETENTION_CALL_AUDIO_DAYS: '30',
  HELLIO_RETENTION_BODIES_DAYS: '30',
  HELLIO_RETENTION_BATCH: '500',
  HELLIO_RETENTION_BUDGET_MS: '20000',
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function int(env: Record<string, string | undefined>, name: keyof typeof DEFAULTS, min: number, max: number): number {
  // An empty variable means unset, as for HOST and HELLIO_DATA_DIR; only plain decimal digits count
  // (Number() would read "" as 0, "0x10" as 16 and "1e3" as 1000).
  const raw = env[name] || DEFAULTS[name];
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

/** Like int(), for a setting whose absence means "the built-in behaviour": null when unset or empty. */
function optionalInt(env: Record<string, string | undefined>, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

/**
 * The inbound SMTP server's STARTTLS certificate chain and key, read from the two PEM files named:
 * both or neither, readable, and a key that belongs to the certificate — checked now, so that a
 * wrong pair stops the start instead of failing each sender's TLS handshake later.
 */
function smtpInboundTls(certPath: string | undefined, keyPath: string | undefined): { cert: string; key: string } | null {
  if (!certPath && !keyPath) return null;
  if (!certPath || !keyPath) throw new ConfigError('HELLIO_SMTP_INBOUND_TLS_CERT and HELLIO_SMTP_INBOUND_TLS_KEY go together: set both (PEM files) or neither');
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const tls = { cert: read('HELLIO_SMTP_INBOUND_TLS_CERT', certPath), key: read('HELLIO_SMTP_INBOUND_TLS_KEY', keyPath) };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new ConfigError(`HELLIO_SMTP_INBOUND_TLS_CERT / HELLIO_SMTP_INBOUND_TLS_KEY: not a PEM certificate and its key (${(err as Error).message})`);
  }
  return tls;
}

function url(env: Record<string, string | undefined>, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

// Names Fastify's trustProxy (proxy-addr) understands besides addresses and ranges.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validProxy(entry: string): boolean {
  if (PROXY_NAMES.has(entry) || ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry)) return true;
  const [addr, mask, ...rest] = entry.split('/');
  // 10.0.0.0/255.0.0.0 (a bare number after "/" is a prefix length, which isValidCIDR judged).
  return rest.length === 0 && mask !== undefined && /[.:]/.test(mask) && ipaddr.isValid(addr!) && ipaddr.isValid(mask);
}

function dnsServers(raw: string | undefined): string[] {
  const list = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    // "1.1.1.1", "1.1.1.1:53", "[::1]:5353" or a bare IPv6 address: what Resolver.setServers takes.
    const m = /^(?:\[([^\]]+)\]|(\d+\.\d+\.\d+\.\d+)|([0-9a-fA-F:]+))(?::(\d{1,5}))?$/.exec(s);
    const ip = m ? (m[1] ?? m[2] ?? m[3])! : '';
    if (!m || !ipaddr.isValid(ip)) throw new ConfigError(`HELLIO_DNS_SERVERS: "${s}" is not an IP address with an optional :port`);
  }
  return list;
}

/** One SIP trunk: its name (what routes say) and its sip: URL, validated by the adapter's parser. */
export interface SipTrunkSetting {
  name: string;
  url: string;
}

function sipTrunks(env: Record<string, string | undefined>): SipTrunkSetting[] {
  const out: SipTrunkSetting[] = [];
  const check = (where: string, url: unknown) => {
    if (typeof url !== 'string') throw new ConfigError(`${where} must be a sip: URL (sip:user:password@host:port)`);
    try {
      parseSipTrunkUrl(url);
    } catch (err) {
      throw new ConfigError(`${where}: ${(err as Error).message}`);
    }
    return url;
  };
  if (env.HELLIO_SIP_URL) out.push({ name: 'sip', url: check('HELLIO_SIP_URL', env.HELLIO_SIP_URL) });
  const raw = env.HELLIO_SIP_TRUNKS;
  if (!raw) return out;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    list = null;
  }
  if (!Array.isArray(list)) throw new ConfigError('HELLIO_SIP_TRUNKS must be a JSON array of {"name", "url"} objects');
  for (const [i, item] of list.entries()) {
    const name: unknown = (item as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(name)) {
      throw new ConfigError(`HELLIO_SIP_TRUNKS[${i}].name must be 1–32 lower-case letters, digits, "-" or "_"`);
    }
    if (name === 'simulator' || out.some((t) => t.name === name)) throw new ConfigError(`HELLIO_SIP_TRUNKS: the name "${name}" is taken`);
    out.push({ name, url: check(`HELLIO_SIP_TRUNKS[${i}].url`, (item as { url?: unknown }).url) });
  }
  return out;
}

function httpSmsProviders(raw: string | undefined): HttpSmsProviderConfig[] {
  if (!raw) return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigError('HELLIO_HTTP_SMS_PROVIDERS must be a JSON array of provider objects');
  }
  if (!Array.isArray(list)) throw new ConfigError('HELLIO_HTTP_SMS_PROVIDERS must be a JSON array of provider objects');
  const configs = list.map((item, i) => {
    try {
      return parseHttpSmsProviderConfig(item);
    } catch (err) {
      throw new ConfigError(`HELLIO_HTTP_SMS_PROVIDERS[${i}]: ${(err as Error).message}`);
    }
  });
  const names = configs.map((c) => c.name);
  for (const [i, n] of names.entries()) {
    if (n === 'simulator' || n === 'smpp' || names.indexOf(n) !== i) {
      throw new ConfigError(`HELLIO_HTTP_SMS_PROVIDERS: the name "${n}" is taken`);
    }
  }
  return configs;
}

function bool(env: Record<string, string | undefined>, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

function callbackToken(raw: string | undefined, name = 'HELLIO_PROVIDER_CALLBACK_TOKEN'): string | null {
  if (!raw) return null;
  if (raw.length < 24) throw new ConfigError(`${name} must be at least 24 characters`);
  return raw;
}

// The token travels as "Authorization: Bearer …": a header value of visible ASCII without spaces.
function metricsToken(raw: string | undefined): string | null {
  const token = callbackToken(raw, 'HELLIO_METRICS_TOKEN');
  if (token !== null && !/^[\x21-\x7e]+$/.test(token)) throw new ConfigError('HELLIO_METRICS_TOKEN must be visible ASCII characters without spaces');
  return token;
}

function otpSettings(env: Record<string, string | undefined>): OtpSettings {
  const secret = env.HELLIO_OTP_SECRET || null;
  // Codes are short; the secret is what keeps a stolen database from yielding them, so no weak ones.
  if (secret !== null && secret.length < 32) throw new ConfigError('HELLIO_OTP_SECRET must be at least 32 characters');
  const smsFrom = (env.HELLIO_OTP_SMS_FROM || DEFAULTS.HELLIO_OTP_SMS_FROM).trim();
  if (!((/^[A-Za-z0-9 _&-]{1,11}$/.test(smsFrom) && /[A-Za-z]/.test(smsFrom)) || /^\+?\d{3,15}$/.test(smsFrom))) {
    throw new ConfigError('HELLIO_OTP_SMS_FROM must be an alphanumeric sender id (1–11 characters), a short code or a number');
  }
  const emailFrom = env.HELLIO_OTP_EMAIL_FROM || null;
  if (emailFrom !== null && !parseMailbox(emailFrom)) {
    throw new ConfigError('HELLIO_OTP_EMAIL_FROM must be an email address ("a@example.com" or "Name <a@example.com>")');
  }
  return {
    secret,
    smsFrom,
    emailFrom,
    resendCooldownSeconds: int(env, 'HELLIO_OTP_RESEND_COOLDOWN_SECONDS', 0, 3600),
    perIpPerHour: int(env, 'HELLIO_OTP_PER_IP_PER_HOUR', 1, 1_000_000_000),
    perDestinationPerHour: int(env, 'HELLIO_OTP_PER_DESTINATION_PER_HOUR', 1, 1_000_000_000),
    pumping: {
      windowSeconds: int(env, 'HELLIO_OTP_PUMPING_WINDOW_SECONDS', 60, 7 * 86_400),
      minSends: int(env, 'HELLIO_OTP_PUMPING_MIN_SENDS', 0, 1_000_000_000),
      minApprovalPercent: int(env, 'HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT', 0, 100),
      prefixDigits: int(env, 'HELLIO_OTP_PUMPING_PREFIX_DIGITS', 1, 15),
      blockSeconds: int(env, 'HELLIO_OTP_PUMPING_BLOCK_SECONDS', 60, 30 * 86_400),
    },
  };
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function emailVerifySettings(env: Record<string, string | undefined>): EmailVerifySettings {
  // EHLO should name this host; the machine's name is the honest default, "localhost" if it is not a host name.
  const machine = hostname();
  const heloName = env.HELLIO_EMAIL_VERIFY_HELO || (HOST_NAME.test(machine) ? machine : 'localhost');
  if (!HOST_NAME.test(heloName)) throw new ConfigError('HELLIO_EMAIL_VERIFY_HELO must be a host name such as verify.example.com');
  const rawFrom = env.HELLIO_EMAIL_VERIFY_MAIL_FROM || null;
  const from = rawFrom === null ? null : parseMailbox(rawFrom);
  if (rawFrom !== null && (!from || /[<>]/.test(rawFrom))) {
    throw new ConfigError('HELLIO_EMAIL_VERIFY_MAIL_FROM must be a bare address such as verify@example.com (unset: the null sender <>)');
  }
  return {
    smtpByDefault: bool(env, 'HELLIO_EMAIL_VERIFY_SMTP'),
    probe: {
      port: int(env, 'HELLIO_EMAIL_VERIFY_SMTP_PORT', 1, 65535),
      heloName,
      mailFrom: from ? from.address : null,
      timeoutMs: int(env, 'HELLIO_EMAIL_VERIFY_TIMEOUT_MS', 100, 120_000),
    },
    allowPrivateHosts: bool(env, 'HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE'),
    cacheTtlMs: int(env, 'HELLIO_EMAIL_VERIFY_CACHE_SECONDS', 0, 7 * 86_400) * 1000,
    dnsTimeoutMs: int(env, 'HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS', 100, 60_000),
  };
}

function peopleSettings(env: Record<string, string | undefined>, port: number): PeopleSettings {
  const signup = (env.HELLIO_SIGNUP || DEFAULTS.HELLIO_SIGNUP) as SignupMode;
  if (!SIGNUP_MODES.includes(signup)) throw new ConfigError(`HELLIO_SIGNUP must be one of ${SIGNUP_MODES.join(', ')} (got "${signup}")`);
  const publicUrl = url(env, 'HELLIO_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const mailFrom = env.HELLIO_MAIL_FROM || DEFAULTS.HELLIO_MAIL_FROM;
  if (!parseMailbox(mailFrom)) throw new ConfigError('HELLIO_MAIL_FROM must be an address such as "Hellio <no-reply@example.com>"');
  const hour = 3_600_000;
  return {
    signup,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    mailFrom,
    sessionIdleMs: int(env, 'HELLIO_SESSION_IDLE_MINUTES', 1, 525_600) * 60_000,
    sessionMaxMs: int(env, 'HELLIO_SESSION_MAX_HOURS', 1, 8_760) * hour,
    loginPerIp: int(env, 'HELLIO_LOGIN_PER_IP', 1, 1_000_000),
    loginPerEmail: int(env, 'HELLIO_LOGIN_PER_EMAIL', 1, 1_000_000),
    loginWindowMs: int(env, 'HELLIO_LOGIN_WINDOW_MINUTES', 1, 1_440) * 60_000,
    sessionRequestsPerMinute: int(env, 'HELLIO_SESSION_REQUESTS_PER_MINUTE', 1, 1_000_000),
    invitationTtlMs: 7 * 24 * hour,
    passwordResetTtlMs: hour,
    emailVerificationTtlMs: 48 * hour,
    setupTtlMs: 24 * hour,
  };
}

function httpSettings(env: Record<string, string | undefined>): HttpLimits {
  const headersTimeoutMs = int(env, 'HELLIO_HTTP_HEADERS_TIMEOUT_MS', 100, 600_000);
  const requestTimeoutMs = int(env, 'HELLIO_HTTP_REQUEST_TIMEOUT_MS', 100, 3_600_000);
  // Node refuses a headers deadline later than the whole request's, and it would mean nothing.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('HELLIO_HTTP_HEADERS_TIMEOUT_MS must not exceed HELLIO_HTTP_REQUEST_TIMEOUT_MS');
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: int(env, 'HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS', 100, 600_000),
    connectionTimeoutMs: int(env, 'HELLIO_HTTP_CONNECTION_TIMEOUT_MS', 1000, 3_600_000),
    maxConnections: int(env, 'HELLIO_HTTP_MAX_CONNECTIONS', 1, 1_000_000),
    maxInFlight: int(env, 'HELLIO_HTTP_MAX_IN_FLIGHT', 1, 1_000_000),
    maxEventLoopDelayMs: int(env, 'HELLIO_HTTP_MAX_EVENT_LOOP_DELAY_MS', 0, 60_000),
  };
}

/** Retention periods in days (0 = keep forever) and the purge's batch and time budget. */
function retentionSettings(env: Record<string, string | undefined>): RetentionSettings {
  const days = (name: keyof typeof DEFAULTS) => int(env, name, 0, 36_500) * 86_400_000;
  return {
    jobsMs: days('HELLIO_RETENTION_JOBS_DAYS'),
    webhooksMs: days('HELLIO_RETENTION_WEBHOOKS_DAYS'),
    sandboxMs: days('HELLIO_RETENTION_SANDBOX_DAYS'),
    sessionsMs: days('HELLIO_RETENTION_SESSIONS_DAYS'),
    otpMs: days('HELLIO_RETENTION_OTP_DAYS'),
    lookupsMs: days('HELLIO_RETENTION_LOOKUPS_DAYS'),
    callAudioMs: days('HELLIO_RETENTION_CALL_AUDIO_DAYS'),
    bodiesDays: int(env, 'HELLIO_RETENTION_BODIES_DAYS', 0, 36_500),
    batchSize: int(env, 'HELLIO_RETENTION_BATCH', 1, 10_000),
    budgetMs: int(env, 'HELLIO_RETENTION_BUDGET_MS', 100, 60_000),
  };
}

// 32 bytes as 64 hex digits or base64; the value itself never appears in the error.
function secretKey(env: Record<string, string | undefined>, name: string): Buffer | null {
  const raw = env[name];
  if (!raw) return null;
  const key = parseSecretKey(raw);
  if (!key) throw new ConfigError(`${name} must be 32 bytes as 64 hex digits or base64 (make one with: openssl rand -base64 32)`);
  return key;
}

/** Builds the configuration from defaults and the environment; throws ConfigError on bad values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const currency = (env.HELLIO_CURRENCY ?? DEFAULTS.HELLIO_CURRENCY).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError('HELLIO_CURRENCY must be a 3-letter ISO 4217 code');
  const trustProxy = (env.HELLIO_TRUST_PROXY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Checked here: Fastify would otherwise fail at start with a bare TypeError.
  const badProxy = trustProxy.find((p) => !validProxy(p));
  if (badProxy !== undefined) {
    throw new ConfigError(`HELLIO_TRUST_PROXY: "${badProxy}" is not an IP address, a CIDR range or one of ${[...PROXY_NAMES].join(', ')}`);
  }
  return {
    port: int(env, 'PORT', 0, 65535),
    host: env.HOST || DEFAULTS.HOST,
    dataDir: resolve(env.HELLIO_DATA_DIR || DEFAULTS.HELLIO_DATA_DIR),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    secretKey: secretKey(env, 'HELLIO_SECRET_KEY'),
    secretKeyPrevious: (env.HELLIO_SECRET_KEY_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((text, i) => secretKey({ [`HELLIO_SECRET_KEY_PREVIOUS[${i}]`]: text }, `HELLIO_SECRET_KEY_PREVIOUS[${i}]`)!),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    trustProxy,
    logLevel: env.HELLIO_LOG_LEVEL || DEFAULTS.HELLIO_LOG_LEVEL,
    defaultRateLimitPerMinute: int(env, 'HELLIO_RATE_LIMIT_PER_MINUTE', 1, 1_000_000_000),
    bodyLimit: int(env, 'HELLIO_BODY_LIMIT', 1024, 1024 * 1024 * 1024),
    emailBodyLimit: int(env, 'HELLIO_EMAIL_BODY_LIMIT', 1024, 1024 * 1024 * 1024),
    idempotencyTtlMs: int(env, 'HELLIO_IDEMPOTENCY_TTL_HOURS', 24, 24 * 365) * 3_600_000,
    currency,
    pgPoolSize: int(env, 'HELLIO_PG_POOL_SIZE', 1, 1000),
    acceptBatches: optionalInt(env, 'HELLIO_ACCEPT_BATCHES', 1, 64),
    smppUrl: url(env, 'HELLIO_SMPP_URL', ['smpp:']),
    smppWindow: int(env, 'HELLIO_SMPP_WINDOW', 1, 10_000),
    smtpUrl: url(env, 'HELLIO_SMTP_URL', ['smtp:', 'smtps:']),
    sipTrunks: sipTrunks(env),
    voiceSimulatorSpeed: int(env, 'HELLIO_VOICE_SIMULATOR_SPEED', 1, 1000),
    workerConcurrency: int(env, 'HELLIO_WORKER_CONCURRENCY', 1, 10_000),
    jobLeaseMs: optionalInt(env, 'HELLIO_JOB_LEASE_MS', 1000, 86_400_000),
    receiptTimeoutMs: {
      sms: int(env, 'HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES', 1, 43_200) * 60_000,
      email: int(env, 'HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES', 1, 43_200) * 60_000,
    },
    shutdownTimeoutMs: int(env, 'HELLIO_SHUTDOWN_TIMEOUT_MS', 1000, 600_000),
    dnsServers: dnsServers(env.HELLIO_DNS_SERVERS),
    spfInclude: env.HELLIO_SPF_INCLUDE || null,
    returnPathHost: env.HELLIO_RETURN_PATH_HOST || null,
    httpSmsProviders: httpSmsProviders(env.HELLIO_HTTP_SMS_PROVIDERS),
    providerCallbackToken: callbackToken(env.HELLIO_PROVIDER_CALLBACK_TOKEN),
    metricsToken: metricsToken(env.HELLIO_METRICS_TOKEN),
    workerMetricsPort: optionalInt(env, 'HELLIO_WORKER_METRICS_PORT', 0, 65535),
    smtpInboundPort: optionalInt(env, 'HELLIO_SMTP_INBOUND_PORT', 0, 65535),
    smtpInboundMaxBytes: int(env, 'HELLIO_SMTP_INBOUND_MAX_BYTES', 1024, 1024 * 1024 * 1024),
    smtpInboundTls: smtpInboundTls(env.HELLIO_SMTP_INBOUND_TLS_CERT, env.HELLIO_SMTP_INBOUND_TLS_KEY),
    webhooksAllowPrivate: bool(env, 'HELLIO_WEBHOOKS_ALLOW_PRIVATE'),
    webhookTimeoutMs: int(env, 'HELLIO_WEBHOOK_TIMEOUT_MS', 100, 60_000),
    attachmentsAllowPrivate: bool(env, 'HELLIO_ATTACHMENTS_ALLOW_PRIVATE'),
    attachmentFetchTimeoutMs: int(env, 'HELLIO_ATTACHMENT_FETCH_TIMEOUT_MS', 100, 120_000),
    otp: otpSettings(env),
    emailVerify: emailVerifySettings(env),
    people: peopleSettings(env, int(env, 'PORT', 0, 65535)),
    http: httpSettings(env),
    retention: retentionSettings(env),
  };
}
