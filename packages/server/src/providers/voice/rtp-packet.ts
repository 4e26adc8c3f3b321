/** RTP packets (RFC 3550 §5.1): the fixed 12-byte header we write and read. */

/** The fields of an RTP header we use (no CSRC, no extension, no padding). */
export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

/** One RTP packet: version 2, the header, then the payload. */
export function buildRtpPacket(h: RtpHeader, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(12 + payload.length);
  packet[0] = 0x80; // V=2, P=0, X=0, CC=0
  packet[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  packet.writeUInt16BE(h.sequence & 0xffff, 2);
  packet.writeUInt32BE(h.timestamp >>> 0, 4);
  packet.writeUInt32BE(h.ssrc >>> 0, 8);
  packet.set(payload, 12);
  return packet;
}

/** Reads an RTP packet's header and payload; null when the datagram is not RTP version 2. */
export function parseRtpPacket(data: Uint8Array): (RtpHeader & { payload: Buffer }) | null {
  if (data.length < 12 || data[0]! >> 6 !== 2) return null;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const cc = buf[0]! & 0x0f;
  let offset = 12 + 4 * cc;
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return null;
    offset += 4 + 4 * buf.readUInt16BE(offset + 2);
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (offset > end) return null;
  return {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

/** Whether a datagram looks like RTP rather than RTCP (payload types 72–76 are RTCP's, RFC 5761). */
export function looksLikeRtp(data: Uint8Array): boolean {
  if (data.length < 12 || data[0]! >> 6 !== 2) return false;
  const pt = data[1]! & 0x7f;
  return pt < 72 || pt > 76;
}
