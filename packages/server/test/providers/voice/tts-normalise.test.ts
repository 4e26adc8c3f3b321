import { describe, expect, it } from 'vitest';
import { MAX_SPOKEN_CHARS, normaliseForSpeech } from '../../../src/providers/voice/tts/normalise.ts';
import { bcp47Case, DEFAULT_ENGLISH_VOICE, INSTALLED_VOICES, resolveVoice } from '../../../src/providers/voice/tts/voice-table.ts';

describe('normaliseForSpeech', () => {
  it('spells digits one by one as English words for flite', () => {
    expect(normaliseForSpeech('Your code is 3901.', 'flite')).toBe('Your code is three nine zero one.');
    expect(normaliseForSpeech('Room 12, floor 0', 'flite')).toBe('Room one two, floor zero');
    expect(normaliseForSpeech('A1B2', 'flite')).toBe('A one B two');
  });

  it('separates digits for espeak-ng, which reads each in the voice’s language', () => {
    expect(normaliseForSpeech('Ihr Code ist 3901.', 'espeak-ng')).toBe('Ihr Code ist 3 9 0 1.');
    expect(normaliseForSpeech('Code: 007', 'espeak-ng')).toBe('Code: 0 0 7');
  });

  it('turns compatibility digits into digits, drops control characters and collapses whitespace', () => {
    expect(normaliseForSpeech('  code\t\n３９\u0000 \u200b end  ', 'flite')).toBe('code three nine end');
    expect(normaliseForSpeech('  \n ', 'espeak-ng')).toBe('');
  });

  it('keeps other text as it is', () => {
    expect(normaliseForSpeech('Grüße aus Köln! Ça va?', 'espeak-ng')).toBe('Grüße aus Köln! Ça va?');
  });

  it(`cuts what it hands an engine at a word boundary before ${MAX_SPOKEN_CHARS} characters`, () => {
    const long = 'word '.repeat(2000);
    const out = normaliseForSpeech(long, 'flite');
    expect(out.length).toBeLessThanOrEqual(MAX_SPOKEN_CHARS);
    expect(out.length).toBeGreaterThan(MAX_SPOKEN_CHARS - 10);
    expect(out.endsWith('word')).toBe(true);
    expect(normaliseForSpeech('x'.repeat(5000), 'flite').length).toBe(MAX_SPOKEN_CHARS);
  });
});

describe('voice table', () => {
  it('writes espeak-ng’s tags in BCP 47 case', () => {
    expect(bcp47Case('en-gb-x-rp')).toBe('en-GB-x-rp');
    expect(bcp47Case('cmn-latn-pinyin')).toBe('cmn-Latn-pinyin');
    expect(bcp47Case('es-419')).toBe('es-419');
    expect(bcp47Case('pt-br')).toBe('pt-BR');
  });

  it('has unique ids, and a rate and languages for every voice', () => {
    const ids = INSTALLED_VOICES.map((v) => v.id.toLowerCase());
    expect(new Set(ids).size).toBe(ids.length);
    for (const v of INSTALLED_VOICES) {
      expect(v.languages.length, v.id).toBeGreaterThan(0);
      expect([8000, 16000, 22050], v.id).toContain(v.sampleRate);
    }
  });

  const pick = (language: string | null, voice: string | null = null) => {
    const r = resolveVoice(language, voice);
    return 'voice' in r ? r.voice.id : r.failure;
  };

  it('speaks English with the default flite voice, other languages with espeak-ng', () => {
    expect(pick(null)).toBe(DEFAULT_ENGLISH_VOICE);
    expect(pick('en')).toBe(DEFAULT_ENGLISH_VOICE);
    expect(pick('en-US')).toBe(DEFAULT_ENGLISH_VOICE);
    expect(pick('EN_us')).toBe(DEFAULT_ENGLISH_VOICE);
    expect(pick('en-GB')).toBe('awb');
    expect(pick('de')).toBe('gmw/de');
    expect(pick('de-AT')).toBe('gmw/de'); // by its primary language
    expect(pick('fr')).toBe('roa/fr');
    expect(pick('pt-BR')).toBe('roa/pt-BR');
    expect(pick('zh')).toBe('sit/cmn');
  });

  it('takes a named voice, in any case, when it speaks the language asked for', () => {
    expect(pick(null, 'slt')).toBe('slt');
    expect(pick('en', 'GMW/EN-US')).toBe('gmw/en-US');
    expect(pick('de-CH', 'gmw/de')).toBe('gmw/de');
  });

  it('refuses unknown languages and voices, and a voice that does not speak the language', () => {
    expect(pick('xx')).toEqual({ field: 'language', message: expect.stringMatching(/no voice speaks "xx"/) });
    expect(pick('12')).toEqual({ field: 'language', message: expect.stringMatching(/BCP 47/) });
    expect(pick(null, 'nobody')).toEqual({ field: 'voice', message: expect.stringMatching(/voice "nobody" is not installed/) });
    expect(pick('de', 'slt')).toEqual({ field: 'voice', message: 'voice "slt" does not speak "de" (it speaks en, en-US)' });
    expect(pick(null, 'awb_time')).toEqual({ field: 'voice', message: expect.stringMatching(/not installed/) });
  });
});
