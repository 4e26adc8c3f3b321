import { createPrivateKey } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import { loadPackage } from '../../lib/load-package.ts';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { connectionless, type ProviderState } from '../provider-state.ts';
import type { EmailProvider, EmailSend, EmailSendResult } from './email-provider.ts';

/** Where HELLIO_SMTP_URL points. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  /** Implicit TLS (smtps://); plain smtp:// still upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  auth: { user: string; pass: string } | null;
}

/** The slice of a pino logger the provider writes to. */
export interface SmtpLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SmtpProviderOptions {
  /** Keep connections open between messages (default true). */
  pool?: boolean;
  /** Connections the pool may open at once (nodemailer's default: 5). */
  maxConnections?: number;
  /** Messages per connection before it is replaced (nodemailer's default: 100). */
  maxMessages?: number;
  tls?: { rejectUnauthorized?: boolean };
  /** Time allowed for the TCP connection and the server's greeting (default 30 s). */
  connectionTimeoutMs?: number;
  /** Time a connection may sit silent mid-conversation (default 60 s). */
  socketTimeoutMs?: number;
  /**
   * Turn Nagle's algorithm off on the connections (default true). nodemailer leaves it on, and
   * the last small write of each message then waits for the server's delayed ACK — up to ~40 ms
   * per message and connection on Linux, which held a pool of 5 to ~105 messages/s against a
   * server on the same host (bench/deliver, docs/performance.md).
   */
  noDelay?: boolean;
  /**
   * How long a message may wait here for a free connection before it is given up unsent
   * (retryable, safe to resend). Default 60 s, half an email job's time: a job must not time out
   * — and be run again — while its message still waits to go out, which would send it twice.
   */
  queueTimeoutMs?: number;
  logger?: SmtpLogger;
}

/** A recipient the server refused while others of the same message were accepted. */
export interface SmtpRejectedRecipient {
  recipient: string;
  responseCode?: number;
  response: string;
}

/**
 * The port's result, plus the recipients refused when the server took the message for the rest.
 * `response` names them too, for callers that only know the port.
 */
export type SmtpSendResult = EmailSendResult | { ok: true; providerMessageId: string; response: string; rejected: SmtpRejectedRecipient[] };

type RecipientError = SMTPConnection.SMTPError & { recipient?: string };

type SmtpError = SMTPConnection.SMTPError & { rejected?: string[]; rejectedErrors?: RecipientError[] };

// What both SMTP transports resolve with; their typings disagree on the fields we read.
interface SentInfo {
  response: string;
  rejected: Array<string | { address: string }>;
  rejectedErrors?: RecipientError[];
}

/** The part of a nodemailer transporter the provider uses, whichever transport backs it. */
interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<unknown>;
  close(): void;
}

// Headers the message builder owns. The email module refuses them already; the port may have
// other callers, and a duplicate From or Message-ID would forge the message or break DKIM.
const RESERVED_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'reply-to', 'date', 'message-id', 'dkim-signature',
  'content-type', 'content-transfer-encoding', 'mime-version', 'return-path', 'sender',
]);

// nodemailer's default list (RFC 6376 §5.4.1's suggestions) plus List-Unsubscribe-Post: RFC 8058
// one-click unsubscribe only counts when both List-Unsubscribe headers are under the signature,
// and the large mailbox providers require one-click from bulk senders.
const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version',
  'Content-Type', 'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'Resent-Date',
  'Resent-From', 'Resent-Sender', 'Resent-To', 'Resent-Cc', 'Resent-Message-ID', 'In-Reply-To',
  'References', 'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe',
  'List-Post', 'List-Owner', 'List-Archive',
].join(':');

/** Parses smtp://user:pass@host:port or smtps://…; throws without echoing the URL (it holds a password). */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('The SMTP URL is not a URL (expected smtp://user:pass@host:port or smtps://…)');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    throw new Error(`The SMTP URL must use smtp:// or smtps://, not ${u.protocol}//`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('The SMTP URL names no host');
  const secure = u.protocol === 'smtps:';
  // 587 (submission) rather than 25 for plain smtp://: relays take authenticated mail there,
  // and many networks block outbound 25.
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  const auth = u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : null;
  return { host, port, secure, auth };
}

