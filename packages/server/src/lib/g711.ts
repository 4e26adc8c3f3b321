/**
 * G.711 companding (ITU-T G.711): 16-bit linear PCM to 8-bit µ-law (PCMU) or A-law (PCMA) and back.
 * Written from the standard's segment tables; µ-law uses the 0x84 bias and 14-bit clip, A-law
 * 13-bit with the even bits inverted (0x55).
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function segmentOf(value: number): number {
  // Position of the highest set bit above bit 7, 0–7.
  let seg = 0;
  for (let v = value >> 8; v > 0 && seg < 7; v >>= 1) seg++;
  return seg;
}

/** One linear sample (−32768…32767) to a µ-law byte. */
export function linearToMuLaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(sign ? -sample : sample, MULAW_CLIP) + MULAW_BIAS;
  const seg = segmentOf(magnitude);
  const mantissa = (magnitude >> (seg + 3)) & 0x0f;
  return ~(sign | (seg << 4) | mantissa) & 0xff;
}

/** One µ-law byte to a linear sample. */
export function muLawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const seg = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << seg) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** One linear sample to an A-law byte. */
export function linearToALaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  // A-law works on 13 bits.
  let magnitude = (sample >= 0 ? sample : -sample - 1) >> 3;
  if (magnitude > 0x0fff) magnitude = 0x0fff;
  let byte: number;
  if (magnitude < 32) {
    byte = magnitude >> 1;
  } else {
    let seg = 1;
    for (let v = magnitude >> 6; v > 0; v >>= 1) seg++;
    byte = (seg << 4) | ((magnitude >> seg) & 0x0f);
  }
  return (byte | sign) ^ 0x55;
}

/** One A-law byte to a linear sample. */
export function aLawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const seg = (a >> 4) & 0x07;
  let magnitude = ((a & 0x0f) << 4) + 8;
  if (seg >= 1) magnitude = (magnitude + 0x100) << (seg - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const MULAW_DECODE = Int16Array.from({ length: 256 }, (_, b) => muLawToLinear(b));
const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, b) => aLawToLinear(b));

/** PCM samples to G.711 bytes in the given law. */
export function encodeG711(pcm: Int16Array, law: 'PCMU' | 'PCMA'): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  const f = law === 'PCMU' ? linearToMuLaw : linearToALaw;
  for (let i = 0; i < pcm.length; i++) out[i] = f(pcm[i]!);
  return out;
}

/** G.711 bytes back to PCM samples. */
export function decodeG711(bytes: Uint8Array, law: 'PCMU' | 'PCMA'): Int16Array {
  const table = law === 'PCMU' ? MULAW_DECODE : ALAW_DECODE;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

/** The byte of silence in each law (what a pause is made of). */
export const G711_SILENCE = { PCMU: 0xff, PCMA: 0xd5 } as const;
