import { ConnectionError, errorFromResponse, HellioError, parseRetryAfter, RateLimitError, TimeoutError } from './errors.js';

/** The SDK's version, sent in User-Agent. */
export const VERSION = '0.1.0';

/** How the client talks to the server. */
export interface TransportOptions {
  apiKey: string;
  baseUrl: string;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Milliseconds each attempt may take, answer included. */
  timeout: number;
  fetch: typeof globalThis.fetch;
}

/** Per-call settings, the last argument of every method. */
export interface RequestOptions {
  /** The Idempotency-Key of a charged POST; one is generated for each call when omitted. */
  idempotencyKey?: string;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Overrides the client's `timeout` (ms) for this call. */
  timeout?: number;
  /** Abandons the call (and its retries) when aborted. */
  signal?: AbortSignal;
}

/** One API call. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: object | undefined;
  body?: unknown;
  /** A charged POST: it carries an Idempotency-Key, so that replaying it never acts twice. */
  idempotent?: boolean;
  /** The answer is text of this media type (a CSV export), answered as it came; else JSON. */
  text?: string;
}

/** Longest Retry-After the SDK waits out; a longer one is the caller's decision (RateLimitError). */
export const MAX_RETRY_AFTER_SECONDS = 60;

// 429 codes that are a verdict on the destination rather than on the request rate: waiting and
// sending again would send another code, so the caller decides.
const NOT_RETRIED_429 = new Set(['otp_cooldown', 'otp_max_sends', 'otp_prefix_blocked']);

/** The delay before retry n (0-based): min(0.5 s × 2ⁿ, 5 s), less up to a quarter at random. */
export function backoffMs(retry: number, random = Math.random): number {
  const ceiling = Math.min(500 * 2 ** retry, 5000);
  return Math.round(ceiling * (1 - random() * 0.25));
}

/** A sleep that ends early, rejecting, when the caller's signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The URL of a call: base URL, path, and the query without its undefined fields. */
function urlOf(baseUrl: string, path: string, query: object | undefined): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * Whether a failure may be tried again, and after how long (ms); null = throw it. Answers that
 * prove the server did nothing (429, 409 `idempotency_in_progress`, 503) are retried on any
 * call; failures that leave it unknown whether the server acted (no answer, other 5xx) only on
 * calls that are safe to repeat: reads, updates, deletes, and POSTs carrying an Idempotency-Key.
 */
function retryDelay(err: HellioError, call: ApiCall, retry: number): number | null {
  const repeatable = call.method !== 'POST' || call.idempotent === true;
  if (err instanceof RateLimitError) {
    if (NOT_RETRIED_429.has(err.code)) return null;
    if (err.retryAfter === null) return backoffMs(retry);
    return err.retryAfter <= MAX_RETRY_AFTER_SECONDS ? err.retryAfter * 1000 : null;
  }
  if (err.status === 409) return err.code === 'idempotency_in_progress' ? backoffMs(retry) : null;
  if (err.status === 503) {
    // A Retry-After within reason is honoured; the backoff still spaces attempts out.
    const asked = parseRetryAfter(err.headers?.get('retry-after') ?? null);
    return asked !== null && asked <= MAX_RETRY_AFTER_SECONDS ? Math.max(asked * 1000, backoffMs(retry)) : backoffMs(retry);
  }
  if (err.status === undefined || err.status >= 500) return repeatable ? backoffMs(retry) : null;
  return null;
}

/** Sends a call, retrying as `retryDelay` allows, and answers its parsed JSON body or throws a HellioError. */
export async function send<T>(t: TransportOptions, call: ApiCall, opts: RequestOptions = {}): Promise<T> {
  const maxRetries = opts.maxRetries ?? t.maxRetries;
  const timeout = opts.timeout ?? t.timeout;
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.apiKey}`,
    accept: call.text ?? 'application/json',
    'user-agent': `hellio-sdk-node/${VERSION} node/${process.versions.node}`,
  };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  // One key for the call, kept on every retry: the server replays instead of acting twice.
  if (call.idempotent) headers['idempotency-key'] = opts.idempotencyKey ?? crypto.randomUUID();
  const url = urlOf(t.baseUrl, call.path, call.query);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);

  for (let retry = 0; ; retry++) {
    const outcome = await attempt<T>(t, url, call.method, headers, body, timeout, opts.signal, call.text !== undefined);
    if (!(outcome instanceof HellioError)) return outcome.value;
    const delay = retry < maxRetries ? retryDelay(outcome, call, retry) : null;
    if (delay === null) throw outcome;
    await sleep(delay, opts.signal);
  }
}

/** One HTTP exchange: the parsed answer, or the error it came to. */
async function attempt<T>(
  t: TransportOptions,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeout: number,
  callerSignal: AbortSignal | undefined,
  asText: boolean,
): Promise<{ value: T } | HellioError> {
  const deadline = AbortSignal.timeout(timeout);
  const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
  let res: Response;
  let text: string;
  try {
    res = await t.fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal });
    text = await res.text();
  } catch (e) {
    // The caller's own abort is not a failure of the network: it ends the call at once.
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (deadline.aborted) return new TimeoutError({ code: 'timeout', message: `No answer from ${method} ${url} within ${timeout} ms`, cause: e });
    return new ConnectionError({ code: 'connection_error', message: `Could not reach ${method} ${url}: ${reasonOf(e)}`, cause: e });
  }
  // A text answer (a whole CSV export) is handed over as it came, never run through JSON.parse.
  if (asText && res.status < 400) return { value: text as T };
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // A proxy's HTML page or a cut body: kept as unparsed; the status decides what it means.
  }
  if (res.status >= 400) return errorFromResponse(res.status, parsed, res.headers);
  if (parsed === undefined && text !== '') {
    return new HellioError({ status: res.status, code: 'invalid_response', message: `The answer to ${method} ${url} is not JSON`, headers: res.headers });
  }
  return { value: parsed as T };
}

/** The most telling words of a fetch failure (undici hides the socket error in `cause`). */
function reasonOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}
