import { describe, it, expect } from 'vitest';
import { GSM7_BASIC, GSM7_ESC, GSM7_EXTENSION, gsmSeptets } from '../../src/lib/gsm7.ts';
import { analyzeSms } from '../../src/lib/sms-encoding.ts';
import { decodeGsm7, encodeGsm7 } from '../../src/providers/sms/smpp-gsm.ts';
import { segmentSms, encodeUtf16be } from '../../src/providers/sms/smpp-segments.ts';

const hex = (b: Buffer | null) => b?.toString('hex') ?? null;

describe('encodeGsm7', () => {
  it('maps ASCII letters, digits and punctuation to the same codes', () => {
    expect(hex(encodeGsm7('Hello 123, ok?'))).toBe(Buffer.from('Hello 123, ok?', 'ascii').toString('hex'));
  });

  it('maps the characters whose GSM code differs from ASCII', () => {
    // @ 00, £ 01, $ 02, _ 11, ¡ 40, § 5F, à 7F, LF 0A, CR 0D, Δ 10, ¤ 24
    expect(hex(encodeGsm7('@£$_¡§à\n\rΔ¤'))).toBe('00010211405f7f0a0d1024');
  });

  it('sends extension characters as ESC + code', () => {
    expect(hex(encodeGsm7('{}[]~\\^|€\f'))).toBe('1b281b291b3c1b3e1b3d1b2f1b141b401b651b0a');
  });

  it('returns null for characters outside the alphabet', () => {
    expect(encodeGsm7('ç')).toBeNull();
    expect(encodeGsm7('Ж')).toBeNull();
    expect(encodeGsm7('a😀')).toBeNull();
    expect(encodeGsm7('\x1b')).toBeNull();
    expect(encodeGsm7('`')).toBeNull();
  });

  it('encodes the empty string to no bytes', () => {
    expect(encodeGsm7('')!.length).toBe(0);
  });

  it('encodes every character of the lib tables to its septet', () => {
    for (let septet = 0; septet < GSM7_BASIC.length; septet++) {
      if (septet === GSM7_ESC) continue;
      expect(hex(encodeGsm7(GSM7_BASIC[septet]!))).toBe(septet.toString(16).padStart(2, '0'));
    }
    for (const [char, code] of GSM7_EXTENSION) {
      expect(hex(encodeGsm7(char))).toBe('1b' + code.toString(16).padStart(2, '0'));
    }
  });

  it('costs what analyzeSms counts, character by character', () => {
    const alphabet = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà{}[]~\\^|€\f';
    for (const ch of alphabet) {
      const analysis = analyzeSms(ch);
      expect(analysis.encoding).toBe('GSM-7');
      expect(gsmSeptets(ch.charCodeAt(0))).toBe(analysis.units);
      expect(encodeGsm7(ch)!.length).toBe(analysis.units);
    }
  });
});

describe('decodeGsm7', () => {
  it('round-trips every character of the alphabet', () => {
    const text = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà{}[]~\\^|€\f';
    expect(decodeGsm7(encodeGsm7(text)!)).toBe(text);
  });

  it('falls back to the basic character after an escape the extension table lacks', () => {
    expect(decodeGsm7(Buffer.from([0x1b, 0x41]))).toBe('A');
  });

  it('reads a trailing escape as a space', () => {
    expect(decodeGsm7(Buffer.from([0x41, 0x1b]))).toBe('A ');
  });
});