function addressOf(mailbox: string): string {
  const m = /<([^<>]*)>\s*$/.exec(mailbox);
  return (m ? m[1]! : mailbox).trim();
}

/** `<msg_…@from-domain>`: our id finds the message again from a bounce or a reply's References. */
export function messageIdHeader(messageId: string, from: string): string {
  const addr = addressOf(from);
  const domain = addr.slice(addr.lastIndexOf('@') + 1).toLowerCase() || 'localhost';
  return `<${messageId}@${domain}>`;
}

function replyText(e: SmtpError): string {
  return e.response ?? e.message;
}

function fail(retryable: boolean, error: string, responseCode?: number): EmailSendResult {
  return responseCode === undefined ? { ok: false, retryable, error } : { ok: false, retryable, error, responseCode };
}

/**
 * Maps a nodemailer failure to the port. A 5xx reply is a bounce; a 4xx reply, a dropped or
 * refused connection and a timeout may succeed later.
 */
function classify(err: unknown): EmailSendResult {
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpError;
  if (e.code === 'EAUTH') {
    // 535 is a 5xx, but it says our credentials are wrong, not that the recipient is: bouncing
    // would mark every message of the outage as undeliverable. Retries give the operator time.
    return fail(true, `SMTP authentication failed: ${replyText(e)}`, e.responseCode);
  }
  if (e.command === 'API') {
    // nodemailer refused the message before talking to the server (no usable recipient or sender).
    return fail(false, e.message);
  }
  if (e.code === 'EENVELOPE' && e.rejectedErrors && e.rejectedErrors.length > 0) {
    // Every recipient was refused. One that was only deferred (4xx) may accept on a retry, and
    // resending to the others costs nothing since none of them got the message.
    const deferred = e.rejectedErrors.find((r) => !r.responseCode || r.responseCode < 500);
    const picked = deferred ?? e.rejectedErrors[0]!;
    const detail = e.rejectedErrors.map((r) => `${r.recipient ?? '?'}: ${replyText(r)}`).join('; ');
    return fail(deferred !== undefined, `All recipients were refused (${detail})`, picked.responseCode);
  }
  if (typeof e.responseCode === 'number') {
    const where = e.command ? ` at ${e.command}` : '';
    return fail(e.responseCode < 500, `The SMTP server refused the message${where}: ${replyText(e)}`, e.responseCode);
  }
  return fail(true, `SMTP delivery failed${e.code ? ` (${e.code})` : ''}: ${e.message}`);
}

type GetSocket = (options: unknown, callback: (err: Error | null, socketOptions?: { connection: Socket }) => void) => void;

/**
 * nodemailer's hook for making its connections: a TCP connection with TCP_NODELAY, handed over
 * connected. nodemailer then talks SMTP over it as over its own — TLS included: implicit TLS
 * (smtps://) is negotiated over the given socket, STARTTLS upgrades it as usual — so only the
 * connect itself (and its timeout) is ours.
 */
function noDelaySocket(endpoint: SmtpEndpoint, timeoutMs: number): GetSocket {
  return (_options, callback) => {
    const socket = netConnect({ host: endpoint.host, port: endpoint.port });
    socket.setNoDelay(true);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      callback(err);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      // nodemailer attaches its own error handler as it takes the socket, synchronously.
      socket.removeListener('error', fail);
      callback(null, { connection: socket });
    });
  };
}

// Messages per pooled connection handed to nodemailer at once. Fewer (2) left connections idle
// while the next message was built (~830 against ~1,170 emails/s in bench/deliver on SQLite);
// this many wait at most ~10 s in nodemailer's queue even at one message per second per connection.
const HAND_OVER_PER_CONNECTION = 10;

// How long close() lets the messages being sent finish before it closes the pool anyway.
const CLOSE_GRACE_MS = 2_000;

