// bench/voice capture child: a UDP socket where the far end's SDP points; records the spacing of
// each RTP stream (by SSRC) on an event loop of its own, and reports it to the parent on "stop".
import { createSocket } from 'node:dgram';

const socket = createSocket('udp4');
const last = new Map();
// Gap deviation from 20 ms, histogram in 0.1 ms buckets up to 100 ms.
const deviation = new Uint32Array(1001);
let packets = 0;
let maxDeviation = 0;
socket.on('message', (data) => {
  const at = Number(process.hrtime.bigint()) / 1e6;
  if (data.length < 12) return;
  packets++;
  const ssrc = data.readUInt32BE(8);
  const prev = last.get(ssrc);
  last.set(ssrc, at);
  if (prev === undefined) return;
  const dev = Math.abs(at - prev - 20);
  deviation[Math.min(1000, Math.floor(dev * 10))]++;
  if (dev > maxDeviation) maxDeviation = dev;
});
socket.bind(0, '127.0.0.1', () => process.send({ type: 'ready', port: socket.address().port }));
process.on('message', (m) => {
  if (m.type !== 'stop') return;
  process.send({ type: 'stats', packets, streams: last.size, deviation: [...deviation], maxDeviation }, () => process.exit(0));
});
