import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { getHeader, serialiseMessage, parseMessage, type SipHeader, type SipRequest } from '../../src/providers/voice/sip/message.ts';
import { SipTrunk, type SipTrunkOptions } from '../../src/providers/voice/sip-trunk.ts';
import type { CallRequest } from '../../src/providers/voice/voice-provider.ts';
import { until } from './wait.ts';

/**
 * A scripted SIP far end on a bare UDP socket, for what sipp cannot show plainly (retransmission
 * timers, a Route set, a retransmitted 2xx, a 200 crossing a CANCEL). What a test opens with these
 * goes into `cleanups`; the test file empties it after each test (`closeAll`).
 */

/** Closers of the peers and trunks opened so far. */
export const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** Closes what the last test opened, newest first. */
export async function closeAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** A request the peer received, when and from where. */
export interface Got {
  at: number;
  msg: SipRequest;
  from: { address: string; port: number };
}

/** The far end: records every request, answers only when told to. */
export class FakePeer {
  readonly got: Got[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('message', (data, rinfo) => {
      try {
        const msg = parseMessage(data);
        if (msg.kind === 'request') this.got.push({ at: performance.now(), msg, from: { address: rinfo.address, port: rinfo.port } });
      } catch {
        /* not SIP */
      }
    });
  }

  static async start(): Promise<FakePeer> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const p = new FakePeer(s);
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
    return p;
  }

  get port(): number {
    return this.socket.address().port;
  }

  requests(method: string): Got[] {
    return this.got.filter((g) => g.msg.method === method);
  }

  wait(method: string, count = 1, timeoutMs = 5000): Promise<Got> {
    return until(`${count} ${method}`, () => this.requests(method).length >= count && this.requests(method)[count - 1]!, { timeoutMs });
  }

  /** Answers a request with a status, copying what a response copies. */
  reply(to: Got, status: number, extra: SipHeader[] = [], body = '', toTag = 'far1'): void {
    const req = to.msg;
    let toHeader = getHeader(req, 'To')!;
    if (!/tag=/.test(toHeader) && status > 100) toHeader += `;tag=${toTag}`;
    const data = serialiseMessage({
      kind: 'response',
      status,
      reason: 'X',
      headers: [...req.headers.filter(([n]) => n === 'Via'), ['From', getHeader(req, 'From')!], ['To', toHeader], ['Call-ID', getHeader(req, 'Call-ID')!], ['CSeq', getHeader(req, 'CSeq')!], ...extra],
      body: Buffer.from(body),
    });
    this.socket.send(data, to.from.port, to.from.address);
  }
}

/** A trunk at the peer (T1 in ms when given), closed after the test. */
export function trunk(port: number, t1Ms?: number, more: Partial<SipTrunkOptions> = {}): SipTrunk {
  const t = new SipTrunk({ name: 'fake', url: `sip:hellio:pw@127.0.0.1:${port}`, t1Ms, ...more });
  cleanups.push(() => t.close());
  return t;
}

/** A call request of 0.1 s of a flat tone, with generous timeouts. */
export function request(over: Partial<CallRequest> = {}): CallRequest {
  return {
    callId: 'call_fake',
    to: '+15550001111',
    from: null,
    speech: new Int16Array(800).fill(1000),
    repeat: 1,
    pauseMs: 0,
    ringTimeoutMs: 10_000,
    timeLimitMs: 10_000,
    signal: new AbortController().signal,
    onProgress: () => {},
    ...over,
  };
}