/** The SMTP email adapter: nodemailer's pooled transport, DKIM-signing per sending domain. */
export class SmtpProvider implements EmailProvider {
  readonly name = 'smtp';
  private readonly transport: MailTransport;
  private readonly logger: SmtpLogger | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  // Messages handed to nodemailer at once: enough to keep every pooled connection busy. The
  // others wait here, where a wait can be bounded; nodemailer's own queue cannot be taken back.
  private readonly handOverLimit: number;
  private handedOver = 0;
  private readonly waiting: Array<(ok: boolean) => void> = [];
  private readonly queueTimeoutMs: number;

  /** Builds the provider from HELLIO_SMTP_URL. */
  static fromUrl(url: string, opts: SmtpProviderOptions = {}): SmtpProvider {
    return new SmtpProvider(parseSmtpUrl(url), opts);
  }

  constructor(endpoint: SmtpEndpoint, opts: SmtpProviderOptions = {}) {
    this.logger = opts.logger;
    this.handOverLimit = HAND_OVER_PER_CONNECTION * (opts.maxConnections ?? 5);
    this.queueTimeoutMs = opts.queueTimeoutMs ?? 60_000;
    const connectionTimeout = opts.connectionTimeoutMs ?? 30_000;
    const common: SMTPTransport.Options = {
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.secure,
      ...(endpoint.auth ? { auth: { user: endpoint.auth.user, pass: endpoint.auth.pass } } : {}),
      ...(opts.tls ? { tls: { ...opts.tls } } : {}),
      connectionTimeout,
      greetingTimeout: connectionTimeout,
      // nodemailer waits 10 minutes by default: longer than a delivery job's lease, so a stalled
      // server would have the job taken over while this attempt still holds a connection.
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
      // Attachments arrive as bytes; nothing a caller sends may make us read a local file or URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      ...(opts.noDelay ?? true ? { getSocket: noDelaySocket(endpoint, connectionTimeout) } : {}),
    };
    const mailer = loadPackage<typeof nodemailer>('nodemailer');
    if (opts.pool ?? true) {
      const pooled: SMTPPool.Options & { maxRequeues: number } = {
        ...common,
        pool: true,
        ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
        ...(opts.maxMessages !== undefined ? { maxMessages: opts.maxMessages } : {}),
        // nodemailer re-queues a message whose connection dropped mid-send, by default without
        // end. One retry covers a pooled connection the server had just closed; past that, the
        // job queue's backoff is the better judge (and each resend risks a duplicate).
        maxRequeues: 1,
      };
      this.transport = mailer.createTransport(pooled);
    } else {
      this.transport = mailer.createTransport(common);
    }
  }

  async send(msg: EmailSend): Promise<SmtpSendResult> {
    if (this.closed) return fail(true, 'The SMTP provider is closed');
    const built = this.build(msg);
    if ('ok' in built) return built;
    const attempt = this.attempt(msg.messageId, built);
    this.inFlight.add(attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(attempt);
    }
  }

  private async attempt(ourId: string, built: { mail: SendMailOptions; messageId: string }): Promise<SmtpSendResult> {
    if (!(await this.turn())) {
      return this.closed ? fail(true, 'The SMTP provider is closed') : fail(true, `Not sent: waited ${this.queueTimeoutMs} ms for an SMTP connection`);
    }
    try {
      return await this.deliver(ourId, built.mail, built.messageId);
    } finally {
      this.release();
    }
  }

  /**
   * Connections are nodemailer's, opened as messages need them: no standing link to report. The
   * pool's load is: messages handed to nodemailer, and messages waiting here for their turn.
   */
  state(): ProviderState {
    return { ...connectionless('smtp'), inFlight: this.handedOver, queued: this.waiting.length };
  }

