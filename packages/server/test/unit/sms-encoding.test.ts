import { describe, it, expect } from 'vitest';
import { GSM7_BASIC, GSM7_BASIC_SEPTET, GSM7_ESC, GSM7_EXTENSION, GSM7_EXTENSION_CHAR, GSM7_EXTENSION_SEPTET, gsmSeptets } from '../../src/lib/gsm7.ts';
import { analyzeSms, SMS_LIMITS, walkSmsParts, type SmsAnalysis, type SmsEncoding } from '../../src/lib/sms-encoding.ts';

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

    it.each([
      ['U+10000 (D800 DC00)', '\u{10000}'],
      ['U+1F7FF (D83D DFFF)', '\u{1F7FF}'],
      ['U+10FFFF (DBFF DFFF)', '\u{10FFFF}'],
    ])('keeps %s, at the edges of the surrogate ranges, whole at the boundary', (_, ch) => {
      expect(analyzeSms(zhe(66) + ch + zhe(66))).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    });

    it('never splits a surrogate pair across the 67-unit boundary', () => {
      // Same 134 units, but the emoji would occupy units 67–68: part 1 holds 66 'Ж', part 2 holds
      // emoji + 65 'Ж' = 67, and the last 'Ж' needs part 3. A naive ceil(134 / 67) would say 2.
      expect(analyzeSms(zhe(66) + EMOJI + zhe(66))).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    });
  });
});

// Written out here, not read from lib, so that a slip in the lib tables shows up as a difference.
const BASIC_TEXT =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION_TEXT = '\f^{}\\[~]|€';

describe('lib/gsm7 tables', () => {
  it('holds the 127 basic characters in septet order around the escape, and the 10 extensions', () => {
    expect(GSM7_BASIC).toHaveLength(128);
    expect(GSM7_BASIC.slice(0, GSM7_ESC) + GSM7_BASIC.slice(GSM7_ESC + 1)).toBe(BASIC_TEXT);
    expect(GSM7_EXTENSION.map(([c]) => c).join('')).toBe(EXTENSION_TEXT);
    expect(GSM7_BASIC.indexOf('A')).toBe(0x41);
    expect(GSM7_BASIC.indexOf('à')).toBe(0x7f);
  });

  it('agrees with itself: cost, encode and decode tables describe the same alphabet', () => {
    // Collected, then asserted once: 65,536 expect() calls would take seconds.
    const wrong: number[] = [];
    let basics = 0;
    let extensions = 0;
    for (let unit = 0; unit < 0x10000; unit++) {
      const basic = GSM7_BASIC_SEPTET[unit]!;
      const ext = GSM7_EXTENSION_SEPTET[unit]!;
      if (basic) basics++;
      if (ext) extensions++;
      const ok =
        !(basic && ext) &&
        gsmSeptets(unit) === (basic ? 1 : ext ? 2 : 0) &&
        (!basic || GSM7_BASIC.charCodeAt(basic - 1) === unit) &&
        (!ext || GSM7_EXTENSION_CHAR[ext - 1]?.charCodeAt(0) === unit);
      if (!ok) wrong.push(unit);
    }
    expect(wrong).toEqual([]);
    expect([basics, extensions]).toEqual([127, 10]);
    expect(gsmSeptets(0x1b)).toBe(0);
    expect(gsmSeptets(0xffff)).toBe(0);
    expect(gsmSeptets(0x1f600)).toBe(0);
  });
});

describe('SMS_LIMITS', () => {
  it('leaves room for the 6-octet concatenation UDH in each part', () => {
    // 140 octets: 160 septets or 70 UCS-2 units alone; the UDH takes 7 septets or 3 units.
    expect(SMS_LIMITS).toEqual({ 'GSM-7': { single: 160, part: 153 }, 'UCS-2': { single: 70, part: 67 } });
  });
});