describe('segmentSms', () => {
  it('sends a single-part message without UDH', () => {
    const r = segmentSms('a'.repeat(160), 'GSM-7', 7);
    if (!r.ok) throw new Error(r.error);
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0]).toEqual({ dataCoding: 0, esmClass: 0, shortMessage: Buffer.from('a'.repeat(160)) });
  });

  it('splits 161 septets into 153 + 8 with the concatenation UDH', () => {
    const r = segmentSms('a'.repeat(161), 'GSM-7', 0x2a);
    if (!r.ok) throw new Error(r.error);
    expect(r.segments.map((s) => s.shortMessage.subarray(0, 6).toString('hex'))).toEqual(['0500032a0201', '0500032a0202']);
    expect(r.segments.map((s) => s.shortMessage.length - 6)).toEqual([153, 8]);
    expect(r.segments.every((s) => s.esmClass === 0x40 && s.dataCoding === 0)).toBe(true);
  });

  it('never splits an escape pair across parts', () => {
    // 152 septets, then "€" (2 septets) would need septets 153 and 154: it moves to part 2.
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(20);
    const r = segmentSms(text, 'GSM-7', 1);
    if (!r.ok) throw new Error(r.error);
    expect(r.segments).toHaveLength(2);
    const first = r.segments[0]!.shortMessage.subarray(6);
    expect(first.length).toBe(152);
    expect(first[first.length - 1]).not.toBe(0x1b);
    expect(r.segments[1]!.shortMessage.subarray(6, 8).toString('hex')).toBe('1b65');
  });

  it('never splits a surrogate pair across UCS-2 parts', () => {
    const text = 'Ж'.repeat(66) + '😀' + 'Ж'.repeat(10);
    const r = segmentSms(text, 'UCS-2', 1);
    if (!r.ok) throw new Error(r.error);
    expect(r.segments).toHaveLength(2);
    expect(r.segments[0]!.shortMessage.length - 6).toBe(66 * 2);
    expect(r.segments[1]!.shortMessage.subarray(6, 10).toString('hex')).toBe('d83dde00');
  });

  it('encodes UCS-2 as UTF-16BE with data_coding 8', () => {
    const r = segmentSms('Привет 😀', 'UCS-2', 1);
    if (!r.ok) throw new Error(r.error);
    expect(r.segments).toEqual([{ dataCoding: 8, esmClass: 0, shortMessage: Buffer.from('041f044004380432043504420020d83dde00', 'hex') }]);
  });

  it('refuses GSM-7 for text outside the alphabet', () => {
    expect(segmentSms('ça va', 'GSM-7', 1)).toMatchObject({ ok: false, code: 'ENCODING' });
  });

  it('refuses a text that would need more than 255 parts', () => {
    expect(segmentSms('a'.repeat(153 * 256), 'GSM-7', 1)).toMatchObject({ ok: false, code: 'TOO_LONG' });
    expect(segmentSms('a'.repeat(153 * 255), 'GSM-7', 1).ok).toBe(true);
  });

  it('produces as many parts as analyzeSms counts segments, and loses nothing', () => {
    // A deterministic mix of basic, extension, non-GSM BMP and astral characters.
    // Lone surrogate halves too: side by side they make a pair, which must not be cut either.
    const pool = ['a', 'Z', ' ', '€', '{', 'é', 'Ж', '😀', '\n', '|', '中', '\uD83D', '\uDE00'];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const gsmOnly = round % 2 === 0;
      const chars = gsmOnly ? pool.filter((c) => encodeGsm7(c)) : pool;
      const length = next() % 500;
      let text = '';
      for (let i = 0; i < length; i++) text += chars[next() % chars.length];
      const analysis = analyzeSms(text);
      const r = segmentSms(text, analysis.encoding, round);
      if (!r.ok) throw new Error(r.error);
      expect(r.segments).toHaveLength(analysis.segments);
      const body = Buffer.concat(r.segments.map((s) => (s.esmClass & 0x40 ? s.shortMessage.subarray(6) : s.shortMessage)));
      // What was priced as units is what goes out: one octet a septet, two a UCS-2 unit.
      expect(body.length).toBe(analysis.encoding === 'GSM-7' ? analysis.units : 2 * analysis.units);
      if (analysis.encoding === 'GSM-7') {
        expect(decodeGsm7(body)).toBe(text);
        for (const s of r.segments) {
          expect(s.shortMessage.length).toBeLessThanOrEqual(s.esmClass ? 6 + 153 : 160);
          // An escape pair cut in two would leave ESC last in a part.
          expect(s.shortMessage[s.shortMessage.length - 1]).not.toBe(0x1b);
        }
      } else {
        expect(body.equals(encodeUtf16be(text))).toBe(true);
        for (const s of r.segments) expect(s.shortMessage.length).toBeLessThanOrEqual(140);
        // No part ends on a high surrogate whose low half opens the next one.
        for (let k = 0; k + 1 < r.segments.length; k++) {
          const end = r.segments[k]!.shortMessage;
          const high = end.readUInt16BE(end.length - 2);
          const low = r.segments[k + 1]!.shortMessage.readUInt16BE(6);
          expect(high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff).toBe(false);
        }
      }
    }
  });
});
