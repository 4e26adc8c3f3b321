import type { TtsEngine } from './speech-synthesizer.ts';

/**
 * What the engines are given to read. Codes and numbers are read digit by digit in every language
 * ("3901" → "three nine zero one"), because a listener copies a code down one digit at a time and
 * "three thousand nine hundred and one" is easy to mishear. flite (English only) gets the digits
 * as English words; espeak-ng gets them as separate numerals ("3 9 0 1") and reads each in the
 * voice's language.
 */

/**
 * The most characters an engine is given (about four minutes of speech, longer than any call
 * should last); beyond that the text is cut at a word boundary.
 */
export const MAX_SPOKEN_CHARS = 4000;

const ENGLISH_DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** `text` as `engine` should read it: digits one by one, control characters gone, whitespace collapsed, length capped. */
export function normaliseForSpeech(text: string, engine: TtsEngine): string {
  // NFKC turns full-width and other compatibility digits into 0–9, and ligatures into letters.
  let out = text.normalize('NFKC').replace(/[\p{Cc}\p{Cf}]/gu, ' ');
  out = out.replace(/[0-9]+/g, (digits) => {
    const spoken = [...digits].map((d) => (engine === 'flite' ? ENGLISH_DIGITS[Number(d)]! : d));
    return ` ${spoken.join(' ')} `;
  });
  // Padding the digits may have put a space before punctuation ("is 3901." → "is three … one .").
  out = out.replace(/\s+/g, ' ').replace(/ ([.,;:!?])/g, '$1').trim();
  if (out.length > MAX_SPOKEN_CHARS) {
    const cut = out.lastIndexOf(' ', MAX_SPOKEN_CHARS);
    out = out.slice(0, cut > MAX_SPOKEN_CHARS / 2 ? cut : MAX_SPOKEN_CHARS);
  }
  return out;
}
