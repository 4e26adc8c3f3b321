import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message as the inbound server received it: the envelope and the raw bytes. */
export interface ReceivedMail {
  /** MAIL FROM; null for the null sender (`<>`), which bounces and reports use. */
  mailFrom: string | null;
  /** RCPT TO addresses the handler accepted. */
  rcptTo: string[];
  /** The client's IP address and what it said at HELO/EHLO (for SPF). */
  remoteAddress: string;
  helo: string;
  raw: Buffer;
}

/** What the domain decides for the inbound server: who may receive, and what happens to a message. */
export interface InboundMailHandler {
  /** Whether mail for this address is taken (refused at RCPT with 550 otherwise). */
  acceptsRecipient(address: string): Promise<boolean>;
  /** Takes a received message; a throw answers 451 (try again later) so the sender keeps it. */
  receive(mail: ReceivedMail): Promise<void>;
}

/** The inbound mail port: a listener that hands each message to the handler. */
export interface InboundMailServer {
  /** Starts listening; answers the port (useful when 0 asked for any free one). */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** The logging the server does (a pino logger fits). */
export interface InboundMailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SmtpInboundOptions {
  /** Largest message taken, in bytes (announced with EHLO's SIZE; larger ones are refused with 552). */
  maxBytes: number;
  /** Recipients one message may name (more are refused with 452, as RFC 5321 allows). */
  maxRecipients?: number;
  /** The name the server greets with. */
  hostname?: string;
  /** Connections served at once; more are turned away with 421 (default 100). */
  maxClients?: number;
  /** A certificate chain and its key (PEM): STARTTLS is offered with them; absent, it is not offered. */
  tls?: { cert: string; key: string } | null;
  logger?: InboundMailLogger;
}

type SmtpError = Error & { responseCode?: number };

function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The inbound SMTP adapter (`smtp-server`): an MX for the accounts' verified domains and the
 * return path. No AUTH (it receives, it does not relay): every recipient is checked at RCPT.
 * STARTTLS is offered when a certificate is configured (docs/inbound.md); sending servers use it
 * when offered, and a plain session stays allowed, as on any public MX.
 */
export class SmtpInboundServer implements InboundMailServer {
  private readonly server: SMTPServer;

  constructor(
    private readonly handler: InboundMailHandler,
    private readonly opts: SmtpInboundOptions,
  ) {
    const maxRecipients = opts.maxRecipients ?? 100;
    this.server = new SMTPServer({
      ...(opts.hostname ? { name: opts.hostname } : {}),
      banner: 'Hellio inbound mail',
      authOptional: true,
      disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
      size: opts.maxBytes,
      maxClients: opts.maxClients ?? 100,
      // A client that goes silent is dropped after a minute, as RFC 5321's shortest timeouts allow.
      socketTimeout: 60_000,
      logger: false,
      onRcptTo: (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        if (session.envelope.rcptTo.length >= maxRecipients) return callback(smtpError(452, 'Too many recipients'));
        handler.acceptsRecipient(address.address).then(
          (ok) => callback(ok ? null : smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: no mailbox here`)),
          (err: unknown) => {
            opts.logger?.warn({ err }, 'inbound mail: could not check a recipient');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // smtp-server stops collecting past `size` and flags the stream; the bytes so far are dropped.
          if (stream.sizeExceeded) return callback(smtpError(552, `5.3.4 Message exceeds the size limit of ${opts.maxBytes} bytes`));
          const mailFrom = session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address || null;
          const mail: ReceivedMail = {
            mailFrom,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
            helo: session.hostNameAppearsAs,
            raw: Buffer.concat(chunks),
          };
          handler.receive(mail).then(
            () => callback(null),
            (err: unknown) => {
              opts.logger?.warn({ err }, 'inbound mail: could not take a message');
              callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
            },
          );
        });
      },
    });
    this.server.on('error', (err) => opts.logger?.warn({ err }, 'inbound mail server error'));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.server.removeListener('error', reject);
        const address = this.server.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
