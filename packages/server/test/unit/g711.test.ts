import { describe, expect, it } from 'vitest';
import { aLawToLinear, decodeG711, encodeG711, G711_SILENCE, linearToALaw, linearToMuLaw, muLawToLinear } from '../../src/lib/g711.ts';

/** The quantisation step of the segment a code byte lies in, in 16-bit units (G.711 tables 1a/2a). */
const muStep = (byte: number) => 2 ** ((((~byte & 0xff) >> 4) & 7) + 3);
const aStep = (byte: number) => 2 ** (Math.max(((byte ^ 0x55) >> 4) & 7, 1) + 3);

describe('G.711 µ-law', () => {
  it('encodes the known values', () => {
    expect(linearToMuLaw(0)).toBe(0xff);
    expect(linearToMuLaw(-1)).toBe(0x7f);
    expect(linearToMuLaw(32767)).toBe(0x80);
    expect(linearToMuLaw(-32768)).toBe(0x00);
  });

  it('decodes the extremes and zero', () => {
    expect(muLawToLinear(0x80)).toBe(32124);
    expect(muLawToLinear(0x00)).toBe(-32124);
    expect(muLawToLinear(0xff)).toBe(0);
    expect(muLawToLinear(0x7f)).toBe(-0);
  });

  it('round-trips every byte (but the negative zero 0x7F, which comes back as 0xFF)', () => {
    for (let b = 0; b < 256; b++) expect(linearToMuLaw(muLawToLinear(b)), b.toString(16)).toBe(b === 0x7f ? 0xff : b);
  });

  it('is within half a step of every 16-bit sample, and clips beyond the last level', () => {
    const top = muLawToLinear(0x80);
    const wrong: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const byte = linearToMuLaw(x);
      const y = muLawToLinear(byte);
      const ok = Math.abs(x) <= top + muStep(byte) / 2 ? Math.abs(y - x) <= muStep(byte) / 2 : Math.abs(y) === top;
      if (!ok) wrong.push(x);
    }
    expect(wrong).toEqual([]);
  });
});

describe('G.711 A-law', () => {
  it('encodes the known values', () => {
    expect(linearToALaw(0)).toBe(0xd5);
    expect(linearToALaw(32767)).toBe(0xaa);
    expect(linearToALaw(-32768)).toBe(0x2a);
    expect(linearToALaw(-1)).toBe(0x55);
  });

  it('decodes the extremes and the smallest levels', () => {
    expect(aLawToLinear(0xaa)).toBe(32256);
    expect(aLawToLinear(0x2a)).toBe(-32256);
    expect(aLawToLinear(0xd5)).toBe(8);
    expect(aLawToLinear(0x55)).toBe(-8);
  });

  it('round-trips every byte', () => {
    for (let b = 0; b < 256; b++) expect(linearToALaw(aLawToLinear(b)), b.toString(16)).toBe(b);
  });

  it('is within half a step of every 16-bit sample, and clips beyond the last level', () => {
    const top = aLawToLinear(0xaa);
    const wrong: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const byte = linearToALaw(x);
      const y = aLawToLinear(byte);
      const ok = Math.abs(x) <= top + aStep(byte) / 2 ? Math.abs(y - x) <= aStep(byte) / 2 : Math.abs(y) === top;
      if (!ok) wrong.push(x);
    }
    expect(wrong).toEqual([]);
  });
});

describe('encodeG711 / decodeG711', () => {
  it('converts whole buffers in either law', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    for (const law of ['PCMU', 'PCMA'] as const) {
      const bytes = encodeG711(pcm, law);
      expect(bytes.length).toBe(pcm.length);
      const back = decodeG711(bytes, law);
      const one = law === 'PCMU' ? muLawToLinear : aLawToLinear;
      expect([...back]).toEqual([...bytes].map((b) => one(b) || 0));
    }
  });

  it('names the byte that decodes to (near) silence', () => {
    expect(muLawToLinear(G711_SILENCE.PCMU)).toBe(0);
    expect(Math.abs(aLawToLinear(G711_SILENCE.PCMA))).toBeLessThanOrEqual(8);
  });
});
