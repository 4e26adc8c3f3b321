import { connectionless, type ProviderState } from '../provider-state.ts';
import type { InboundHandler, ReceiptHandler, SmsProvider, SmsReceipt, SmsSubmit, SmsSubmitResult } from './sms-provider.ts';
import { moAddress } from './smpp-mo.ts';

export type HttpSmsAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'header'; name: string; value: string };

/** How to read a provider's status callback. Status words match case-insensitively. */
export interface HttpSmsReceiptConfig {
  /** Dot path to the provider message id (the one submit returned), e.g. "MessageSid" or "data.id". */
  idField: string;
  /** Dot path to the status word. */
  statusField: string;
  delivered: string[];
  undelivered: string[];
  failed: string[];
}

/**
 * One HTTP SMS provider, as plain data so it can come from env JSON or the admin routes table.
 * Always pass it through parseHttpSmsProviderConfig (the constructor does too).
 */
export interface HttpSmsProviderConfig {
  /** e.g. "acme-sms"; the provider name in provider refs, so it must stay stable. */
  name: string;
  /** http(s) endpoint that accepts a send request. Credentials go in `auth`, never in the URL. */
  url: string;
  /** Default POST. */
  method?: 'POST' | 'PUT';
  auth?: HttpSmsAuth;
  /** Body encoding, default json. */
  format?: 'json' | 'form';
  /**
   * The request body. Values may contain {from} {to} {text} {message_id} {to_digits}; any other
   * {identifier} is a config error. At least one value must use {text} and one {to} or {to_digits}.
   */
  body: Record<string, string>;
  /** Dot path to the provider's message id in the JSON response, e.g. "messages.0.id" or "sid". */
  idPath: string;
  /** Whole request, response body included. Default 10000. */
  timeoutMs?: number;
  receipt?: HttpSmsReceiptConfig;
  /** How to read the provider's inbound-message callback (POST /providers/{name}/inbound); none: it has none. */
  inbound?: HttpSmsInboundConfig;
}

/** Dot paths to an inbound callback's sender, the number it was sent to, and its text (Twilio: From, To, Body). */
export interface HttpSmsInboundConfig {
  fromField: string;
  toField: string;
  textField: string;
}

