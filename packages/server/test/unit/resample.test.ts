import { describe, expect, it } from 'vitest';
import { resample } from '../../src/lib/resample.ts';

function tone(hz: number, rate: number, seconds: number, amplitude: number): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** RMS of the middle half (away from the edges, where the filter runs out of input). */
function rms(x: Int16Array): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (to - from));
}

/** Amplitude of the component at `hz` (a single-bin DFT over the middle half). */
function amplitudeAt(x: Int16Array, rate: number, hz: number): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
    im += x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

describe('resample', () => {
  for (const from of [16000, 22050, 44100, 11025]) {
    it(`keeps a 1 kHz tone at its amplitude and frequency, ${from} → 8000 Hz`, () => {
      const out = resample(tone(1000, from, 1, 10000), from, 8000);
      expect(out.length).toBe(8000);
      expect(dB(rms(out) / (10000 / Math.SQRT2))).toBeCloseTo(0, 1); // within ±0.05 dB
      expect(amplitudeAt(out, 8000, 1000)).toBeGreaterThan(9900);
      // Nearly all of the energy is the tone itself.
      expect(amplitudeAt(out, 8000, 1000) / Math.SQRT2 / rms(out)).toBeGreaterThan(0.999);
    });
  }

  it('passes the telephone band (300–3400 Hz) within 1 dB', () => {
    for (const hz of [300, 2000, 3400]) {
      const out = resample(tone(hz, 22050, 0.5, 10000), 22050, 8000);
      expect(Math.abs(dB(rms(out) / (10000 / Math.SQRT2))), `${hz} Hz`).toBeLessThan(1);
    }
  });

  for (const from of [16000, 22050]) {
    it(`attenuates a 6 kHz tone by more than 60 dB instead of folding it to 2 kHz, ${from} → 8000 Hz`, () => {
      const out = resample(tone(6000, from, 1, 20000), from, 8000);
      expect(dB(rms(out) / (20000 / Math.SQRT2))).toBeLessThan(-60);
      expect(amplitudeAt(out, 8000, 2000)).toBeLessThan(20000 / 1000);
    });
  }

  it('attenuates just above the new Nyquist frequency (4.5 kHz) strongly', () => {
    const out = resample(tone(4500, 16000, 1, 20000), 16000, 8000);
    expect(dB(rms(out) / (20000 / Math.SQRT2))).toBeLessThan(-40);
  });

  it('upsamples 8000 → 16000 Hz without imaging', () => {
    const out = resample(tone(1000, 8000, 1, 10000), 8000, 16000);
    expect(out.length).toBe(16000);
    expect(amplitudeAt(out, 16000, 1000)).toBeGreaterThan(9900);
    expect(amplitudeAt(out, 16000, 7000)).toBeLessThan(10);
  });

  it('keeps DC, clips nothing at full scale, and copies equal rates', () => {
    const dc = resample(new Int16Array(2205).fill(1234), 22050, 8000);
    expect(dc.length).toBe(800);
    expect(dc.every((v) => v === 1234)).toBe(true);
    const loud = resample(tone(500, 16000, 0.5, 32767), 16000, 8000);
    expect(Math.max(...loud)).toBeLessThanOrEqual(32767);
    const same = Int16Array.from([1, 2, 3]);
    expect(resample(same, 8000, 8000)).toEqual(same);
    expect(resample(same, 8000, 8000)).not.toBe(same);
    expect(resample(new Int16Array(0), 16000, 8000).length).toBe(0);
    expect(() => resample(same, 0, 8000)).toThrow(RangeError);
  });
});
