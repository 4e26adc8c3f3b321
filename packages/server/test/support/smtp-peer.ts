/**
 * A receiving SMTP server for tests (smtp-server on 127.0.0.1, a random port, no TLS), with hooks
 * to refuse recipients or messages, and a small MIME reader for checking what arrived.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** MAIL FROM */
  from: string;
  /** RCPT TO, the accepted ones */
  to: string[];
  raw: Buffer;
  /** The authenticated user, when the client logged in. */
  user: string | null;
}

/** An SMTP reply to refuse with, or null to accept. */
export type Verdict = { code: number; message: string } | null;

export interface SmtpPeerOptions {
  /** Require AUTH (PLAIN/LOGIN, allowed without TLS) with exactly these credentials. */
  auth?: { user: string; pass: string };
  onRcpt?: (address: string, session: SMTPServerSession) => Verdict;
  /** Judges the whole message after DATA. */
  onMessage?: (mail: ReceivedMail) => Verdict;
  /** Where to listen: 127.0.0.1 and a random port by default (any 127.x.y.z is loopback on Linux). */
  host?: string;
  port?: number;
  /** Leave SMTPUTF8 (RFC 6531) out of the EHLO answer, as a server without it would. */
  hideSmtpUtf8?: boolean;
}

export interface SmtpPeer {
  port: number;
  /** Every message accepted so far, in order. */
  received: ReceivedMail[];
  /** smtp://[user:pass@]127.0.0.1:port */
  url(auth?: { user: string; pass: string }): string;
  /** Client connections currently open. */
  openConnections(): number;
  close(): Promise<void>;
}

function smtpError(v: { code: number; message: string }): Error {
  return Object.assign(new Error(v.message), { responseCode: v.code });
}

export async function startSmtpPeer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    // Connections a client left open would otherwise hold close() for 30 s.
    closeTimeout: 500,
    ...(opts.hideSmtpUtf8 ? { hideSMTPUTF8: true } : {}),
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError({ code: 535, message: 'Authentication failed' }));
      }
    },
    onRcptTo(address, session, callback) {
      const verdict = opts.onRcpt?.(address.address, session) ?? null;
      callback(verdict ? smtpError(verdict) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        const mail: ReceivedMail = {
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === 'string' ? session.user : null,
        };
        const verdict = opts.onMessage?.(mail) ?? null;
        if (verdict) return callback(smtpError(verdict));
        received.push(mail);
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('smtp-server is not listening on TCP');
  const port = address.port;
  return {
    port,
    received,
    url: (auth) =>
      auth ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    openConnections: () => server.connections.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- A minimal MIME reader: enough to check nodemailer's output, not a general parser. ---

export interface MimePart {
  /** Header names lower-cased, values unfolded and RFC 2047-decoded, in order. */
  headers: Array<[string, string]>;
  header(name: string): string | undefined;
  /** Content-Type without parameters, lower-cased. */
  type: string;
  params: Record<string, string>;
  /** The body with its transfer encoding undone (empty for a multipart). */
  body: Buffer;
  parts: MimePart[];
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset: string, enc: string, text: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset.toLowerCase()).decode(bytes);
    });
}

function parseParams(value: string): { main: string; params: Record<string, string> } {
  const [main, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const m = /^\s*([^=\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/.exec(p);
    if (m) params[m[1]!.toLowerCase()] = decodeWords(m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  return { main: (main ?? '').trim().toLowerCase(), params };
}

function decodeBody(body: string, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      );
    default:
      return Buffer.from(body, 'latin1');
  }
}

/** Parses an RFC 5322 message (or a MIME part) into headers, decoded body and sub-parts. */
export function parseMime(raw: Buffer | string): MimePart {
  // latin1 keeps every byte as one char, so byte-exact bodies survive the string handling.
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const bodyText = split ? text.slice(split.index + split[0].length) : '';
  const headers: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  for (const h of headers) h[1] = decodeWords(Buffer.from(h[1], 'latin1').toString('utf8'));
  const header = (name: string): string | undefined => headers.find(([n]) => n === name.toLowerCase())?.[1];
  const { main: type, params } = parseParams(header('content-type') ?? 'text/plain');
  const parts: MimePart[] = [];
  let body: Buffer = Buffer.alloc(0);
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const sections = bodyText.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // sections[0] is the preamble; the one starting with "--" is the close delimiter and epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      parts.push(parseMime(section.replace(/^[ \t]*\r?\n/, '')));
    }
  } else {
    body = decodeBody(bodyText, header('content-transfer-encoding') ?? '7bit');
  }
  return { headers, header, type, params, body, parts };
}

/** Every leaf part, depth first. */
export function leafParts(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leafParts);
}