const PLACEHOLDERS = ['from', 'to', 'text', 'message_id', 'to_digits'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
// Any {identifier} is a placeholder, so a typo fails at config time instead of going out literally.
const PLACEHOLDER_RE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const CONFIG_KEYS = new Set(['name', 'url', 'method', 'auth', 'format', 'body', 'idPath', 'timeoutMs', 'receipt', 'inbound']);
const RECEIPT_KEYS = new Set(['idField', 'statusField', 'delivered', 'undelivered', 'failed']);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// RFC 9110 token, for a custom auth header's name.
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Printable ASCII only: fetch refuses CR/LF/NUL anyway, and failing at config time names the field.
const HEADER_VALUE_RE = /^[\x20-\x7e\t]*$/;
const MAX_TIMEOUT_MS = 120_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const EXCERPT_CHARS = 200;
// Retry-After is the provider's word; a misconfigured or hostile one must not park messages for days.
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

function fail(msg: string): never {
  throw new Error(`invalid HTTP SMS provider config: ${msg}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(`${field} must be a non-empty string`);
  return v;
}

function dotPath(v: unknown, field: string): string {
  const path = nonEmptyString(v, field);
  if (path.split('.').some((s) => s === '')) fail(`${field} must be a dot path like "messages.0.id"`);
  return path;
}

function wordList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.some((w) => typeof w !== 'string' || w.trim() === '')) fail(`${field} must be an array of non-empty strings`);
  return [...(v as string[])];
}

function rejectUnknownKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) fail(`unknown field ${where}${k}`);
}

// Field errors never echo values: url queries and auth fields may hold secrets.
function parseAuth(v: unknown): HttpSmsAuth {
  if (!isPlainObject(v)) fail('auth must be an object');
  switch (v.type) {
    case 'bearer': {
      rejectUnknownKeys(v, new Set(['type', 'token']), 'auth.');
      const token = nonEmptyString(v.token, 'auth.token');
      if (!HEADER_VALUE_RE.test(token)) fail('auth.token must be printable ASCII');
      return { type: 'bearer', token };
    }
    case 'basic': {
      rejectUnknownKeys(v, new Set(['type', 'username', 'password']), 'auth.');
      const username = nonEmptyString(v.username, 'auth.username');
      if (username.includes(':')) fail('auth.username must not contain ":"');
      // An empty password is legitimate: several APIs take "key:" as basic credentials.
      if (typeof v.password !== 'string') fail('auth.password must be a string');
      return { type: 'basic', username, password: v.password };
    }
    case 'header': {
      rejectUnknownKeys(v, new Set(['type', 'name', 'value']), 'auth.');
      const name = nonEmptyString(v.name, 'auth.name');
      if (!HEADER_NAME_RE.test(name)) fail('auth.name must be an HTTP header name');
      const value = nonEmptyString(v.value, 'auth.value');
      if (!HEADER_VALUE_RE.test(value)) fail('auth.value must be printable ASCII');
      return { type: 'header', name, value };
    }
    default:
      fail('auth.type must be "bearer", "basic" or "header"');
  }
}

function parseReceipt(v: unknown): HttpSmsReceiptConfig {
  if (!isPlainObject(v)) fail('receipt must be an object');
  rejectUnknownKeys(v, RECEIPT_KEYS, 'receipt.');
  const receipt: HttpSmsReceiptConfig = {
    idField: dotPath(v.idField, 'receipt.idField'),
    statusField: dotPath(v.statusField, 'receipt.statusField'),
    delivered: wordList(v.delivered, 'receipt.delivered'),
    undelivered: wordList(v.undelivered, 'receipt.undelivered'),
    failed: wordList(v.failed, 'receipt.failed'),
  };
  const seen = new Map<string, string>();
  for (const list of ['delivered', 'undelivered', 'failed'] as const) {
    for (const w of receipt[list]) {
      const prev = seen.get(w.toLowerCase());
      if (prev && prev !== list) fail(`receipt status "${w}" is listed as both ${prev} and ${list}`);
      seen.set(w.toLowerCase(), list);
    }
  }
  if (seen.size === 0) fail('receipt lists no status words');
  return receipt;
}

/** Validates a provider config (from env JSON, the admin routes table …); throws a clear Error. */
export function parseHttpSmsProviderConfig(json: unknown): HttpSmsProviderConfig {
  if (!isPlainObject(json)) fail('expected an object');
  rejectUnknownKeys(json, CONFIG_KEYS, '');

  const name = nonEmptyString(json.name, 'name');
  if (!NAME_RE.test(name)) fail('name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

  const rawUrl = nonEmptyString(json.url, 'url');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    fail('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url must be an absolute http(s) URL');
  if (url.username || url.password) fail('url must not contain credentials; use auth');

  const method = json.method ?? 'POST';
  if (method !== 'POST' && method !== 'PUT') fail('method must be "POST" or "PUT"');
  const format = json.format ?? 'json';
  if (format !== 'json' && format !== 'form') fail('format must be "json" or "form"');

  if (!isPlainObject(json.body)) fail('body must be an object of strings');
  const body: Record<string, string> = {};
  const used = new Set<string>();
  for (const [k, v] of Object.entries(json.body)) {
    if (k === '') fail('body keys must not be empty');
    if (typeof v !== 'string') fail(`body.${k} must be a string`);
    for (const m of v.matchAll(PLACEHOLDER_RE)) {
      const p = m[1] ?? '';
      if (!(PLACEHOLDERS as readonly string[]).includes(p)) fail(`body.${k} uses unknown placeholder {${p}} (known: ${PLACEHOLDERS.map((x) => `{${x}}`).join(' ')})`);
      used.add(p);
    }
    body[k] = v;
  }
  // A request without the text or the destination can only be a template mistake.
  if (!used.has('text')) fail('body must use {text}');
  if (!used.has('to') && !used.has('to_digits')) fail('body must use {to} or {to_digits}');

  const idPath = dotPath(json.idPath, 'idPath');

  const timeoutMs = json.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    fail(`timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }

  const config: HttpSmsProviderConfig = { name, url: url.href, method, format, body, idPath, timeoutMs };
  if (json.auth !== undefined) config.auth = parseAuth(json.auth);
  if (json.receipt !== undefined) config.receipt = parseReceipt(json.receipt);
  if (json.inbound !== undefined) {
    if (!isPlainObject(json.inbound)) fail('inbound must be an object');
    rejectUnknownKeys(json.inbound, new Set(['fromField', 'toField', 'textField']), 'inbound.');
    config.inbound = {
      fromField: dotPath(json.inbound.fromField, 'inbound.fromField'),
      toField: dotPath(json.inbound.toField, 'inbound.toField'),
      textField: dotPath(json.inbound.textField, 'inbound.textField'),
    };
  }
  return config;
}

/** Follows "a.0.b" through objects and arrays, own properties only (no "constructor" surprises). */
function atPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (isPlainObject(cur)) {
      if (!Object.hasOwn(cur, seg)) return undefined;
      cur = cur[seg];
    } else {
      return undefined;
    }
  }
  return cur;
}

