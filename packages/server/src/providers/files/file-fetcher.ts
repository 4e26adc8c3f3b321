/**
 * The port for files a request names by URL (Resend's attachments with `path`): fetched once,
 * at acceptance, behind the SSRF guard, within a size and a time limit. The implementation is
 * beside it (http-file-fetcher.ts); main.ts builds it.
 */

/** A file as fetched: its bytes, and what the server said of it. */
export interface FetchedFile {
  content: Buffer;
  /** The answer's Content-Type without parameters, or null. */
  contentType: string | null;
  /** The name of Content-Disposition, else the last segment of the URL's path, or null. */
  filename: string | null;
}

/** Why a file could not be had (blocked target, error answer, too large, too slow): said to the user as is. */
export class FetchRefused extends Error {
  override name = 'FetchRefused';
}

/** Fetches a file by URL, or throws FetchRefused. */
export interface FileFetcher {
  /** The file at `url`, at most `maxBytes` long, given up when `signal` aborts (one signal can bound several fetches). */
  fetch(url: string, limits: { maxBytes: number; signal: AbortSignal }): Promise<FetchedFile>;
}
