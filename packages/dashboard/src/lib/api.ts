/** The API as the dashboard calls it: same origin, the session cookie, the CSRF token on changes. */

/** An error answer of the API ({code, message, detail, errors}), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Remembers the CSRF token of the current session (from /auth/me or a sign-in). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when the API says the session is gone (401 not_signed_in). */
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** A path with its query string; empty and null values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Calls the API; resolves with the JSON answer or throws an ApiError carrying the API's message. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'network_error', 'Hellio could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) {
    const err = (data ?? {}) as { code?: string; message?: string; errors?: { field: string; message: string }[] };
    const error = new ApiError(res.status, err.code ?? 'http_error', err.message ?? `The server answered ${res.status}.`, err.errors);
    if (res.status === 401 && error.code === 'not_signed_in' && !path.startsWith('/auth/me')) onSignedOut?.();
    throw error;
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** One page of a list route: `{data, next_cursor}` (null on the last page). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
