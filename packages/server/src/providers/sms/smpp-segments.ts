import type { SmsEncoding } from '../../lib/sms-encoding.ts';
import { encodeGsm7, gsmSeptets } from './smpp-gsm.ts';

/** One submit_sm's worth of a message. */
export interface SmppSegment {
  dataCoding: number;
  esmClass: number;
  /** UDH (when concatenated) followed by the encoded text, as it goes into short_message. */
  shortMessage: Buffer;
}

export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
export const ESM_CLASS_UDHI = 0x40;

// The same limits as analyzeSms, so the parts we send are the segments we priced.
const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS_SINGLE = 70;
const UCS_PART = 67;
// The UDH's "total" is one octet.
const MAX_PARTS = 255;

export type SegmentResult = { ok: true; segments: SmppSegment[] } | { ok: false; code: 'ENCODING' | 'TOO_LONG'; error: string };

/**
 * Splits `text` into submit_sm payloads in the given encoding. Several parts carry the 8-bit
 * concatenation UDH (05 00 03 ref total seq) and ask for UDHI in esm_class; a single part has none.
 */
export function segmentSms(text: string, encoding: SmsEncoding, ref: number): SegmentResult {
  const chunks = encoding === 'GSM-7' ? splitGsm(text) : splitUcs2(text);
  if (!chunks) return { ok: false, code: 'ENCODING', error: 'text contains characters outside the GSM 03.38 alphabet' };
  if (chunks.length > MAX_PARTS) return { ok: false, code: 'TOO_LONG', error: `text needs ${chunks.length} parts, more than ${MAX_PARTS}` };
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

// Greedy fill, like analyzeSms: an escape pair never straddles two parts. Null if not GSM.
function splitGsm(text: string): string[] | null {
  let septets = 0;
  const cuts: number[] = [];
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = gsmSeptets(text.charCodeAt(i));
    if (cost === 0) return null;
    septets += cost;
    if (fill + cost > GSM_PART) {
      cuts.push(i);
      fill = cost;
    } else {
      fill += cost;
    }
  }
  return septets <= GSM_SINGLE ? [text] : cutAt(text, cuts);
}

// A surrogate pair is one character to the handset and is never split; a lone surrogate is
// counted as one unit, as analyzeSms does.
function splitUcs2(text: string): string[] {
  const cuts: number[] = [];
  let fill = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const start = i;
    const code = text.charCodeAt(i);
    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 2;
        i++;
      }
    }
    if (fill + width > UCS_PART) {
      cuts.push(start);
      fill = width;
    } else {
      fill += width;
    }
  }
  return n <= UCS_SINGLE ? [text] : cutAt(text, cuts);
}

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
