/**
 * The voice port over a SIP trunk: our own user agent over UDP (./sip/) and an RTP sender
 * (./rtp-*.ts). One SIP socket per trunk, one RTP socket per call.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import type { ProviderState } from '../provider-state.ts';
import { emptyRtpStats, type RtpSenderStats } from './rtp-sender.ts';
import { OutboundCall, type CallContext } from './sip/outbound-call.ts';
import { getHeader, parseCSeq, type SipRequest, type SipResponse } from './sip/message.ts';
import { DEFAULT_TIMERS, type Destination, type SipTimers } from './sip/transaction.ts';
import { SipTransport } from './sip/transport.ts';
import { parseSipTrunkUrl, type SipTrunkUrl } from './sip/trunk-url.ts';
import type { CallOutcome, CallRequest, VoiceProvider } from './voice-provider.ts';

/** The trunk URL parser, for config/ (its errors never hold the password). */
export { parseSipTrunkUrl, type SipTrunkUrl } from './sip/trunk-url.ts';

/** How to reach the trunk and which local addresses to use. */
export interface SipTrunkOptions {
  name: string;
  /** `sip:user:password@host:port`. */
  url: string;
  /** Local address the sockets bind; default 127.0.0.1 when the trunk is loopback, else 0.0.0.0 (:: for IPv6). */
  bindAddress?: string;
  /** What Via, Contact and SDP say; default the local address the OS uses towards the trunk. */
  advertisedAddress?: string;
  /** Range of local RTP ports (even ports are used); default any free port. */
  rtpPorts?: [number, number];
  /** RFC 3261's T1 (default 500 ms); tests shorten it to see timers A and B quickly. */
  t1Ms?: number;
}

const LINGER_MS = 32_000;
const CLOSE_WAIT_MS = 5_000;

/** The SIP trunk adapter (`HELLIO_SIP_URL`). */
export class SipTrunk implements VoiceProvider {
  readonly name: string;
  private readonly url: SipTrunkUrl;
  private readonly timers: SipTimers;
  private opening: Promise<{ transport: SipTransport; socket: Socket; trunkDest: Destination; advertised: string; sipPort: number }> | null = null;
  private readonly calls = new Map<string, OutboundCall>();
  /** Ended calls kept a while so retransmitted 2xx are still ACKed and late BYEs answered. */
  private readonly lingering = new Map<string, OutboundCall>();
  private readonly rtpSockets = new Set<Socket>();
  private lastError: string | null = null;
  private closed = false;
  private readonly media: RtpSenderStats = emptyRtpStats();

  constructor(private readonly options: SipTrunkOptions) {
    this.name = options.name;
    this.url = parseSipTrunkUrl(options.url);
    this.timers = { ...DEFAULT_TIMERS, t1: options.t1Ms ?? DEFAULT_TIMERS.t1 };
  }

  /** The SIP socket's local address (after the first call or `open()`), for diagnostics and tests. */
  async open(): Promise<{ address: string; port: number; advertised: string }> {
    const o = await this.ensureOpen();
    return { address: o.socket.address().address, port: o.sipPort, advertised: o.advertised };
  }

  private ensureOpen() {
    if (this.closed) return Promise.reject(new Error('the SIP trunk is closed'));
    this.opening ??= this.doOpen();
    this.opening.catch(() => (this.opening = null));
    return this.opening;
  }

  private async doOpen() {
    const host = isIP(this.url.host) ? this.url.host : (await lookup(this.url.host)).address;
    const trunkDest = { host, port: this.url.port };
    const v6 = isIPv6(host);
    const bind = this.options.bindAddress ?? (isLoopback(host) ? host : v6 ? '::' : '0.0.0.0');
    const socket = await bindUdp(v6 ? 'udp6' : 'udp4', bind, 0);
    const advertised = this.options.advertisedAddress ?? (isUnspecified(bind) ? await localAddressTowards(trunkDest, v6) : bind);
    const transport = new SipTransport(socket, this.timers, {
      request: (req, source) => this.onRequest(transport, req, source),
      strayResponse: (res) => this.onStrayResponse(res),
    });
    return { transport, socket, trunkDest, advertised, sipPort: socket.address().port };
  }