  /** Lets the messages being sent finish (for two seconds at most), then closes the pool's connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const go of this.waiting.splice(0)) go(false);
    // A send stuck on a pooled connection the server dropped would hold a shutdown until the
    // socket timeout (a minute): past a short grace the pool is closed under it, and the send
    // fails as retryable (its job was already given back by a stopping worker, or is retried).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    this.transport.close();
  }

  /** Waits for a message's turn to be handed to nodemailer; false when it waited too long (or we closed). */
  private turn(): Promise<boolean> {
    if (this.handedOver < this.handOverLimit) {
      this.handedOver++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, this.queueTimeoutMs);
      const go = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      this.waiting.push(go);
    });
  }

  /** Passes a finished message's turn on to the next waiting one. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.handedOver--;
  }

  private build(msg: EmailSend): { mail: SendMailOptions; messageId: string } | EmailSendResult {
    for (const [name, value] of Object.entries(msg.headers)) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) return fail(false, `The header ${name} cannot be set by the caller`);
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return fail(false, `The header ${name} holds a line break`);
    }
    if (msg.dkim) {
      try {
        createPrivateKey(msg.dkim.privateKey);
      } catch {
        // Checked here because nodemailer only finds out mid-stream, as an error that reads like
        // a connection failure. Sending unsigned instead would fail DMARC silently.
        return fail(false, `The DKIM key for ${msg.dkim.domainName} is not a usable private key`);
      }
    }
    const messageId = messageIdHeader(msg.messageId, msg.from);
    const mail: SendMailOptions = {
      messageId,
      from: msg.from,
      to: msg.to,
      cc: msg.cc,
      bcc: msg.bcc,
      replyTo: msg.replyTo,
      subject: msg.subject,
      ...(msg.text !== null ? { text: msg.text } : {}),
      ...(msg.html !== null ? { html: msg.html } : {}),
      headers: { ...msg.headers },
      // nodemailer takes the envelope whole: its recipients are every address the headers name.
      ...(msg.returnPath ? { envelope: { from: msg.returnPath, to: [...msg.to, ...msg.cc, ...msg.bcc].map(addressOf) } } : {}),
      attachments: msg.attachments.map((a) => ({
        filename: a.filename,
        content: Buffer.from(a.content, 'base64'),
        // Without a type nodemailer guesses from the file name, which is what a mail client does too.
        ...(a.content_type ? { contentType: a.content_type } : {}),
        // An inline part: nodemailer sets its Content-ID and puts it in the HTML's multipart/related.
        ...(a.content_id ? { cid: a.content_id } : {}),
      })),
      ...(msg.dkim
        ? {
            dkim: {
              domainName: msg.dkim.domainName,
              keySelector: msg.dkim.keySelector,
              privateKey: msg.dkim.privateKey,
              headerFieldNames: DKIM_SIGNED_HEADERS,
            },
          }
        : {}),
    };
    return { mail, messageId };
  }

  private async deliver(ourId: string, mail: SendMailOptions, messageId: string): Promise<SmtpSendResult> {
    let info: SentInfo;
    try {
      info = (await this.transport.sendMail(mail)) as SentInfo;
    } catch (err) {
      const result = classify(err);
      this.logger?.warn({ messageId: ourId, result }, 'SMTP send failed');
      return result;
    }
    const rejectedErrors = info.rejectedErrors ?? [];
    const rejected: SmtpRejectedRecipient[] = info.rejected.map((entry) => {
      const recipient = typeof entry === 'string' ? entry : entry.address;
      const e = rejectedErrors.find((r) => r.recipient === recipient);
      return {
        recipient,
        response: e ? replyText(e) : 'refused',
        ...(e?.responseCode !== undefined ? { responseCode: e.responseCode } : {}),
      };
    });
    this.logger?.debug({ messageId: ourId, response: info.response, rejected: rejected.length }, 'SMTP send accepted');
    if (rejected.length === 0) return { ok: true, providerMessageId: messageId, response: info.response };
    // Partly accepted is accepted: the message is on its way to the others, and a retry would
    // send it to them again. The refused recipients travel in the result for per-recipient
    // bookkeeping, and in `response` for callers that only know the port.
    const note = rejected.map((r) => `${r.recipient} (${r.response})`).join('; ');
    return { ok: true, providerMessageId: messageId, response: `${info.response}; refused: ${note}`, rejected };
  }
}
