import type { ProviderState } from '../provider-state.ts';

/** An attachment as the API accepted it (content is base64). */
export interface EmailAttachmentInput {
  filename: string;
  content: string;
  content_type?: string;
  /** Content-ID of an inline part, which the HTML names as "cid:…". */
  content_id?: string;
}

/** DKIM signing material for the sender's domain. */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  /** PEM, PKCS#8 or PKCS#1 RSA private key. */
  privateKey: string;
}

/** One email to hand to a mail server. Addresses may be "Name <addr>". */
export interface EmailSend {
  /** Our message id (msg_…), used to build the Message-ID header and for correlation. */
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: EmailAttachmentInput[];
  dkim: DkimKey | null;
  /**
   * The envelope sender (MAIL FROM), where bounces go; absent: the From address. A VERP address
   * (`msg_…@bounces.<domain>`) names the message, so a bounce finds it even without its headers.
   */
  returnPath?: string | null;
}

export type EmailSendResult =
  | { ok: true; providerMessageId: string; response: string }
  /** `retryable`: a 4xx reply or a connection failure; a 5xx reply is a bounce and is not. */
  | { ok: false; retryable: boolean; error: string; responseCode?: number };

/** The email port: SMTP, the simulator and any HTTP email provider implement it. */
export interface EmailProvider {
  readonly name: string;
  send(msg: EmailSend): Promise<EmailSendResult>;
  /** What it is and how its link is, for the operators' console (read-only, cheap). */
  state(): ProviderState;
  close(): Promise<void>;
}
