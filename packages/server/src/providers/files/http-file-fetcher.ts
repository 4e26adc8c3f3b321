import http from 'node:http';
import https from 'node:https';
import { type GuardOptions, parseTarget, pinnedLookup, TargetBlocked, vettedAddresses } from '../http-guard.ts';
import { type FetchedFile, FetchRefused, type FileFetcher } from './file-fetcher.ts';

// Storage services answer a file's URL with a redirect to where it is; a chain longer than this is a loop.
const MAX_REDIRECTS = 3;

/**
 * Files over node:http(s) GET behind the SSRF guard (providers/http-guard.ts). Every redirect's
 * target is vetted again, so a public URL cannot bounce the server into a private network; the
 * body is cut off past the size limit and the whole fetch, redirects included, when the caller's signal aborts.
 */
export class HttpFileFetcher implements FileFetcher {
  constructor(private readonly opts: GuardOptions & { userAgent?: string }) {}

  async fetch(url: string, limits: { maxBytes: number; signal: AbortSignal }): Promise<FetchedFile> {
    let target = url;
    for (let hop = 0; ; hop++) {
      const answer = await this.get(target, limits);
      if (answer.kind === 'file') return answer.file;
      if (hop === MAX_REDIRECTS) throw new FetchRefused(`more than ${MAX_REDIRECTS} redirects`);
      target = new URL(answer.location, target).toString();
    }
  }

  private async get(url: string, limits: { maxBytes: number; signal: AbortSignal }): Promise<{ kind: 'file'; file: FetchedFile } | { kind: 'redirect'; location: string }> {
    let u: URL;
    let addresses: string[];
    try {
      u = parseTarget(url);
      addresses = await vettedAddresses(u.hostname, this.opts);
    } catch (err) {
      if (err instanceof TargetBlocked) throw new FetchRefused(err.message);
      throw err;
    }
    if (limits.signal.aborted) throw new FetchRefused('took too long');
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        req.destroy();
        reject(new FetchRefused(why));
      };
      const req = (u.protocol === 'https:' ? https : http).get(
        u,
        { lookup: pinnedLookup(addresses), signal: limits.signal, headers: { 'user-agent': this.opts.userAgent ?? 'Hellio-Fetch/1', accept: '*/*' } },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location) {
            res.resume();
            resolve({ kind: 'redirect', location: res.headers.location });
            return;
          }
          if (status < 200 || status >= 300) return fail(`the server answered ${status}`);
          const declared = Number(res.headers['content-length']);
          if (declared > limits.maxBytes) return fail(`larger than ${limits.maxBytes} bytes`);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limits.maxBytes) fail(`larger than ${limits.maxBytes} bytes`);
            else chunks.push(c);
          });
          res.on('end', () => {
            resolve({
              kind: 'file',
              file: { content: Buffer.concat(chunks), contentType: mediaType(res.headers['content-type']), filename: nameOf(res.headers['content-disposition'], u) },
            });
          });
          res.on('error', (err) => fail(limits.signal.aborted ? 'took too long' : err.message));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => reject(new FetchRefused(limits.signal.aborted ? 'took too long' : (err.code ?? err.message))));
    });
  }
}

/** A Content-Type's media type, lower-cased, without its parameters. */
function mediaType(header: string | undefined): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/** The file name a server gives (Content-Disposition, plain or RFC 5987 `filename*`), else the URL's last path segment. */
function nameOf(disposition: string | undefined, u: URL): string | null {
  const extended = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition ?? '');
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition ?? '');
  let name: string | undefined;
  try {
    name = extended ? decodeURIComponent(extended[1]!.trim()) : plain?.[1]?.trim();
    name ??= decodeURIComponent(u.pathname.split('/').pop() ?? '');
  } catch {
    name = undefined;
  }
  // Only the last segment of whatever was said: a name, never a path.
  const base = name?.split(/[/\\]/).pop()?.replace(/[\r\n]/g, '');
  return base ? base : null;
}
