/** An attachment as the API takes it: base64 content. */
export interface EmailAttachment {
  filename: string;
  content: string;
  content_type?: string;
  /** Content-ID of an inline image, named in the HTML as "cid:…" (Resend's compatibility API sets it). */
  content_id?: string;
}

/** What the delivery engine needs to build the MIME message, kept as the message's payload. */
export interface EmailPayload {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: EmailAttachment[];
  tags: Array<{ name: string; value: string }>;
}
