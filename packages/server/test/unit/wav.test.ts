import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav } from '../../src/lib/wav.ts';

describe('wav', () => {
  it('writes the canonical 44-byte header for 16-bit mono PCM', () => {
    const wav = encodeWav(Int16Array.from([0, 1, -1, 32767, -32768]), 8000);
    expect(wav.length).toBe(44 + 10);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(36 + 10);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt32LE(16)).toBe(16);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt32LE(28)).toBe(16000);
    expect(wav.readUInt16LE(32)).toBe(2);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    expect(wav.readUInt32LE(40)).toBe(10);
    expect(wav.readInt16LE(44 + 6)).toBe(32767);
    expect(wav.readInt16LE(44 + 8)).toBe(-32768);
  });

  it('reads back what it writes', () => {
    const samples = Int16Array.from({ length: 1001 }, (_, i) => Math.round(10000 * Math.sin(i / 7)));
    const { sampleRate, samples: back } = parseWav(encodeWav(samples, 22050));
    expect(sampleRate).toBe(22050);
    expect(back).toEqual(samples);
  });

  it('skips unknown chunks, including an odd-sized one with its pad byte', () => {
    const plain = encodeWav(Int16Array.from([5, -5, 7]), 16000);
    const extra = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const wav = Buffer.concat([plain.subarray(0, 36), extra, plain.subarray(36)]);
    wav.writeUInt32LE(wav.length - 8, 4);
    expect(parseWav(wav)).toEqual({ sampleRate: 16000, samples: Int16Array.from([5, -5, 7]) });
  });

  it('reads the samples present when the data length was never patched (a streaming writer)', () => {
    const wav = encodeWav(Int16Array.from([1, 2, 3, 4]), 8000);
    wav.writeUInt32LE(0xffffffff, 40);
    expect(parseWav(wav).samples).toEqual(Int16Array.from([1, 2, 3, 4]));
  });

  it('averages the channels of a stereo file', () => {
    const wav = encodeWav(Int16Array.from([100, 300, -100, -300]), 8000);
    wav.writeUInt16LE(2, 22);
    wav.writeUInt32LE(32000, 28);
    wav.writeUInt16LE(4, 32);
    expect(parseWav(wav).samples).toEqual(Int16Array.from([200, -200]));
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => parseWav(Buffer.from('hello world, not a wav'))).toThrow(/RIFF/);
    const float = encodeWav(Int16Array.from([0]), 8000);
    float.writeUInt16LE(3, 20);
    expect(() => parseWav(float)).toThrow(/format 3/);
    const eight = encodeWav(Int16Array.from([0]), 8000);
    eight.writeUInt16LE(8, 34);
    expect(() => parseWav(eight)).toThrow(/8-bit/);
    expect(() => encodeWav(new Int16Array(1), 0)).toThrow(RangeError);
  });
});
