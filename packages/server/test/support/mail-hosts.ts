/**
 * Mail hosts for the email verification tests: several SMTP servers on one port, each on its own
 * loopback address (127.0.55.x — Linux routes all of 127/8 to loopback), because the probe dials
 * every MX on the one configured port, just as it dials port 25 on the internet. Real
 * `smtp-server` instances play the well-behaved hosts; a few lines of scripted SMTP play the
 * misbehaving ones (silent, hanging mid-conversation, refusing us).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type SmtpPeer, type SmtpPeerOptions, startSmtpPeer } from './smtp-peer.ts';

/** A script for a misbehaving server: each reply line, or null to never answer that step. */
export interface SmtpScript {
  greeting: string | null;
  ehlo?: string | null;
  helo?: string | null;
  mail?: string | null;
  rcpt?: ((address: string) => string | null) | undefined;
  /** Wait this long before each reply (a slow server). */
  delayMs?: number;
}

export type HostSpec = { smtp: SmtpPeerOptions } | { script: SmtpScript } | { closed: true };

export interface MailHost {
  address: string;
  /** Every RCPT TO address the host was asked about, in order. */
  rcpts: string[];
  /** Scripted hosts: every command verb received, in order (EHLO, MAIL, RCPT, QUIT …). */
  verbs: string[];
  /** smtp-server hosts: the peer (its `received` lists every message that went through DATA). */
  peer: SmtpPeer | null;
}

export interface MailHosts {
  port: number;
  hosts: Record<string, MailHost>;
  close(): Promise<void>;
}

function startScripted(script: SmtpScript, host: string, port: number, seen: MailHost): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const say = (line: string | null | undefined) => {
      if (!line) return;
      if (script.delayMs) setTimeout(() => socket.writable && socket.write(`${line}\r\n`), script.delayMs);
      else socket.write(`${line}\r\n`);
    };
    say(script.greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const verb = line.slice(0, 4).toUpperCase();
        seen.verbs.push(verb);
        if (verb === 'EHLO') say(script.ehlo === undefined ? '250 scripted' : script.ehlo);
        else if (verb === 'HELO') say(script.helo === undefined ? '250 scripted' : script.helo);
        else if (verb === 'MAIL') say(script.mail === undefined ? '250 ok' : script.mail);
        else if (verb === 'RCPT') {
          const address = /<(.*)>/.exec(line)?.[1] ?? '';
          seen.rcpts.push(address);
          say(script.rcpt ? script.rcpt(address) : '250 ok');
        } else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
        } else say('502 not implemented');
      }
    });
  });
  const close = server.close.bind(server);
  // Hanging scripts keep their sockets open; closing the server must not wait for them.
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as Server['close'];
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function startAll(specs: Record<string, HostSpec>): Promise<MailHosts> {
  const closers: Array<() => Promise<void>> = [];
  const hosts: Record<string, MailHost> = {};
  let port = 0;
  let i = 0;
  try {
    for (const [name, spec] of Object.entries(specs)) {
      const address = `127.0.55.${10 + i++}`;
      const host: MailHost = { address, rcpts: [], verbs: [], peer: null };
      hosts[name] = host;
      if ('closed' in spec) continue;
      if ('smtp' in spec) {
        const opts = spec.smtp;
        const peer: SmtpPeer = await startSmtpPeer({
          ...opts,
          host: address,
          port,
          onRcpt: (a, session) => {
            host.rcpts.push(a);
            return opts.onRcpt ? opts.onRcpt(a, session) : null;
          },
        });
        host.peer = peer;
        port = peer.port;
        closers.push(() => peer.close());
      } else {
        const server = await startScripted(spec.script, address, port, host);
        const addr = server.address();
        if (addr && typeof addr !== 'string') port = addr.port;
        closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      }
    }
  } catch (err) {
    await Promise.all(closers.map((c) => c()));
    throw err;
  }
  return { port, hosts, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}

/** Starts the hosts, all on one port (retrying if another process holds that port on one of the addresses). */
export async function startMailHosts(specs: Record<string, HostSpec>): Promise<MailHosts> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startAll(specs);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
      lastError = err;
    }
  }
  throw lastError;
}
