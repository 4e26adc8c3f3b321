/**
 * One call we place, as a UAC (RFC 3261 §13, §15): INVITE (answering one digest challenge),
 * provisional answers, CANCEL, the 2xx and its ACK, the media, and BYE either way. Resolves its
 * outcome once, whatever happens.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { buildPlayout } from '../rtp-playout.ts';
import { looksLikeRtp } from '../rtp-packet.ts';
import { RtpSender } from '../rtp-sender.ts';
import type { CallOutcome, CallRequest, Codec, HangupBy, CallEnd } from '../voice-provider.ts';
import { hostPart } from './address.ts';
import { authorizationHeader, parseChallenge } from './digest.ts';
import { Dialog, nextHopUri } from './dialog.ts';
import { getHeader, getHeaderList, parseCSeq, type SipHeader, type SipRequest, type SipResponse } from './message.ts';
import { buildOffer, parseAnswer } from './sdp.ts';
import { finalStatus, type CancelReason } from './status.ts';
import type { ClientTransaction, Destination } from './transaction.ts';
import type { SipTransport } from './transport.ts';

/** What a call needs from the trunk it goes through. */
export interface CallContext {
  transport: SipTransport;
  user: string;
  password: string;
  /** The trunk's host and port as written in URIs, and where its packets go. */
  trunkHost: string;
  trunkPort: number;
  trunkDest: Destination;
  /** Our address and SIP port as Via, Contact and SDP say them. */
  advertised: string;
  sipPort: number;
  rtpSocket: Socket;
  rtpPort: number;
  /** Told when the trunk took the call (null) or never did (why). */
  trunkResult(error: string | null): void;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';
const token = (bytes: number) => randomBytes(bytes).toString('hex');

type Phase = 'inviting' | 'answered' | 'hanging_up' | 'done';

/** A call in progress; `done` resolves with its outcome. */
export class OutboundCall {
  readonly callId = `${token(12)}@hellio`;
  readonly done: Promise<CallOutcome>;
  private resolveDone!: (o: CallOutcome) => void;
  private phase: Phase = 'inviting';
  private readonly localTag = token(6);
  private readonly sdp: Buffer;
  private invite!: SipRequest;
  private inviteTx: ClientTransaction | null = null;
  private seq = 1;
  private challenged = false;
  private provisional = false;
  private cancelReason: CancelReason = null;
  private cancelSent = false;
  private dialog: Dialog | null = null;
  private ack: { req: SipRequest; dest: Destination } | null = null;
  private sender: RtpSender | null = null;
  private timers: NodeJS.Timeout[] = [];
  private reinviteRetransmit: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.abort();
  private ringingAt: number | null = null;
  private answeredAt: number | null = null;
  private sipCode: number | null = null;
  private codec: Codec | null = null;
  private endedAt: number | null = null;
  private pendingEnd: { status: CallEnd; hangupBy: HangupBy; error: string | null } | null = null;

  constructor(
    private readonly ctx: CallContext,
    private readonly req: CallRequest,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.sdp = Buffer.from(buildOffer({ address: ctx.advertised, port: ctx.rtpPort, sessionId: String(Date.now()) }));
    ctx.rtpSocket.on('message', (data, rinfo) => {
      if (this.sender && looksLikeRtp(data)) this.sender.latch({ address: rinfo.address, port: rinfo.port });
    });
  }

  private via(): string {
    return `SIP/2.0/UDP ${hostPart(this.ctx.advertised, this.ctx.sipPort)};branch=z9hG4bK${token(10)};rport`;
  }

  private contact(): SipHeader {
    return ['Contact', `<sip:${this.ctx.user}@${hostPart(this.ctx.advertised, this.ctx.sipPort)}>`];
  }

  /** Sends the INVITE and arms the ring timeout; the outcome comes through `done`. */
  start(): Promise<CallOutcome> {
    if (this.req.signal.aborted) {
      this.finish({ status: 'canceled', hangupBy: 'system', error: 'canceled before the call was placed' });
      return this.done;
    }
    this.req.signal.addEventListener('abort', this.onAbort, { once: true });
    const trunk = hostPart(this.ctx.trunkHost, this.ctx.trunkPort);
    const fromUser = this.req.from ?? this.ctx.user;
    const to = `sip:${this.req.to}@${trunk}`;
    this.invite = {
      kind: 'request',
      method: 'INVITE',
      uri: to,
      headers: [
        ['Via', this.via()],
        ['Max-Forwards', '70'],
        ['From', `<sip:${fromUser}@${hostPart(this.ctx.trunkHost, null)}>;tag=${this.localTag}`],
        ['To', `<${to}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${this.seq} INVITE`],
        this.contact(),
        ['Allow', ALLOW],
        ['User-Agent', 'Hellio'],
        ['Content-Type', 'application/sdp'],
      ],
      body: this.sdp,
    };
    this.sendInvite();
    this.later(this.req.ringTimeoutMs, () => this.cancel('ring_timeout'));
    return this.done;
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }

