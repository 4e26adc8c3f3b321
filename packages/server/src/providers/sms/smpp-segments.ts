import { walkSmsParts, type SmsAnalysis, type SmsEncoding } from '../../lib/sms-encoding.ts';
import { encodeGsm7 } from './smpp-gsm.ts';

/** One submit_sm's worth of a message. */
export interface SmppSegment {
  dataCoding: number;
  esmClass: number;
  /** UDH (when concatenated) followed by the encoded text, as it goes into short_message. */
  shortMessage: Buffer;
}

export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
export const DATA_CODING_8BIT = 0x04;
export const ESM_CLASS_UDHI = 0x40;

// The UDH's "total" is one octet.
const MAX_PARTS = 255;

export type SegmentResult = { ok: true; segments: SmppSegment[] } | { ok: false; code: 'ENCODING' | 'TOO_LONG'; error: string };

/**
 * Splits `text` into submit_sm payloads in the given encoding. Several parts carry the 8-bit
 * concatenation UDH (05 00 03 ref total seq) and ask for UDHI in esm_class; a single part has none.
 */
export function segmentSms(text: string, encoding: SmsEncoding, ref: number): SegmentResult {
  // The walk analyzeSms priced the message with, so the parts we send are the segments we charged.
  // The same object shape as analyzeSms's result keeps that hot walk monomorphic.
  const walk: SmsAnalysis = { encoding, units: 0, segments: 0 };
  const cuts: number[] = [];
  if (!walkSmsParts(text, encoding, walk, cuts)) {
    return { ok: false, code: 'ENCODING', error: 'text contains characters outside the GSM 03.38 alphabet' };
  }
  if (walk.segments > MAX_PARTS) return { ok: false, code: 'TOO_LONG', error: `text needs ${walk.segments} parts, more than ${MAX_PARTS}` };
  const chunks = cutAt(text, cuts);
  const dataCoding = encoding === 'GSM-7' ? DATA_CODING_GSM : DATA_CODING_UCS2;
  const encode = encoding === 'GSM-7' ? (s: string) => encodeGsm7(s)! : encodeUtf16be;
  if (chunks.length === 1) {
    return { ok: true, segments: [{ dataCoding, esmClass: 0, shortMessage: encode(chunks[0]!) }] };
  }
  const total = chunks.length;
  return {
    ok: true,
    segments: chunks.map((chunk, i) => ({
      dataCoding,
      esmClass: ESM_CLASS_UDHI,
      shortMessage: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, i + 1]), encode(chunk)]),
    })),
  };
}

/** 8-bit data as one submit_sm: its UDH (UDHI set when there is one) followed by the octets; the caller checked it fits. */
export function binarySegment(udh: Buffer, data: Buffer): SmppSegment {
  return { dataCoding: DATA_CODING_8BIT, esmClass: udh.length > 0 ? ESM_CLASS_UDHI : 0, shortMessage: Buffer.concat([udh, data]) };
}

// Part k + 1 begins at cuts[k]; the walk only cuts between characters, never inside a pair.
function cutAt(text: string, cuts: number[]): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(text.slice(from, cut));
    from = cut;
  }
  parts.push(text.slice(from));
  return parts;
}

/** UTF-16BE code unit by code unit, so even a lone surrogate survives unchanged. */
export function encodeUtf16be(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}
