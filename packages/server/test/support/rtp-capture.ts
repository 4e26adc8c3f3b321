import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parseRtpPacket, type RtpHeader } from '../../src/providers/voice/rtp-packet.ts';

/** One RTP packet as the capture socket got it. */
export interface CapturedRtp extends RtpHeader {
  /** performance.now() at arrival. */
  at: number;
  payload: Buffer;
  from: { address: string; port: number };
}

/** A UDP socket on 127.0.0.1 recording the RTP sent to it (where the far end's SDP points). */
export interface RtpCapture {
  port: number;
  socket: Socket;
  packets: CapturedRtp[];
  close(): Promise<void>;
}

/** Opens a capture socket on a free port (or the one given). */
export async function startRtpCapture(port = 0): Promise<RtpCapture> {
  const socket = createSocket('udp4');
  const packets: CapturedRtp[] = [];
  socket.on('message', (data, rinfo) => {
    const at = performance.now();
    const p = parseRtpPacket(data);
    if (p) packets.push({ ...p, payload: Buffer.from(p.payload), at, from: { address: rinfo.address, port: rinfo.port } });
  });
  await new Promise<void>((res, rej) => {
    socket.once('error', rej);
    socket.bind(port, '127.0.0.1', () => res());
  });
  return {
    port: socket.address().port,
    socket,
    packets,
    close: () => new Promise<void>((res) => socket.close(() => res())),
  };
}

/** What the timing of a capture looks like. */
export interface RtpTiming {
  gaps: number[];
  /** Share of gaps within 20 ± 1 ms. */
  onTime: number;
  /** From the first packet to the last, ms. */
  span: number;
}

/** Inter-arrival gaps of the captured packets. */
export function rtpTiming(packets: CapturedRtp[]): RtpTiming {
  const gaps = packets.slice(1).map((p, i) => p.at - packets[i]!.at);
  const onTime = gaps.length === 0 ? 1 : gaps.filter((g) => Math.abs(g - 20) <= 1).length / gaps.length;
  return { gaps, onTime, span: packets.length ? packets[packets.length - 1]!.at - packets[0]!.at : 0 };
}
