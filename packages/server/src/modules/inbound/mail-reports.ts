import { simpleParser } from 'mailparser';

/** One recipient's fate in a delivery status notification (RFC 3464 §2.3). */
export interface DsnRecipient {
  /** Final-Recipient's address, lower-cased. */
  address: string;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** The enhanced status code (RFC 3463), e.g. 5.1.1; empty when none was given. */
  status: string;
  diagnostic: string | null;
}

/** A report found in a multipart/report message, with the Message-ID of the mail it is about. */
export type MailReport =
  | { kind: 'delivery-status'; originalMessageId: string | null; recipients: DsnRecipient[] }
  | { kind: 'feedback-report'; originalMessageId: string | null; feedbackType: string; originalRcptTo: string | null };

interface Part {
  contentType: string;
  content: string;
}

/** Header-style fields in groups separated by blank lines (the delivery-status and feedback-report bodies). */
export function fieldGroups(text: string): Array<Map<string, string>> {
  const unfolded = text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  return unfolded
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const m = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
        if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
      }
      return fields;
    })
    .filter((f) => f.size > 0);
}

/** The address of a typed field value (`rfc822; a@b`, or a bare or bracketed address). */
function addressOf(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const a = v.trim().replace(/^<|>$/g, '').trim().toLowerCase();
  return a.includes('@') ? a : null;
}

/** The Message-ID found in an original message or its headers (returned whole or in part by the report). */
export function messageIdIn(headers: string): string | null {
  const unfolded = headers.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  const m = /^message-id\s*:\s*(<[^>\s]+>)/im.exec(unfolded);
  return m ? m[1]! : null;
}

/**
 * The body parts of a multipart entity, each decoded by mailparser. Parsed part by part: mailparser
 * alone folds a message/delivery-status part into the text body, where it can no longer be told
 * from the human-readable part before it.
 */
async function partsOf(raw: Buffer, boundary: string): Promise<Part[]> {
  const text = raw.toString('latin1');
  const delimiter = `--${boundary}`;
  const pieces = text.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
  // The first piece is the preamble, the last the epilogue.
  const parts: Part[] = [];
  for (const piece of pieces.slice(1, -1)) {
    const parsed = await simpleParser(Buffer.from(piece, 'latin1'), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const ct = parsed.headers.get('content-type') as { value?: string } | undefined;
    const contentType = (ct?.value ?? 'text/plain').toLowerCase();
    if (contentType === 'message/rfc822' || contentType === 'text/rfc822-headers') {
      // mailparser renders an inline message again and leaves its Message-ID out: read the part's own bytes.
      const bodyAt = piece.search(/\r?\n\r?\n/);
      const body = bodyAt < 0 ? '' : piece.slice(bodyAt).replace(/^\r?\n\r?\n/, '');
      const encoding = String(parsed.headers.get('content-transfer-encoding') ?? '').toLowerCase();
      parts.push({ contentType, content: encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body });
      continue;
    }
    const attachment = parsed.attachments[0];
    parts.push({ contentType, content: attachment ? attachment.content.toString('utf8') : (parsed.text ?? '') });
  }
  return parts;
}

/**
 * Reads a delivery status notification (RFC 3464, report-type=delivery-status) or a feedback
 * report (RFC 5965 ARF, report-type=feedback-report) from a message whose top Content-Type is
 * multipart/report; null for any other message.
 */
export async function readReport(raw: Buffer, contentType: { value?: string; params?: Record<string, string> } | undefined): Promise<MailReport | null> {
  if (contentType?.value?.toLowerCase() !== 'multipart/report') return null;
  const reportType = contentType.params?.['report-type']?.toLowerCase();
  const boundary = contentType.params?.boundary;
  if (!boundary || (reportType !== 'delivery-status' && reportType !== 'feedback-report')) return null;
  const parts = await partsOf(raw, boundary);
  const original = parts.find((p) => p.contentType === 'message/rfc822' || p.contentType === 'text/rfc822-headers');
  const originalMessageId = original ? messageIdIn(original.content) : null;
  if (reportType === 'delivery-status') {
    const status = parts.find((p) => p.contentType === 'message/delivery-status' || p.contentType === 'message/global-delivery-status');
    if (!status) return null;
    // The first group describes the reporting MTA; each later one, a recipient.
    const recipients: DsnRecipient[] = [];
    for (const f of fieldGroups(status.content)) {
      const address = addressOf(f.get('final-recipient') ?? f.get('original-recipient'));
      if (!address || !f.has('action')) continue;
      recipients.push({
        address,
        action: f.get('action')!.toLowerCase(),
        status: /\d\.\d{1,3}\.\d{1,3}/.exec(f.get('status') ?? '')?.[0] ?? '',
        diagnostic: f.get('diagnostic-code') ?? null,
      });
    }
    return { kind: 'delivery-status', originalMessageId, recipients };
  }
  const feedback = parts.find((p) => p.contentType === 'message/feedback-report');
  if (!feedback) return null;
  const f = fieldGroups(feedback.content)[0] ?? new Map<string, string>();
  return {
    kind: 'feedback-report',
    originalMessageId,
    feedbackType: (f.get('feedback-type') ?? 'abuse').toLowerCase(),
    originalRcptTo: addressOf(f.get('original-rcpt-to')),
  };
}