  private sendInvite(): void {
    this.inviteTx = this.ctx.transport.transaction(this.invite, this.ctx.trunkDest, {
      response: (res) => this.onInviteResponse(res),
      timeout: () => {
        this.ctx.trunkResult('the trunk did not answer the INVITE (timer B)');
        this.finish({ status: 'failed', hangupBy: 'system', error: 'no answer from the SIP trunk (timeout)', trunkFailure: true });
      },
    });
  }

  private onInviteResponse(res: SipResponse): void {
    if (this.phase === 'done') return;
    if (res.status < 200) {
      this.provisional = true;
      if ((res.status === 180 || res.status === 183) && this.ringingAt === null) {
        this.ringingAt = Date.now();
        this.req.onProgress({ type: 'ringing', at: this.ringingAt });
      }
      if (this.cancelReason && !this.cancelSent) this.sendCancel();
      return;
    }
    this.sipCode = res.status;
    if (res.status < 300) {
      this.ctx.trunkResult(null);
      this.onAnswer(res);
      return;
    }
    if ((res.status === 401 || res.status === 407) && !this.challenged && !this.cancelReason) {
      const header = getHeader(res, res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
      const challenge = header ? parseChallenge(header) : null;
      if (challenge) {
        this.challenged = true;
        this.reinviteWith(res.status === 401 ? 'Authorization' : 'Proxy-Authorization', authorizationHeader(challenge, { username: this.ctx.user, password: this.ctx.password }, 'INVITE', this.invite.uri));
        return;
      }
    }
    const end = finalStatus(res.status, this.cancelReason);
    if (end.trunkFailure) this.ctx.trunkResult(`the trunk answered ${res.status} ${res.reason}`);
    else this.ctx.trunkResult(null);
    const error =
      end.status === 'failed'
        ? res.status === 401 || res.status === 407
          ? `the trunk refused our credentials (${res.status} ${res.reason})`
          : `${res.status} ${res.reason}`.trim()
        : null;
    this.finish({ ...end, error });
  }

  /** The same INVITE again with credentials: new branch, next CSeq (§22.2). */
  private reinviteWith(name: string, value: string): void {
    this.seq++;
    this.invite = {
      ...this.invite,
      headers: [
        ...this.invite.headers.map(([n, v]): SipHeader => (n === 'Via' ? [n, this.via()] : n === 'CSeq' ? [n, `${this.seq} INVITE`] : [n, v])),
        [name, value],
      ],
    };
    this.provisional = false;
    this.sendInvite();
  }

  private onAnswer(res: SipResponse): void {
    const dialog = new Dialog(this.invite, res);
    this.dialog = dialog;
    const auth = this.invite.headers.filter(([n]) => n === 'Authorization' || n === 'Proxy-Authorization');
    const ackReq = dialog.request('ACK', this.via(), [this.contact(), ...auth], Buffer.alloc(0), this.seq);
    void this.ctx.transport.resolve(nextHopUri(ackReq)).then(
      (dest) => {
        this.ack = { req: ackReq, dest };
        this.ctx.transport.send(ackReq, dest);
        this.afterAck(res);
      },
      () => this.finish({ status: 'failed', hangupBy: 'system', error: 'cannot resolve the far end of the dialog' }),
    );
  }

  private afterAck(res: SipResponse): void {
    if (this.phase !== 'inviting') return;
    this.phase = 'answered';
    if (this.cancelReason) {
      // Our CANCEL crossed the 200: the call is up but unwanted; hang it up at once.
      const end = this.cancelReason === 'abort' ? 'canceled' : 'no_answer';
      this.hangUp({ status: end, hangupBy: 'system', error: null });
      return;
    }
    let media;
    try {
      media = parseAnswer(res.body.toString('utf8'));
    } catch (err) {
      this.hangUp({ status: 'failed', hangupBy: 'system', error: `the far end's SDP: ${(err as Error).message}` });
      return;
    }
    if (!media.codec || media.payloadType === null) {
      this.hangUp({ status: 'failed', hangupBy: 'system', error: 'the far end accepted neither PCMU nor PCMA' });
      return;
    }
    this.answeredAt = Date.now();
    this.codec = media.codec;
    this.req.onProgress({ type: 'answered', at: this.answeredAt, codec: media.codec });
    const frames = buildPlayout(this.req.speech, media.codec, this.req.repeat, this.req.pauseMs);
    this.sender = new RtpSender(this.ctx.rtpSocket, media.payloadType, { address: media.address, port: media.port }, frames, () =>
      this.hangUp({ status: 'completed', hangupBy: 'caller', error: null }),
    );
    this.later(this.req.timeLimitMs, () => this.hangUp({ status: 'completed', hangupBy: 'system', error: null }));
    this.sender.start();
  }

  /** The request's signal fired: CANCEL while ringing, BYE once answered. */
  abort(): void {
    if (this.phase === 'inviting') this.cancel('abort');
    else if (this.phase === 'answered') this.hangUp({ status: 'completed', hangupBy: 'system', error: null });
  }

  /** Gives up ringing (§9.1). A CANCEL may go only once a provisional has come, so it waits for one. */
  cancel(reason: Exclude<CancelReason, null>): void {
    if (this.phase !== 'inviting' || this.cancelReason) return;
    this.cancelReason = reason;
    if (this.provisional) this.sendCancel();
  }

  private sendCancel(): void {
    this.cancelSent = true;
    const invite = this.invite;
    const headers: SipHeader[] = [
      ['Via', getHeaderList(invite, 'Via')[0]!],
      ...invite.headers.filter(([n]) => n === 'Route' || n === 'Max-Forwards'),
      ['From', getHeader(invite, 'From')!],
      ['To', getHeader(invite, 'To')!],
      ['Call-ID', this.callId],
      ['CSeq', `${parseCSeq(invite).seq} CANCEL`],
      ['User-Agent', 'Hellio'],
    ];
    const cancel: SipRequest = { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) };
    this.ctx.transport.transaction(cancel, this.ctx.trunkDest, { response: () => {}, timeout: () => {} });
    // Without a final answer 64 × T1 after the CANCEL, the INVITE has failed (§9.1).
    this.later(64 * this.ctx.transport.timers.t1, () => {
      if (this.phase !== 'inviting') return;
      this.inviteTx?.terminate();
      this.finish({ ...finalStatus(487, this.cancelReason), error: 'no final answer after our CANCEL' });
    });
  }