describe('walkSmsParts', () => {
  const walk = (text: string, encoding: SmsEncoding) => {
    const into = { units: 0, segments: 0 };
    const cuts: number[] = [];
    return walkSmsParts(text, encoding, into, cuts) ? { ...into, cuts } : null;
  };

  it('reports no cut when the text fits one SMS, though it is longer than a part', () => {
    expect(walk(a(160), 'GSM-7')).toEqual({ units: 160, segments: 1, cuts: [] });
    expect(walk(zhe(70), 'UCS-2')).toEqual({ units: 70, segments: 1, cuts: [] });
  });

  it('cuts before an escape pair that would straddle, and where the next part begins', () => {
    // 152 'a' | € + 151 'a' | 'a': the second part starts at the €, the third at index 304.
    expect(walk(a(152) + '€' + a(152), 'GSM-7')).toEqual({ units: 306, segments: 3, cuts: [152, 304] });
  });

  it('cuts before a surrogate pair that would straddle', () => {
    expect(walk(zhe(66) + EMOJI + zhe(66), 'UCS-2')).toEqual({ units: 134, segments: 3, cuts: [66, 133] });
  });

  it('refuses GSM-7 for text outside the alphabet, and takes any text as UCS-2', () => {
    expect(walk('ça', 'GSM-7')).toBeNull();
    expect(walk('a' + EMOJI, 'GSM-7')).toBeNull();
    expect(walk('ça', 'UCS-2')).toEqual({ units: 2, segments: 1, cuts: [] });
  });
});

// A slow, plainly written model of the rules (code points, arrays), independent of the walk that
// pricing and sending now share: where both could be wrong the same way, this one still differs.
function reference(text: string): SmsAnalysis & { cuts: number[] } {
  const chars = Array.from(text); // a pair is one element of length 2; a lone surrogate, length 1
  const gsmCost = (c: string) => (c.length !== 1 ? 0 : BASIC_TEXT.includes(c) ? 1 : EXTENSION_TEXT.includes(c) ? 2 : 0);
  const encoding: SmsEncoding = chars.every((c) => gsmCost(c) > 0) ? 'GSM-7' : 'UCS-2';
  const widths = chars.map((c) => (encoding === 'GSM-7' ? gsmCost(c) : c.length));
  const units = widths.reduce((x, y) => x + y, 0);
  const { single, part } = encoding === 'GSM-7' ? { single: 160, part: 153 } : { single: 70, part: 67 };
  if (units <= single) return { encoding, units, segments: 1, cuts: [] };
  const cuts: number[] = [];
  let fill = 0;
  let offset = 0;
  widths.forEach((w, k) => {
    if (fill + w > part) {
      cuts.push(offset);
      fill = 0;
    }
    fill += w;
    offset += chars[k]!.length;
  });
  return { encoding, units, segments: cuts.length + 1, cuts };
}

describe('analyzeSms against a reference model', () => {
  it('agrees on random texts near the part boundaries', () => {
    // U+10000, U+1F7FF and U+10FFFF put D800, DFFF and DBFF at the edges of the surrogate ranges.
    const pool = ['a', '€', '{', 'é', 'Ç', 'ç', 'Ж', EMOJI, '\u{10000}', '\u{1F7FF}', '\u{10FFFF}', '\uD83D', '\uDE00', '\x1b', '\n', '\uFFFF'];
    let seed = 4242;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 1500; round++) {
      // Mostly one filler with a few others sprinkled in, so boundaries are hit often.
      const filler = round % 3 === 0 ? 'Ж' : 'a';
      const length = 60 + (next() % 300);
      let text = '';
      for (let i = 0; i < length; i++) text += next() % 8 === 0 ? pool[next() % pool.length] : filler;
      const expected = reference(text);
      const { cuts, ...analysis } = expected;
      expect(analyzeSms(text)).toEqual(analysis);
      const into = { units: 0, segments: 0 };
      const got: number[] = [];
      expect(walkSmsParts(text, expected.encoding, into, got)).toBe(true);
      expect(got).toEqual(cuts);
    }
  });
});