  async call(req: CallRequest): Promise<CallOutcome> {
    let open;
    let rtp: Socket;
    try {
      open = await this.ensureOpen();
      rtp = await this.bindRtp(open.socket.address().address, isIPv6(open.trunkDest.host));
    } catch (err) {
      this.lastError = (err as Error).message;
      return failedBeforeStart(`cannot open sockets: ${(err as Error).message}`);
    }
    this.rtpSockets.add(rtp);
    const ctx: CallContext = {
      transport: open.transport,
      user: this.url.user,
      password: this.url.password,
      trunkHost: this.url.host,
      trunkPort: this.url.port,
      trunkDest: open.trunkDest,
      advertised: open.advertised,
      sipPort: open.sipPort,
      rtpSocket: rtp,
      rtpPort: rtp.address().port,
      trunkResult: (error) => (this.lastError = error),
    };
    const call = new OutboundCall(ctx, req);
    this.calls.set(call.callId, call);
    try {
      return await call.start();
    } finally {
      const stats = call.rtp?.stats;
      if (stats) {
        this.media.framesSent += stats.framesSent;
        stats.latenessHistogram.forEach((n, i) => (this.media.latenessHistogram[i]! += n));
        stats.gapDeviationHistogram.forEach((n, i) => (this.media.gapDeviationHistogram[i]! += n));
        this.media.maxLatenessMs = Math.max(this.media.maxLatenessMs, stats.maxLatenessMs);
      }
      this.calls.delete(call.callId);
      this.lingering.set(call.callId, call);
      setTimeout(() => this.lingering.delete(call.callId), LINGER_MS).unref();
      this.rtpSockets.delete(rtp);
      rtp.close();
    }
  }

  private async bindRtp(bind: string, v6: boolean): Promise<Socket> {
    const range = this.options.rtpPorts;
    if (!range) return bindUdp(v6 ? 'udp6' : 'udp4', bind, 0);
    const [lo, hi] = range;
    const first = lo + (lo % 2);
    const count = Math.floor((hi - first) / 2) + 1;
    if (count <= 0) throw new Error(`rtpPorts ${lo}–${hi} holds no even port`);
    // Start anywhere in the range so concurrent calls do not all fight for its first port.
    const offset = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      try {
        return await bindUdp(v6 ? 'udp6' : 'udp4', bind, first + 2 * ((offset + i) % count));
      } catch {
        /* taken: try the next one */
      }
    }
    throw new Error(`no free RTP port in ${lo}–${hi}`);
  }

  private onRequest(transport: SipTransport, req: SipRequest, source: Destination): void {
    const callId = getHeader(req, 'Call-ID') ?? '';
    const call = this.calls.get(callId) ?? this.lingering.get(callId);
    if (call) {
      call.onRequest(req, source);
      return;
    }
    if (req.method === 'ACK') return;
    if (req.method === 'OPTIONS') {
      // Out-of-dialog OPTIONS: trunks ping us to see we are alive (§11.2).
      transport.respond(req, source, 200, { toTag: 'hellio', headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS'], ['Accept', 'application/sdp']] });
      return;
    }
    const hasTag = /;\s*tag=/i.test(getHeader(req, 'To') ?? '');
    if (hasTag) transport.respond(req, source, 481);
    else if (req.method === 'INVITE') transport.respond(req, source, 603, { toTag: 'hellio', reason: 'Decline' });
    else transport.respond(req, source, 405, { toTag: 'hellio', headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS']] });
  }

  private onStrayResponse(res: SipResponse): void {
    const callId = getHeader(res, 'Call-ID') ?? '';
    try {
      parseCSeq(res);
    } catch {
      return;
    }
    (this.calls.get(callId) ?? this.lingering.get(callId))?.onStrayResponse(res);
  }

  /** How punctually RTP frames left, over the calls ended so far (lateness and gap histograms in 0.1 ms). */
  mediaStats(): RtpSenderStats {
    return { ...this.media, latenessHistogram: this.media.latenessHistogram.slice(), gapDeviationHistogram: this.media.gapDeviationHistogram.slice() };
  }

  state(): ProviderState {
    return { kind: 'sip', link: null, inFlight: this.calls.size, queued: 0, lastError: this.lastError };
  }

  /** Ends calls (CANCEL or BYE), waits a little for them, and closes the sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.calls.values()];
    for (const c of pending) c.shutdown();
    await Promise.race([Promise.all(pending.map((c) => c.done)), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    for (const c of pending) c.forceEnd();
    const open = await this.opening?.catch(() => null);
    open?.transport.shutdown();
    open?.socket.close();
    for (const s of this.rtpSockets) s.close();
    this.rtpSockets.clear();
    this.lingering.clear();
  }
}

function failedBeforeStart(error: string): CallOutcome {
  return { status: 'failed', sipCode: null, hangupBy: 'system', ringingAt: null, answeredAt: null, endedAt: Date.now(), codec: null, framesSent: 0, error, trunkFailure: true };
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

function isUnspecified(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::';
}

/** Binds a UDP socket; rejects when the address or port cannot be had. */
function bindUdp(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, reuseAddr: false });
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.bind({ address, port, exclusive: true }, () => {
      s.removeAllListeners('error');
      // Later socket errors (ICMP port unreachable and the like) must not crash the process.
      s.on('error', () => {});
      resolve(s);
    });
  });
}

/** The source address the OS picks towards a destination (a connected UDP socket sends nothing). */
async function localAddressTowards(dest: Destination, v6: boolean): Promise<string> {
  const s = createSocket(v6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(dest.port, dest.host, () => resolve());
    });
    return s.address().address;
  } finally {
    s.close();
  }
}