  /** Ends an answered call with BYE; the outcome is settled when the BYE is answered (or times out). */
  private hangUp(end: { status: CallEnd; hangupBy: HangupBy; error: string | null }): void {
    if (this.phase !== 'answered' || !this.dialog) return;
    this.phase = 'hanging_up';
    this.sender?.stop();
    this.endedAt = Date.now();
    this.pendingEnd = end;
    this.sendBye(end, []);
  }

  /** BYE, once more with credentials if the trunk challenges it (some do). */
  private sendBye(end: { status: CallEnd; hangupBy: HangupBy; error: string | null }, auth: SipHeader[]): void {
    const bye = this.dialog!.request('BYE', this.via(), [['User-Agent', 'Hellio'], ...auth]);
    void this.ctx.transport.resolve(nextHopUri(bye)).then(
      (dest) =>
        this.ctx.transport.transaction(bye, dest, {
          response: (res) => {
            if (res.status < 200) return;
            if ((res.status === 401 || res.status === 407) && auth.length === 0) {
              const name = res.status === 401 ? 'Authorization' : 'Proxy-Authorization';
              const challenge = parseChallenge(getHeader(res, res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '');
              if (challenge) {
                this.sendBye(end, [[name, authorizationHeader(challenge, { username: this.ctx.user, password: this.ctx.password }, 'BYE', bye.uri)]]);
                return;
              }
            }
            this.finish(end);
          },
          timeout: () => this.finish(end),
        }),
      () => this.finish(end),
    );
  }

  /** A request inside our dialog (matched on Call-ID by the trunk). */
  onRequest(req: SipRequest, source: Destination): void {
    const t = this.ctx.transport;
    switch (req.method) {
      case 'BYE':
        t.respond(req, source, 200);
        if (this.phase === 'answered') {
          this.sender?.stop();
          this.endedAt = Date.now();
          this.finish({ status: 'completed', hangupBy: 'callee', error: null });
        } else if (this.phase === 'hanging_up' && this.pendingEnd) this.finish(this.pendingEnd);
        return;
      case 'OPTIONS':
        t.respond(req, source, 200, { headers: [['Allow', ALLOW], ['Accept', 'application/sdp'], this.contact()] });
        return;
      case 'INVITE':
        this.onReinvite(req, source);
        return;
      case 'ACK':
        if (this.reinviteRetransmit && parseCSeq(req).method === 'ACK') {
          clearTimeout(this.reinviteRetransmit);
          this.reinviteRetransmit = undefined;
        }
        return;
      case 'INFO':
      case 'NOTIFY':
        t.respond(req, source, 200);
        return;
      default:
        t.respond(req, source, 501, { headers: [['Allow', ALLOW]] });
    }
  }

  /** A re-INVITE: answer 200 with our unchanged SDP, send media where its SDP says, retransmit the 200 until ACKed (§13.3.1.4). */
  private onReinvite(req: SipRequest, source: Destination): void {
    const t = this.ctx.transport;
    if (this.phase !== 'answered' || !this.dialog) {
      t.respond(req, source, 491, { reason: 'Request Pending' });
      return;
    }
    if (req.body.length > 0) {
      try {
        const media = parseAnswer(req.body.toString('utf8'));
        if (media.port !== 0) this.sender?.setDestination({ address: media.address, port: media.port });
      } catch {
        /* an offer we cannot read: keep the current stream */
      }
    }
    const contact = getHeaderList(req, 'Contact')[0];
    if (contact) this.dialog.remoteTarget = contact.replace(/^.*<([^>]*)>.*$/, '$1');
    t.respond(req, source, 200, { headers: [this.contact(), ['Allow', ALLOW], ['Content-Type', 'application/sdp']], body: this.sdp });
    clearTimeout(this.reinviteRetransmit);
    let interval = t.timers.t1;
    const started = Date.now();
    const again = () => {
      if (this.phase === 'done' || Date.now() - started > 64 * t.timers.t1) return;
      // The transport remembers the answer; a repeat of the request's own key resends it.
      t.respond(req, source, 200, { headers: [this.contact(), ['Allow', ALLOW], ['Content-Type', 'application/sdp']], body: this.sdp });
      interval = Math.min(interval * 2, t.timers.t2);
      this.reinviteRetransmit = setTimeout(again, interval);
    };
    this.reinviteRetransmit = setTimeout(again, interval);
  }

  /** A response no transaction claimed: a retransmitted 2xx means our ACK was lost, so ACK again. */
  onStrayResponse(res: SipResponse): void {
    const cseq = parseCSeq(res);
    if (cseq.method === 'INVITE' && res.status >= 200 && res.status < 300 && this.ack && cseq.seq === this.seq) {
      this.ctx.transport.send(this.ack.req, this.ack.dest);
    }
  }

  /** The trunk is closing: end the call the quickest proper way. */
  shutdown(): void {
    if (this.phase === 'inviting') {
      this.cancel('abort');
      if (!this.provisional) this.finish({ status: 'canceled', hangupBy: 'system', error: 'the SIP trunk was closed' });
    } else if (this.phase === 'answered') this.hangUp({ status: 'completed', hangupBy: 'system', error: null });
  }

  /** The trunk could not wait any longer (closing): settle now with what the call was ending as. */
  forceEnd(): void {
    if (this.phase === 'hanging_up' && this.pendingEnd) this.finish(this.pendingEnd);
    else if (this.phase === 'answered') this.finish({ status: 'completed', hangupBy: 'system', error: 'the SIP trunk was closed' });
    else this.finish({ status: 'canceled', hangupBy: 'system', error: 'the SIP trunk was closed' });
  }

  /** Settles the outcome (once) and releases timers and the media socket. */
  finish(end: { status: CallEnd; hangupBy: HangupBy; error: string | null; trunkFailure?: boolean }): void {
    if (this.phase === 'done') return;
    const wasAnswered = this.answeredAt !== null;
    this.phase = 'done';
    for (const t of this.timers) clearTimeout(t);
    clearTimeout(this.reinviteRetransmit);
    this.sender?.stop();
    this.req.signal.removeEventListener('abort', this.onAbort);
    const outcome: CallOutcome = {
      status: end.status,
      sipCode: this.sipCode,
      hangupBy: end.hangupBy,
      ringingAt: this.ringingAt,
      answeredAt: this.answeredAt,
      endedAt: wasAnswered ? (this.endedAt ?? Date.now()) : Date.now(),
      codec: this.codec,
      framesSent: this.sender?.framesSent ?? 0,
      error: end.error,
    };
    if (end.trunkFailure) outcome.trunkFailure = true;
    this.resolveDone(outcome);
  }

  /** The RTP sender, once answered (for its statistics). */
  get rtp(): RtpSender | null {
    return this.sender;
  }
}
