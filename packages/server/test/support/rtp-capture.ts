import { Worker } from 'node:worker_threads';
import { parseRtpPacket, type RtpHeader } from '../../src/providers/voice/rtp-packet.ts';

/** One RTP packet as the capture socket got it. */
export interface CapturedRtp extends RtpHeader {
  /** Arrival time, ms on a monotonic clock (only differences mean anything). */
  at: number;
  payload: Buffer;
  from: { address: string; port: number };
}

/** A UDP socket on 127.0.0.1 recording the RTP sent to it (where the far end's SDP points). */
export interface RtpCapture {
  port: number;
  /** Captured so far (updated as packets arrive). */
  packets: CapturedRtp[];
  /** Sends a datagram from the capture's own socket (to be the far end's RTP source). */
  send(data: Buffer, port: number, address: string): void;
  close(): Promise<void>;
}

// The socket lives in a worker thread: arrival times taken on an event loop of its own are not
// skewed by whatever the test's (and the sender's) thread is doing.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const s = dgram.createSocket('udp4');
s.on('message', (data, rinfo) => {
  const at = Number(process.hrtime.bigint()) / 1e6;
  parentPort.postMessage({ type: 'packet', at, data, address: rinfo.address, port: rinfo.port });
});
parentPort.on('message', (m) => {
  if (m.type === 'send') s.send(Buffer.from(m.data), m.port, m.address);
  if (m.type === 'close') s.close(() => parentPort.postMessage({ type: 'closed' }));
});
s.bind(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready', port: s.address().port }));
`;

/** Opens a capture socket on a free port. */
export async function startRtpCapture(): Promise<RtpCapture> {
  const worker = new Worker(WORKER, { eval: true });
  const packets: CapturedRtp[] = [];
  let closed: (() => void) | null = null;
  const port = await new Promise<number>((res, rej) => {
    worker.once('error', rej);
    worker.on('message', (m: { type: string; port?: number; at?: number; data?: Uint8Array; address?: string }) => {
      if (m.type === 'ready') res(m.port!);
      else if (m.type === 'closed') closed?.();
      else if (m.type === 'packet') {
        const p = parseRtpPacket(m.data!);
        if (p) packets.push({ ...p, payload: Buffer.from(p.payload), at: m.at!, from: { address: m.address!, port: m.port! } });
      }
    });
  });
  return {
    port,
    packets,
    send: (data, toPort, address) => worker.postMessage({ type: 'send', data, port: toPort, address }),
    async close() {
      await new Promise<void>((res) => {
        closed = res;
        worker.postMessage({ type: 'close' });
      });
      await worker.terminate();
    },
  };
}

/** What the timing of a capture looks like. */
export interface RtpTiming {
  gaps: number[];
  /** Share of gaps within 20 ± 1 ms. */
  onTime: number;
  /**
   * Share of packets within ± 1 ms of their slot on the stream's 20 ms grid (the grid placed at
   * the median offset). One packet held up by a busy machine is one miss here, but two bad gaps.
   */
  onSlot: number;
  /** From the first packet to the last, ms. */
  span: number;
}

/** Inter-arrival gaps of the captured packets. */
export function rtpTiming(packets: CapturedRtp[]): RtpTiming {
  const gaps = packets.slice(1).map((p, i) => p.at - packets[i]!.at);
  const onTime = gaps.length === 0 ? 1 : gaps.filter((g) => Math.abs(g - 20) <= 1).length / gaps.length;
  const offsets = packets.map((p, i) => p.at - packets[0]!.at - 20 * i);
  const median = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)] ?? 0;
  const onSlot = offsets.length === 0 ? 1 : offsets.filter((o) => Math.abs(o - median) <= 1).length / offsets.length;
  return { gaps, onTime, onSlot, span: packets.length ? packets[packets.length - 1]!.at - packets[0]!.at : 0 };
}
