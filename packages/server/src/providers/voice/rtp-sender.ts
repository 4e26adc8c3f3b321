/**
 * Sends a call's frames as RTP every 20 ms. The timer corrects itself: frame n is due at
 * start + n × 20 ms on the shared media clock, so lateness never accumulates; frames
 * that fell behind (a stalled event loop) go out at once, keeping the stream's clock. Symmetric
 * RTP (RFC 4961) for NAT: the first RTP the far end sends us moves our destination to its source.
 */
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { mediaClock } from './rtp-clock.ts';
import { buildRtpPacket } from './rtp-packet.ts';
import { FRAME_MS, FRAME_SAMPLES, type RtpFrame } from './rtp-playout.ts';

/** Where RTP goes. */
export interface MediaAddress {
  address: string;
  port: number;
}

/** How punctual the sender was, in 0.1 ms buckets up to 100 ms (the last bucket: 100 ms or more). */
export interface RtpSenderStats {
  framesSent: number;
  /** histogram[i] counts frames sent i/10 ms after their due time. */
  latenessHistogram: Uint32Array;
  /** histogram[i] counts gaps between two frames of a stream that were i/10 ms off 20 ms. */
  gapDeviationHistogram: Uint32Array;
  maxLatenessMs: number;
}

/** Empty statistics. */
export function emptyRtpStats(): RtpSenderStats {
  return { framesSent: 0, latenessHistogram: new Uint32Array(1001), gapDeviationHistogram: new Uint32Array(1001), maxLatenessMs: 0 };
}

/** One call's RTP stream. */
export class RtpSender {
  private next = 0;
  private startedAt = 0;
  private cancelTimer: (() => void) | undefined;
  private sequence = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 0x100000000);
  private readonly ssrc = randomInt(0, 0x100000000);
  private latched = false;
  private stopped = false;
  private dest: MediaAddress;
  readonly stats: RtpSenderStats = emptyRtpStats();
  private lastSentAt = -1;

  constructor(
    private readonly socket: Socket,
    private readonly payloadType: number,
    dest: MediaAddress,
    private readonly frames: RtpFrame[],
    /** Called once, one frame time after the last frame went out (when its audio has played). */
    private readonly onDone: () => void,
  ) {
    this.dest = { ...dest };
  }

  /** Frames handed to the socket so far. */
  get framesSent(): number {
    return this.stats.framesSent;
  }

  /** Where packets go now. */
  get destination(): MediaAddress {
    return { ...this.dest };
  }

  /**
   * Starts sending at the media clock's next 20 ms mark. Every stream of the process shares that
   * phase, so the clock wakes once per 20 ms however many calls are up (rather than once per call,
   * each wake-up ending in a short blocking sleep); the first frame waits at most 20 ms for it.
   */
  start(): void {
    this.startedAt = Math.ceil(performance.now() / FRAME_MS) * FRAME_MS;
    this.cancelTimer = mediaClock.at(this.startedAt, () => this.tick());
  }

  private tick(): void {
    if (this.stopped) return;
    const now = performance.now();
    // The clock may serve us a fraction of a millisecond early, with another stream.
    while (this.next < this.frames.length && this.startedAt + this.next * FRAME_MS <= now + 0.5) {
      const late = now - (this.startedAt + this.next * FRAME_MS);
      this.send(this.frames[this.next]!);
      this.next++;
      this.record(late, now);
    }
    const due = this.startedAt + this.next * FRAME_MS;
    this.cancelTimer = mediaClock.at(due, () => (this.next >= this.frames.length ? this.finish() : this.tick()));
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onDone();
  }

  private record(lateMs: number, at: number): void {
    if (this.lastSentAt >= 0) this.stats.gapDeviationHistogram[Math.min(1000, Math.floor(Math.abs(at - this.lastSentAt - FRAME_MS) * 10))]!++;
    this.lastSentAt = at;
    const l = Math.max(0, lateMs);
    this.stats.latenessHistogram[Math.min(1000, Math.floor(l * 10))]!++;
    if (l > this.stats.maxLatenessMs) this.stats.maxLatenessMs = l;
  }

  private send(frame: RtpFrame): void {
    const packet = buildRtpPacket(
      { payloadType: this.payloadType, marker: frame.marker, sequence: this.sequence, timestamp: this.timestamp, ssrc: this.ssrc },
      frame.payload,
    );
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    this.stats.framesSent++;
    // A send error (ICMP unreachable on a connected path, a closed socket) loses one frame, not the call.
    try {
      this.socket.send(packet, this.dest.port, this.dest.address, () => {});
    } catch {
      /* socket closed under us: the call is ending */
    }
  }

  /** RTP arrived from the far end at `from`: the first time, send there (symmetric RTP). */
  latch(from: MediaAddress): void {
    if (this.latched) return;
    this.latched = true;
    this.dest = { ...from };
  }

  /** The far end gave a new media address (re-INVITE): send there, and latch again on what comes next. */
  setDestination(dest: MediaAddress): void {
    this.dest = { ...dest };
    this.latched = false;
  }

  /** Stops sending; onDone is not called. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }
}
