/**
 * Attachments named by URL (Resend's `path`), fetched into content once, at acceptance: what is
 * queued is the file as it was then, and a send never depends on a third server at delivery.
 */
import { validationError } from '../../lib/errors.ts';
import { FetchRefused } from '../../providers/files/file-fetcher.ts';
import type { ModuleContext } from '../context.ts';
import type { EmailAttachment } from './email-payload.ts';

/** An attachment given by URL, with what the caller said of it. */
export interface PathAttachment {
  path: string;
  filename?: string;
  content_type?: string;
  content_id?: string;
}

/**
 * A fetcher for one request: every file it fetches counts against one byte budget (the email
 * body limit: no more than the caller could have sent inline) and one time limit
 * (HELLIO_ATTACHMENT_FETCH_TIMEOUT_MS for all of them together). A file that cannot be had is a
 * validation error on its field, with the reason.
 */
export function requestAttachmentFetcher(ctx: ModuleContext): (a: PathAttachment, field: string) => Promise<EmailAttachment> {
  const { fetcher, maxBytes, timeoutMs } = ctx.files;
  const signal = AbortSignal.timeout(timeoutMs);
  let left = maxBytes;
  return async (a, field) => {
    let file;
    try {
      file = await fetcher.fetch(a.path, { maxBytes: left, signal });
    } catch (err) {
      if (err instanceof FetchRefused) throw validationError([{ field: `${field}.path`, message: `could not be fetched: ${err.message}` }]);
      throw err;
    }
    left -= file.content.length;
    const filename = a.filename ?? file.filename;
    if (!filename) throw validationError([{ field: `${field}.filename`, message: 'is required when the URL names no file' }]);
    const contentType = a.content_type ?? file.contentType;
    return {
      filename,
      content: file.content.toString('base64'),
      ...(contentType ? { content_type: contentType } : {}),
      ...(a.content_id ? { content_id: a.content_id } : {}),
    };
  };
}
