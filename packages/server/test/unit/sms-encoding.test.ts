import { describe, it, expect } from 'vitest';
import { analyzeSms } from '../../src/lib/sms-encoding.ts';

const a = (n: number): string => 'a'.repeat(n);
const zhe = (n: number): string => 'Ж'.repeat(n); // Cyrillic: forces UCS-2, one unit each
const EMOJI = '😀'; // U+1F600, outside the BMP: a surrogate pair

describe('analyzeSms', () => {
  it('treats the empty string as one empty GSM-7 segment', () => {
    expect(analyzeSms('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
  });

  describe('GSM-7 plain ASCII', () => {
    it('fits 160 septets in one segment', () => {
      expect(analyzeSms(a(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    });

    it('splits 161 septets into two segments', () => {
      expect(analyzeSms(a(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    });

    it('fits 306 septets in two concatenated parts (2 × 153)', () => {
      expect(analyzeSms(a(306))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
    });

    it('needs a third part at 307 septets', () => {
      expect(analyzeSms(a(307))).toEqual({ encoding: 'GSM-7', segments: 3, units: 307 });
    });

    it('counts line feed and carriage return as basic characters', () => {
      expect(analyzeSms('a\nb\r')).toEqual({ encoding: 'GSM-7', segments: 1, units: 4 });
    });
  });

  describe('GSM-7 basic set beyond ASCII', () => {
    it.each(['é', 'ñ', 'Ä', '£', '¥', 'Δ', 'Ω', 'Ç', 'ß', '¿', '¤', 'à', 'Ø', 'Æ'])(
      '%s stays GSM-7 at one septet',
      (ch) => {
        expect(analyzeSms(ch)).toEqual({ encoding: 'GSM-7', segments: 1, units: 1 });
      },
    );

    it('keeps 160 non-ASCII basic characters in one segment', () => {
      expect(analyzeSms('é'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    });
  });

  describe('GSM-7 extension table', () => {
    it.each(['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f'])(
      '%j costs two septets',
      (ch) => {
        expect(analyzeSms(ch)).toEqual({ encoding: 'GSM-7', segments: 1, units: 2 });
      },
    );

    it('adds extension septets to basic ones', () => {
      // a(1) + {(2) + b(1) + }(2)
      expect(analyzeSms('a{b}')).toEqual({ encoding: 'GSM-7', segments: 1, units: 6 });
    });

    it('fits 158 ASCII + one € exactly at 160 septets', () => {
      expect(analyzeSms(a(158) + '€')).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    });

    it('goes to two parts at 159 ASCII + one € (161 septets)', () => {
      expect(analyzeSms(a(159) + '€')).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    });

    it('packs 153 ASCII, then € + 151 ASCII, into exactly two parts', () => {
      // 153 | 2 + 151 = 153: no straddle, 306 septets in 2 parts.
      expect(analyzeSms(a(153) + '€' + a(151))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
    });

    it('moves an extension char that would straddle the 153 boundary to the next part', () => {
      // Same 306 septets, but the € would occupy septets 153–154: part 1 holds 152 'a' (one septet
      // left empty), part 2 holds € + 151 'a' = 153, and the last 'a' needs part 3.
      // A naive ceil(306 / 153) would say 2.
      expect(analyzeSms(a(152) + '€' + a(152))).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
    });
  });

  describe('characters that force UCS-2', () => {
    it.each([
      ['â', 1],
      ['ç', 1], // only the capital Ç is in GSM 03.38
      ['α', 1], // Greek lowercase is not; only some capitals are
      ['`', 1],
      ['Привет', 6],
      ['你好', 2],
    ])('%s is UCS-2 with %i units', (text, units) => {
      expect(analyzeSms(text)).toEqual({ encoding: 'UCS-2', segments: 1, units });
    });

    it('switches the whole message to UCS-2 for one foreign character', () => {
      // 100 'a' + 'â' = 101 units > 70 → parts of 67: 67 + 34.
      expect(analyzeSms(a(100) + 'â')).toEqual({ encoding: 'UCS-2', segments: 2, units: 101 });
    });

    it('counts extension characters as one unit once in UCS-2', () => {
      expect(analyzeSms('€Ж{')).toEqual({ encoding: 'UCS-2', segments: 1, units: 3 });
    });
  });

  describe('UCS-2 segment limits', () => {
    it('fits 70 units in one segment', () => {
      expect(analyzeSms(zhe(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    });

    it('splits 71 units into two segments', () => {
      expect(analyzeSms(zhe(71))).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
    });

    it('fits 134 units in two parts (2 × 67)', () => {
      expect(analyzeSms(zhe(134))).toEqual({ encoding: 'UCS-2', segments: 2, units: 134 });
    });

    it('needs a third part at 135 units', () => {
      expect(analyzeSms(zhe(135))).toEqual({ encoding: 'UCS-2', segments: 3, units: 135 });
    });
  });

  describe('surrogate pairs', () => {
    it('counts an emoji as two UTF-16 units', () => {
      expect(analyzeSms(EMOJI)).toEqual({ encoding: 'UCS-2', segments: 1, units: 2 });
    });

    it('forces UCS-2 on otherwise GSM text', () => {
      // 'hello ' = 6 units + emoji 2
      expect(analyzeSms('hello ' + EMOJI)).toEqual({ encoding: 'UCS-2', segments: 1, units: 8 });
    });

    it('fits 35 emoji (70 units) in one segment', () => {
      expect(analyzeSms(EMOJI.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    });

    it('packs 36 emoji as 33 + 3 because 67 is odd', () => {
      // 72 units; a part holds 33 emoji = 66 units, the 34th would need units 67–68.
      expect(analyzeSms(EMOJI.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2, units: 72 });
    });

    it('packs 67 units, then emoji + 65 units, into exactly two parts', () => {
      // 67 | 2 + 65 = 67: no straddle, 134 units in 2 parts.
      expect(analyzeSms(zhe(67) + EMOJI + zhe(65))).toEqual({ encoding: 'UCS-2', segments: 2, units: 134 });
    });

    it('never splits a surrogate pair across the 67-unit boundary', () => {
      // Same 134 units, but the emoji would occupy units 67–68: part 1 holds 66 'Ж', part 2 holds
      // emoji + 65 'Ж' = 67, and the last 'Ж' needs part 3. A naive ceil(134 / 67) would say 2.
      expect(analyzeSms(zhe(66) + EMOJI + zhe(66))).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    });
  });
});