function idString(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    // Every HTTP date form starts with a day name; Date.parse alone would read "-5" as a year.
    const at = /^[A-Za-z]{3}/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

type Failure = Extract<SmsSubmitResult, { ok: false }>;

/**
 * SMS through one configurable HTTP API: a JSON or form request rendered from a template, the
 * provider's id read from the JSON answer, delivery receipts from its status callbacks.
 *
 * Outcomes. 2xx with an id: taken. 408, 429, 5xx, network errors and timeouts: retryable (429
 * and 503 carry Retry-After as retryAfterMs). Other 4xx and 3xx: permanent (redirects are not
 * followed, so a moved endpoint is fixed in config rather than re-sent somewhere with our
 * credentials). 2xx without an id at idPath: permanent, code NO_MESSAGE_ID — the provider said it
 * took the message, so a retry would likely send it twice, and the cause (a wrong idPath or a
 * changed API) does not heal by retrying.
 *
 * Like SMPP, a timeout or a dropped connection after the request left is retried though the
 * provider may have taken it: SMS is at-least-once.
 *
 * The provider concatenates long texts itself, so there is one provider id per message, not per
 * part; receipts refer to it.
 *
 * Secrets. Auth lives in #private fields (absent from util.inspect and JSON), is never logged,
 * and is redacted from any provider answer quoted in an error.
 */
/** Requests one HTTP provider gets from one process at once. */
export const MAX_REQUESTS_IN_FLIGHT = 64;

export class HttpSmsProvider implements SmsProvider {
  readonly name: string;
  readonly #config: HttpSmsProviderConfig;
  readonly #authHeader: [string, string] | null;
  readonly #secrets: string[];
  readonly #statusOf = new Map<string, SmsReceipt['status']>();
  readonly #closing = new AbortController();
  readonly #inflight = new Set<Promise<SmsSubmitResult>>();
  #handler: ReceiptHandler | null = null;
  #inbound: InboundHandler | null = null;
  // A worker runs hundreds of delivery jobs at once; the provider's API gets at most
  // MAX_REQUESTS_IN_FLIGHT of them at a time, the others wait their turn here.
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(config: HttpSmsProviderConfig) {
    this.#config = parseHttpSmsProviderConfig(config);
    this.name = this.#config.name;
    const auth = this.#config.auth;
    if (!auth) {
      this.#authHeader = null;
      this.#secrets = [];
    } else if (auth.type === 'bearer') {
      this.#authHeader = ['authorization', `Bearer ${auth.token}`];
      this.#secrets = [auth.token];
    } else if (auth.type === 'basic') {
      const b64 = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      this.#authHeader = ['authorization', `Basic ${b64}`];
      this.#secrets = [auth.password, b64];
    } else {
      this.#authHeader = [auth.name, auth.value];
      this.#secrets = [auth.value];
    }
    const r = this.#config.receipt;
    if (r) {
      for (const w of r.delivered) this.#statusOf.set(w.toLowerCase(), 'delivered');
      for (const w of r.undelivered) this.#statusOf.set(w.toLowerCase(), 'undelivered');
      for (const w of r.failed) this.#statusOf.set(w.toLowerCase(), 'failed');
    }
  }

  /** One HTTP request per message: no standing link to report. */
  state(): ProviderState {
    return connectionless('http');
  }

  onReceipt(handler: ReceiptHandler): void {
    this.#handler = handler;
  }

  #slot(): Promise<void> {
    if (this.#active < MAX_REQUESTS_IN_FLIGHT) {
      this.#active++;
      return Promise.resolve();
    }
    // The slot passes straight from the request that ends to this one (#release).
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }

  submit(msg: SmsSubmit): Promise<SmsSubmitResult> {
    if (this.#closing.signal.aborted) return Promise.resolve({ ok: false, retryable: true, code: 'CLOSED', error: 'HTTP SMS provider is closed' });
    // The templates carry a text; octets and a UDH have no place in them. (A validity is not sent either: docs/delivery.md.)
    if (msg.binary) return Promise.resolve({ ok: false, retryable: false, code: 'UNSUPPORTED', error: '8-bit data with a UDH cannot be sent through an HTTP provider; route it over SMPP' });
    const p = this.#slot()
      .then(() => this.#send(msg))
      .finally(() => {
        this.#release();
        this.#inflight.delete(p);
      });
    this.#inflight.add(p);
    return p;
  }

  /**
   * Maps a provider status callback (already parsed from JSON or a form) to a receipt and hands
   * it to the onReceipt handler. False when there is nothing to hand over: no receipt config, no
   * id or status, an intermediate status ("queued", "sent" …) or no handler yet — the route may
   * then still answer 2xx, but it knows nothing was recorded.
   */
  handleCallback(body: Record<string, unknown>): boolean {
    const r = this.#config.receipt;
    if (!r || !this.#handler) return false;
    const id = idString(atPath(body, r.idField));
    const word = atPath(body, r.statusField);
    const detail = typeof word === 'string' ? word.trim() : typeof word === 'number' ? String(word) : null;
    if (!id || !detail) return false;
    const status = this.#statusOf.get(detail.toLowerCase());
    if (!status) return false;
    // The callback's own timestamp is not read: its field and format differ per provider.
    // The handler logs its own failures; the callback has been answered by then.
    this.#handler({ providerMessageId: id, status, detail, at: Date.now() }).catch(() => undefined);
    return true;
  }

  onInbound(handler: InboundHandler): void {
    this.#inbound = handler;
  }

  /**
   * An inbound-message callback, read through `config.inbound`: resolves true once the message is
   * stored, false when this provider takes none or the body lacks a field; rejects when it could
   * not be stored (the route answers 503, and the provider retries).
   */
  async handleInbound(body: Record<string, unknown>): Promise<boolean> {
    const cfg = this.#config.inbound;
    if (!cfg || !this.#inbound) return false;
    const field = (path: string) => {
      const v = atPath(body, path);
      return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
    };
    const from = field(cfg.fromField);
    const to = field(cfg.toField);
    const text = field(cfg.textField);
    if (!from || !to || text === null) return false;
    await this.#inbound({ from: moAddress(from), to: moAddress(to), text, concat: null });
    return true;
  }

  /** Aborts requests in flight (they resolve retryable, code CLOSED) and waits for them to settle. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#inflight]);
  }

  async #send(msg: SmsSubmit): Promise<SmsSubmitResult> {
    const cfg = this.#config;
    const vars: Record<Placeholder, string> = {
      from: msg.from,
      to: msg.to,
      text: msg.text,
      message_id: msg.messageId,
      to_digits: msg.to.replace(/\D/g, ''),
    };
    // One pass with a replacer function: inserted values are never rescanned (a text saying
    // "{to}" stays literal) and "$&"-style patterns in them mean nothing. The body is then
    // serialised from values, never spliced into JSON or form text, so quotes cannot escape.
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.body)) body[k] = v.replace(PLACEHOLDER_RE, (_m, p: string) => vars[p as Placeholder] ?? '');

    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Hellio' };
    headers['content-type'] = cfg.format === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    if (this.#authHeader) headers[this.#authHeader[0]] = this.#authHeader[1];

    const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(cfg.url, {
        method: cfg.method ?? 'POST',
        headers,
        body: cfg.format === 'form' ? new URLSearchParams(body).toString() : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.#closing.signal]),
      });
      // Inside the try: the signal covers the body too, and a connection cut mid-body is a network error.
      text = await res.text();
    } catch (err) {
      if (this.#closing.signal.aborted) return { ok: false, retryable: true, code: 'CLOSED', error: 'HTTP SMS provider is closed' };
      if (timeout.aborted) return { ok: false, retryable: true, code: 'TIMEOUT', error: `no answer within ${timeoutMs} ms` };
      return { ok: false, retryable: true, code: 'NETWORK_ERROR', error: `network error: ${describeNetworkError(err)}` };
    }

    const status = res.status;
    if (status >= 200 && status < 300) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const id = idString(atPath(parsed, cfg.idPath));
      if (id) return { ok: true, providerMessageIds: [id] };
      return { ok: false, retryable: false, code: 'NO_MESSAGE_ID', error: `HTTP ${status} without a message id at "${cfg.idPath}": ${this.#excerpt(text)}` };
    }
    const failure: Failure = { ok: false, retryable: false, code: `HTTP_${status}`, error: `HTTP ${status}: ${this.#excerpt(text)}` };
    if (status === 408 || status === 429 || status >= 500) {
      failure.retryable = true;
      const hint = parseRetryAfter(res.headers.get('retry-after'));
      if (hint !== undefined) failure.retryAfterMs = hint;
    }
    return failure;
  }

  /** The start of a provider's answer for an error message, with our secrets blanked out. */
  #excerpt(text: string): string {
    // Redact before cutting, so a secret straddling the cut cannot leak its first half.
    let s = text;
    for (const secret of this.#secrets) if (secret) s = s.split(secret).join('[redacted]');
    s = s.replace(/\s+/g, ' ').trim();
    if (!s) return '(empty body)';
    return s.length > EXCERPT_CHARS ? `${s.slice(0, EXCERPT_CHARS)}…` : s;
  }
}

// fetch reports every transport failure as TypeError("fetch failed"); the reason is in `cause`.
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
