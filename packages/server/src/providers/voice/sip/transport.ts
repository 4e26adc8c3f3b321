/**
 * SIP over one UDP socket (RFC 3261 §18): sends requests, matches responses to client
 * transactions, absorbs retransmitted requests by resending our answer (the part of a server
 * transaction a UA that only answers in-dialog requests needs), and hands the rest up.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseSipUri } from './address.ts';
import { getHeader, getHeaderList, parseCSeq, parseMessage, serialiseMessage, type SipHeader, type SipRequest, type SipResponse } from './message.ts';
import { branchOf, ClientTransaction, transactionKey, type Destination, type SipTimers } from './transaction.ts';

/** What the transport hands up. */
export interface TransportHandlers {
  /** A new request (not a retransmission of one we answered). */
  request(req: SipRequest, source: Destination): void;
  /** A response no live transaction claims: a retransmitted 2xx to an INVITE, mostly. */
  strayResponse(res: SipResponse): void;
}

const STANDARD_REASONS: Record<number, string> = { 200: 'OK', 405: 'Method Not Allowed', 481: 'Call/Transaction Does Not Exist', 501: 'Not Implemented', 603: 'Decline' };

/** The UDP socket and the transactions on it. */
export class SipTransport {
  private readonly transactions = new Map<string, ClientTransaction>();
  private readonly answered = new Map<string, { data: Buffer; dest: Destination }>();

  constructor(
    private readonly socket: Socket,
    readonly timers: SipTimers,
    private readonly handlers: TransportHandlers,
  ) {
    socket.on('message', (data, rinfo) => this.receive(data, rinfo));
  }

  /** Sends a request as it is (no transaction). */
  send(req: SipRequest, dest: Destination): void {
    this.write(serialiseMessage(req), dest);
  }

  private write(data: Buffer, dest: Destination): void {
    try {
      this.socket.send(data, dest.port, dest.host, () => {});
    } catch {
      /* socket closed: the trunk is shutting down */
    }
  }

  /** Starts a client transaction for a request. */
  transaction(req: SipRequest, dest: Destination, on: { response(res: SipResponse): void; timeout(): void }): ClientTransaction {
    const tx = new ClientTransaction(req, dest, this, on);
    this.transactions.set(tx.key, tx);
    tx.start();
    return tx;
  }

  /** Called by a transaction when it is over. */
  terminated(tx: ClientTransaction): void {
    if (this.transactions.get(tx.key) === tx) this.transactions.delete(tx.key);
  }

  /**
   * Answers a request (§8.2.6): Via, From, Call-ID and CSeq copied, To copied with our tag added
   * when it has none; sent back to where the request came from (as rport asks, RFC 3581).
   */
  respond(req: SipRequest, source: Destination, status: number, opts: { reason?: string; toTag?: string; headers?: SipHeader[]; body?: Buffer } = {}): void {
    let to = getHeader(req, 'To') ?? '';
    if (opts.toTag && !/;\s*tag=/i.test(to)) to += `;tag=${opts.toTag}`;
    const headers: SipHeader[] = [
      ...req.headers.filter(([n]) => n === 'Via'),
      ['From', getHeader(req, 'From') ?? ''],
      ['To', to],
      ['Call-ID', getHeader(req, 'Call-ID') ?? ''],
      ['CSeq', getHeader(req, 'CSeq') ?? ''],
      ...(opts.headers ?? []),
    ];
    const res: SipResponse = { kind: 'response', status, reason: opts.reason ?? STANDARD_REASONS[status] ?? 'Response', headers, body: opts.body ?? Buffer.alloc(0) };
    const data = serialiseMessage(res);
    this.write(data, source);
    if (req.method === 'ACK') return;
    const key = `${branchOf(req)}|${req.method}|${source.host}|${source.port}`;
    this.answered.set(key, { data, dest: source });
    // Long enough for the far end's retransmissions (64 × T1), then forgotten.
    setTimeout(() => this.answered.delete(key), 64 * this.timers.t1).unref();
  }

  /** Sends bytes already answered again (a 2xx retransmission of a re-INVITE, say). */
  resend(data: Buffer, dest: Destination): void {
    this.write(data, dest);
  }

  /** The host and port a SIP URI points at, resolved to an IP address (A/AAAA; no NAPTR/SRV). */
  async resolve(uri: string): Promise<Destination> {
    const u = parseSipUri(uri);
    const port = u.port ?? (u.scheme === 'sips' ? 5061 : 5060);
    if (isIP(u.host)) return { host: u.host, port };
    const { address } = await lookup(u.host);
    return { host: address, port };
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    // Keep-alives (CRLF, RFC 5626) and anything not SIP are dropped quietly.
    if (data.length < 8) return;
    let msg;
    try {
      msg = parseMessage(data);
    } catch {
      return;
    }
    const source = { host: rinfo.address, port: rinfo.port };
    try {
      if (msg.kind === 'response') {
        if (getHeaderList(msg, 'Via').length !== 1) return; // a response must have only our Via left (§18.1.2)
        const tx = this.transactions.get(transactionKey(branchOf(msg), parseCSeq(msg).method));
        if (tx) tx.receive(msg);
        else this.handlers.strayResponse(msg);
        return;
      }
      parseCSeq(msg); // a request without a CSeq is not answerable
      const again = this.answered.get(`${branchOf(msg)}|${msg.method}|${source.host}|${source.port}`);
      if (again) {
        this.write(again.data, again.dest);
        return;
      }
      this.handlers.request(msg, source);
    } catch {
      /* a malformed message: nothing sensible to answer */
    }
  }

  /** Stops every transaction's timers. */
  shutdown(): void {
    for (const tx of [...this.transactions.values()]) tx.terminate();
  }
}
