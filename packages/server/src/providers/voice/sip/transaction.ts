/**
 * Client transactions (RFC 3261 §17.1) over an unreliable transport: the INVITE one (timers A,
 * B, D; it ACKs non-2xx finals itself, hop by hop with the INVITE's branch) and the non-INVITE
 * one (timers E, F, K). A 2xx to an INVITE ends the transaction and goes to the dialog layer,
 * which ACKs it end to end.
 */
import { getHeader, getHeaderList, parseCSeq, type SipHeader, type SipRequest, type SipResponse } from './message.ts';

/** The protocol's timer values in ms (§17.1.1.1): T1 RTT estimate, T2 cap of non-INVITE retransmits, T4 max message lifetime. */
export interface SipTimers {
  t1: number;
  t2: number;
  t4: number;
}

/** RFC 3261's defaults. */
export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

/** Where a request goes: an IP address and port. */
export interface Destination {
  host: string;
  port: number;
}

/** What a client transaction needs from the transport and its owner. */
export interface TransactionHost {
  send(msg: SipRequest, dest: Destination): void;
  timers: SipTimers;
  /** Called once when the transaction is over and may be forgotten. */
  terminated(tx: ClientTransaction): void;
}

type State = 'calling' | 'trying' | 'proceeding' | 'completed' | 'terminated';

/** One client transaction; `key` is what responses are matched on (top Via branch + CSeq method). */
export class ClientTransaction {
  readonly key: string;
  readonly isInvite: boolean;
  private state: State;
  private retransmit: NodeJS.Timeout | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;
  private interval: number;
  private ack: SipRequest | null = null;

  constructor(
    readonly request: SipRequest,
    readonly dest: Destination,
    private readonly host: TransactionHost,
    private readonly on: { response(res: SipResponse): void; timeout(): void },
  ) {
    this.isInvite = request.method === 'INVITE';
    this.key = transactionKey(branchOf(request), request.method);
    this.state = this.isInvite ? 'calling' : 'trying';
    this.interval = host.timers.t1;
  }

  /** Sends the request and arms timer A/E and B/F. */
  start(): void {
    this.host.send(this.request, this.dest);
    this.armRetransmit();
    this.timeout = setTimeout(() => this.fail(), 64 * this.host.timers.t1);
  }

  private armRetransmit(): void {
    this.retransmit = setTimeout(() => {
      if (this.state === 'terminated' || this.state === 'completed') return;
      this.host.send(this.request, this.dest);
      // Timer A doubles without a cap; timer E doubles up to T2, and stays at T2 once proceeding.
      this.interval = this.isInvite ? this.interval * 2 : this.state === 'proceeding' ? this.host.timers.t2 : Math.min(this.interval * 2, this.host.timers.t2);
      this.armRetransmit();
    }, this.interval);
  }

  private fail(): void {
    if (this.state === 'completed' || this.state === 'terminated') return;
    this.terminate();
    this.on.timeout();
  }

  /** A response whose key matched ours. */
  receive(res: SipResponse): void {
    if (this.state === 'terminated') return;
    if (res.status < 200) {
      if (this.state === 'calling' || this.state === 'trying') {
        this.state = 'proceeding';
        if (this.isInvite) {
          // A provisional stops timer A and B: the far end has the INVITE (§17.1.1.2).
          clearTimeout(this.retransmit);
          clearTimeout(this.timeout);
        } else {
          // Timer E keeps running, at T2 from now on.
          this.interval = this.host.timers.t2;
        }
      }
      if (this.state === 'proceeding') this.on.response(res);
      return;
    }
    if (this.state === 'completed') {
      // A retransmitted final: the far end lost our ACK.
      if (this.ack) this.host.send(this.ack, this.dest);
      return;
    }
    clearTimeout(this.retransmit);
    clearTimeout(this.timeout);
    if (this.isInvite && res.status < 300) {
      this.terminate();
      this.on.response(res);
      return;
    }
    this.state = 'completed';
    if (this.isInvite) {
      this.ack = ackForFailure(this.request, res);
      this.host.send(this.ack, this.dest);
    }
    // Timer D (32 s, at least) absorbs final retransmissions; timer K is T4.
    this.linger = setTimeout(() => this.terminate(), this.isInvite ? Math.max(32_000, 64 * this.host.timers.t1) : this.host.timers.t4);
    this.linger.unref();
    this.on.response(res);
  }

  /** Stops all timers and forgets the transaction. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.retransmit);
    clearTimeout(this.timeout);
    clearTimeout(this.linger);
    this.host.terminated(this);
  }
}

/** The key a response is matched on (§17.1.3). */
export function transactionKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

/** The branch parameter of a message's top Via. */
export function branchOf(msg: { headers: SipHeader[] }): string {
  const top = getHeaderList(msg, 'Via')[0] ?? '';
  return /;\s*branch=([^;\s,]+)/i.exec(top)?.[1] ?? '';
}

/** The ACK for a non-2xx final (§17.1.1.3): same Request-URI, top Via, Call-ID, From, Route; To from the response. */
export function ackForFailure(invite: SipRequest, res: SipResponse): SipRequest {
  const headers: SipHeader[] = [];
  headers.push(['Via', getHeaderList(invite, 'Via')[0]!]);
  for (const name of ['Route', 'Max-Forwards', 'From'] as const) for (const [n, v] of invite.headers) if (n === name) headers.push([n, v]);
  headers.push(['To', getHeader(res, 'To') ?? getHeader(invite, 'To')!]);
  headers.push(['Call-ID', getHeader(invite, 'Call-ID')!]);
  headers.push(['CSeq', `${parseCSeq(invite).seq} ACK`]);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) };
}
