import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * The SMTP mailbox probe: connect to a mail host, EHLO, MAIL FROM, RCPT TO the address — and
 * RCPT TO a random address of the same domain to learn whether the server accepts everything —
 * then QUIT. DATA is never sent, so no message is ever delivered. Every wait has a timeout.
 */

export interface ProbeSettings {
  port: number;
  /** The name given in EHLO/HELO. */
  heloName: string;
  /** MAIL FROM; null sends the null reverse-path `<>`. */
  mailFrom: string | null;
  /** Longest wait for the connection and for each reply; the whole probe gets three times this. */
  timeoutMs: number;
}

export interface ProbeTarget {
  /** The local part as given (UTF-8 allowed; then the server must offer SMTPUTF8). */
  local: string;
  asciiDomain: string;
  utf8Local: boolean;
  /** Skip the random-address RCPT: the domain's catch-all behaviour is already known. */
  knownCatchAll: boolean | null;
}

export type ProbeOutcome =
  /** RCPT TO answered 250/251. catchAll: the random address was accepted too (null: that answer was inconclusive). */
  | { kind: 'accepted'; host: string; code: number; catchAll: boolean | null }
  /** RCPT TO answered 550, 551 or 553: no such mailbox. */
  | { kind: 'rejected'; host: string; code: number }
  /** A 4xx reply (greylisting, a full queue): ask again later. */
  | { kind: 'temporary'; host: string; code: number }
  /** Another 5xx, at any step: a refusal of us (policy, reputation), not a statement about the mailbox. */
  | { kind: 'refused'; host: string; code: number }
  /** The server stopped answering in time. */
  | { kind: 'timeout'; host: string }
  /** The address needs SMTPUTF8 and the server does not offer it. */
  | { kind: 'smtputf8_unsupported'; host: string }
  /** No connection could be made to any of the hosts. */
  | { kind: 'unreachable' };

interface Reply {
  code: number;
  lines: string[];
}

class ProbeTimeout extends Error {}

/** One SMTP conversation over a socket: commands out, multi-line replies in, each with a deadline. */
class Conversation {
  private buffer = '';
  private replies: Reply[] = [];
  private pending: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private partial: string[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly socket: Socket,
    /** The wait allowed for the next reply (the step limit, or less once the probe's deadline is near). */
    private readonly timeoutMs: () => number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    // A hostile server could stream a line forever; a reply line is at most 512 octets (RFC 5321 §4.5.3.1.5).
    if (this.buffer.length > 64 * 1024) return this.fail(new Error('reply too long'));
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) return this.fail(new Error('malformed reply'));
      this.partial.push(m[3]!);
      // "250-..." continues the reply; "250 ..." (or a bare "250") ends it.
      if (m[2] === '-') continue;
      const reply = { code: Number(m[1]), lines: this.partial };
      this.partial = [];
      const waiter = this.pending.shift();
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.pending.splice(0)) w.reject(this.failure);
  }

  /** The next reply, or a ProbeTimeout when it takes too long. */
  reply(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      const waiter = {
        resolve: (r: Reply) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((w) => w !== waiter);
        reject(new ProbeTimeout());
      }, this.timeoutMs());
      this.pending.push(waiter);
    });
  }

  async command(line: string): Promise<Reply> {
    if (/[\r\n]/.test(line)) throw new Error('a command may not span lines');
    this.socket.write(`${line}\r\n`, 'utf8');
    return this.reply();
  }
}

function openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeTimeout());
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** A local part nobody has: 20 random characters. */
function randomLocalPart(): string {
  return `hv${randomBytes(12).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
}

/** Classifies a non-success reply of any step before RCPT. */
function stepFailure(host: string, r: Reply): ProbeOutcome {
  return r.code >= 400 && r.code < 500 ? { kind: 'temporary', host, code: r.code } : { kind: 'refused', host, code: r.code };
}

const MAILBOX_UNKNOWN = new Set([550, 551, 553]);
const ok = (code: number) => code === 250 || code === 251;

async function converse(c: Conversation, host: string, target: ProbeTarget, s: ProbeSettings): Promise<ProbeOutcome> {
  const greeting = await c.reply();
  if (greeting.code !== 220) return stepFailure(host, greeting);
  let hello = await c.command(`EHLO ${s.heloName}`);
  let extensions: string[] = [];
  if (hello.code === 250) {
    extensions = hello.lines.slice(1).map((l) => l.trim().split(/\s+/)[0]!.toUpperCase());
  } else {
    // A server that predates ESMTP answers EHLO with 500/502; HELO is the fallback it understands.
    hello = await c.command(`HELO ${s.heloName}`);
    if (hello.code !== 250) return stepFailure(host, hello);
  }
  const utf8 = target.utf8Local;
  if (utf8 && !extensions.includes('SMTPUTF8')) return { kind: 'smtputf8_unsupported', host };
  const from = await c.command(`MAIL FROM:<${s.mailFrom ?? ''}>${utf8 ? ' SMTPUTF8' : ''}`);
  if (from.code !== 250) return stepFailure(host, from);

  const rcpt = await c.command(`RCPT TO:<${target.local}@${target.asciiDomain}>`);
  if (MAILBOX_UNKNOWN.has(rcpt.code)) return { kind: 'rejected', host, code: rcpt.code };
  if (!ok(rcpt.code)) return stepFailure(host, rcpt);
  if (target.knownCatchAll !== null) return { kind: 'accepted', host, code: rcpt.code, catchAll: target.knownCatchAll };

  let catchAll: boolean | null = null;
  try {
    const probe = await c.command(`RCPT TO:<${randomLocalPart()}@${target.asciiDomain}>`);
    if (ok(probe.code)) catchAll = true;
    else if (MAILBOX_UNKNOWN.has(probe.code)) catchAll = false;
  } catch (err) {
    // The mailbox answer stands; only the catch-all question stays open.
    if (!(err instanceof ProbeTimeout)) throw err;
  }
  return { kind: 'accepted', host, code: rcpt.code, catchAll };
}

async function quit(c: Conversation, socket: Socket): Promise<void> {
  try {
    await c.command('QUIT');
  } catch {
    // The answer to QUIT changes nothing.
  } finally {
    socket.destroy();
  }
}

/**
 * Probes the mailbox at the first of `hosts` that accepts a connection (at most `maxConnects`
 * attempts over all addresses, so a domain of dead hosts cannot hold a request for long).
 * `addressesOf` gives the addresses to try for a host (already filtered by the caller's policy).
 */
export async function probeMailbox(
  hosts: string[],
  addressesOf: (host: string) => Promise<string[]>,
  target: ProbeTarget,
  s: ProbeSettings,
  maxConnects = 3,
): Promise<ProbeOutcome> {
  let attempts = 0;
  // A server that answers each step just before its limit must not hold the request for minutes.
  const deadline = Date.now() + 3 * s.timeoutMs;
  const wait = () => Math.max(1, Math.min(s.timeoutMs, deadline - Date.now()));
  for (const host of hosts) {
    for (const address of await addressesOf(host)) {
      if (attempts++ >= maxConnects) return { kind: 'unreachable' };
      let socket: Socket;
      try {
        socket = await openSocket(address, s.port, wait());
      } catch {
        continue;
      }
      const c = new Conversation(socket, wait);
      let outcome: ProbeOutcome;
      try {
        outcome = await converse(c, host, target, s);
      } catch (err) {
        outcome = err instanceof ProbeTimeout ? { kind: 'timeout', host } : { kind: 'temporary', host, code: 0 };
      }
      // A server that stopped answering will not answer QUIT either.
      if (outcome.kind === 'timeout') socket.destroy();
      else await quit(c, socket);
      return outcome;
    }
  }
  return { kind: 'unreachable' };
}
