import { gsmSeptets } from './gsm7.ts';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsAnalysis {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

/** What one SMS carries in each encoding: alone (`single`) and as a part of a concatenated message. */
export const SMS_LIMITS: Readonly<Record<SmsEncoding, { readonly single: number; readonly part: number }>> = {
  // 140 octets of user data hold 160 septets. A part gives 6 octets to the concatenation UDH
  // (05 00 03 ref total seq), padded to a septet boundary: 49 bits = 7 septets, leaving 153.
  'GSM-7': { single: 160, part: 153 },
  // 140 octets hold 70 UTF-16 units; the 6-octet UDH takes 3 of them, leaving 67.
  'UCS-2': { single: 70, part: 67 },
};

/** Fills `text` greedily into `encoding` parts (the one walk pricing and sending share); false if GSM-7 can't. */
export function walkSmsParts(
  text: string,
  encoding: SmsEncoding,
  into: Pick<SmsAnalysis, 'units' | 'segments'>,
  cuts?: number[],
): boolean {
  // Writes units and segments into `into` (and pushes to `cuts` the index where each part after
  // the first begins) instead of returning them, so analyzeSms on the accept path allocates
  // nothing beyond its result. Parts are filled greedily because an escape pair or a surrogate
  // pair may not straddle two parts: a part can end a septet or a unit short of full.
  const gsm = encoding === 'GSM-7';
  const { single, part } = SMS_LIMITS[encoding];
  const n = text.length;
  let units = 0;
  let parts = 1;
  let fill = 0;
  for (let i = 0; i < n; ) {
    const start = i;
    let width: number;
    if (gsm) {
      width = gsmSeptets(text.charCodeAt(i));
      if (width === 0) return false;
      i++;
    } else {
      // A surrogate pair is one character to the handset; a lone surrogate counts as one unit,
      // and is sent as one.
      width = 1;
      const code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) width = 2;
      }
      i += width;
    }
    units += width;
    if (fill + width > part) {
      parts++;
      fill = width;
      if (cuts) cuts.push(start);
    } else {
      fill += width;
    }
  }
  into.units = units;
  if (units <= single) {
    // The whole text fits one SMS without a UDH: the part-sized cuts do not apply.
    into.segments = 1;
    if (cuts) cuts.length = 0;
  } else {
    into.segments = parts;
  }
  return true;
}

/** Picks GSM-7 or UCS-2 for `text` and counts its septets/code units and SMS segments. */
export function analyzeSms(text: string): SmsAnalysis {
  // GSM-7 whenever it can carry the text, since it fits more per segment. The GSM walk stops at
  // the first character outside the alphabet, so most UCS-2 text costs little more than its own
  // walk; only GSM text with a late foreign character is walked almost twice.
  const result: SmsAnalysis = { encoding: 'GSM-7', units: 0, segments: 0 };
  if (!walkSmsParts(text, 'GSM-7', result)) {
    result.encoding = 'UCS-2';
    walkSmsParts(text, 'UCS-2', result);
  }
  return result;
}
