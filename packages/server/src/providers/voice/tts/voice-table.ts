import type { SpeechCheckFailure, VoiceInfo } from './speech-synthesizer.ts';

/**
 * The voices installed with the two engines, as static tables: flite's are compiled into
 * flite.wasm (`flite -lv`), espeak-ng's are the `list_voices()` of @echogarden/espeak-ng-emscripten
 * 0.3.5 (the dependency is pinned; test/providers/voice/tts.test.ts compares this table with what
 * the engines report, so an upgrade that changes them fails there). Static, so that validating a
 * request on the accept path needs no engine loaded.
 */

/**
 * The English voice used when a request names none: rms, flite's US English male clustergen
 * voice. Of flite's voices it was recognised best by pocketsphinx after the trip to 8 kHz: 69 of
 * 70 random 4–6 digit codes exact, against kal16 67, kal 66, awb 64 and slt 38 (the same codes,
 * "Your code is …", through normalise.ts, the voice, resample.ts and test/support/speech.ts).
 * kal is as clear to a person and four times faster; its diphone joins cost it a few inserted digits.
 */
export const DEFAULT_ENGLISH_VOICE = 'rms';

/** flite's usable voices (awb_time, a limited-domain clock voice, is left out: it cannot say arbitrary text). */
const FLITE: VoiceInfo[] = [
  { id: 'kal', name: 'US English male (kal, 8 kHz diphone)', engine: 'flite', languages: ['en', 'en-US'], gender: 'male', sampleRate: 8000 },
  { id: 'kal16', name: 'US English male (kal16, 16 kHz diphone)', engine: 'flite', languages: ['en', 'en-US'], gender: 'male', sampleRate: 16000 },
  { id: 'slt', name: 'US English female (slt)', engine: 'flite', languages: ['en', 'en-US'], gender: 'female', sampleRate: 16000 },
  { id: 'rms', name: 'US English male (rms)', engine: 'flite', languages: ['en', 'en-US'], gender: 'male', sampleRate: 16000 },
  { id: 'awb', name: 'Scottish English male (awb)', engine: 'flite', languages: ['en', 'en-GB', 'en-GB-scotland'], gender: 'male', sampleRate: 16000 },
];

/** espeak-ng's output rate. */
const ESPEAK_RATE = 22050;

/** identifier, name, "language:priority …" (espeak-ng's priority: lower is a better match). */
const ESPEAK_ROWS: [string, string, string][] = [
  ['gmw/af', 'Afrikaans', 'af:5'],
  ['sem/am', 'Amharic', 'am:5'],
  ['roa/an', 'Aragonese', 'an:5'],
  ['sem/ar', 'Arabic', 'ar:5'],
  ['inc/as', 'Assamese', 'as:5'],
  ['trk/az', 'Azerbaijani', 'az:5'],
  ['trk/ba', 'Bashkir', 'ba:5'],
  ['zle/be', 'Belarusian', 'be:5'],
  ['zls/bg', 'Bulgarian', 'bg:5'],
  ['inc/bn', 'Bengali', 'bn:5'],
  ['inc/bpy', 'Bishnupriya Manipuri', 'bpy:5'],
  ['zls/bs', 'Bosnian', 'bs:5'],
  ['roa/ca', 'Catalan', 'ca:5'],
  ['roa/ca-ba', 'Catalan (Balearic)', 'ca-ba:5'],
  ['roa/ca-nw', 'Catalan (North-western)', 'ca-nw:5'],
  ['roa/ca-va', 'Catalan (Valencian)', 'ca-va:5'],
  ['iro/chr', 'Cherokee', 'chr-US-Qaaa-x-west:5'],
  ['sit/cmn', 'Chinese (Mandarin, latin as English)', 'cmn:5 zh-cmn:5 zh:5'],
  ['sit/cmn-Latn-pinyin', 'Chinese (Mandarin, latin as Pinyin)', 'cmn-latn-pinyin:5 zh-cmn:5 zh:5'],
  ['zlw/cs', 'Czech', 'cs:5'],
  ['trk/cv', 'Chuvash', 'cv:5'],
  ['cel/cy', 'Welsh', 'cy:5'],
  ['gmq/da', 'Danish', 'da:5'],
  ['gmw/de', 'German', 'de:5'],
  ['grk/el', 'Greek', 'el:5'],
  ['gmw/en-029', 'English (Caribbean)', 'en-029:5 en:10'],
  ['gmw/en', 'English (Great Britain)', 'en-gb:2 en:2'],
  ['gmw/en-GB-scotland', 'English (Scotland)', 'en-gb-scotland:5 en:4'],
  ['gmw/en-GB-x-gbclan', 'English (Lancaster)', 'en-gb-x-gbclan:5 en-gb:3 en:5'],
  ['gmw/en-GB-x-gbcwmd', 'English (West Midlands)', 'en-gb-x-gbcwmd:5 en-gb:9 en:9'],
  ['gmw/en-GB-x-rp', 'English (Received Pronunciation)', 'en-gb-x-rp:5 en-gb:4 en:5'],
  ['gmw/en-US', 'English (America)', 'en-us:2 en:3'],
  ['gmw/en-US-nyc', 'English (America, New York City)', 'en-us-nyc:5'],
  ['art/eo', 'Esperanto', 'eo:5'],
  ['roa/es', 'Spanish (Spain)', 'es:5'],
  ['roa/es-419', 'Spanish (Latin America)', 'es-419:5 es-mx:6'],
  ['urj/et', 'Estonian', 'et:5'],
  ['eu', 'Basque', 'eu:5'],
  ['ira/fa', 'Persian', 'fa:5'],
  ['ira/fa-Latn', 'Persian (Pinglish)', 'fa-latn:5'],
  ['urj/fi', 'Finnish', 'fi:5'],
  ['gmq/fo', 'Faroese', 'fo:5'],
  ['roa/fr-BE', 'French (Belgium)', 'fr-be:5 fr:8'],
  ['roa/fr-CH', 'French (Switzerland)', 'fr-ch:5 fr:8'],
  ['roa/fr', 'French (France)', 'fr-fr:5 fr:5'],
  ['cel/ga', 'Gaelic (Irish)', 'ga:5'],
  ['cel/gd', 'Gaelic (Scottish)', 'gd:5'],
  ['sai/gn', 'Guarani', 'gn:5'],
  ['grk/grc', 'Greek (Ancient)', 'grc:5'],
  ['inc/gu', 'Gujarati', 'gu:5'],
  ['sit/hak', 'Hakka Chinese', 'hak:5'],
  ['map/haw', 'Hawaiian', 'haw:5'],
  ['sem/he', 'Hebrew', 'he:5'],
  ['inc/hi', 'Hindi', 'hi:5'],
  ['zls/hr', 'Croatian', 'hr:5 hbs:5'],
  ['roa/ht', 'Haitian Creole', 'ht:5'],
  ['urj/hu', 'Hungarian', 'hu:5'],
  ['ine/hy', 'Armenian (East Armenia)', 'hy:5 hy-arevela:5'],
  ['ine/hyw', 'Armenian (West Armenia)', 'hyw:5 hy-arevmda:5 hy:8'],
  ['art/ia', 'Interlingua', 'ia:5'],
  ['poz/id', 'Indonesian', 'id:5'],
  ['art/io', 'Ido', 'io:5'],
  ['gmq/is', 'Icelandic', 'is:5'],
  ['roa/it', 'Italian', 'it:5'],
  ['jpx/ja', 'Japanese', 'ja:5'],
  ['art/jbo', 'Lojban', 'jbo:5'],
  ['ccs/ka', 'Georgian', 'ka:5'],
  ['trk/kaa', 'Karakalpak', 'kaa:5'],
  ['trk/kk', 'Kazakh', 'kk:5'],
  ['esx/kl', 'Greenlandic', 'kl:5'],
  ['dra/kn', 'Kannada', 'kn:5'],
  ['ko', 'Korean', 'ko:5'],
  ['inc/kok', 'Konkani', 'kok:5'],
  ['ira/ku', 'Kurdish', 'ku:5'],
  ['trk/ky', 'Kyrgyz', 'ky:5'],
  ['itc/la', 'Latin', 'la:5'],
  ['gmw/lb', 'Luxembourgish', 'lb:5'],
  ['art/lfn', 'Lingua Franca Nova', 'lfn:5'],
  ['bat/lt', 'Lithuanian', 'lt:5'],
  ['bat/ltg', 'Latgalian', 'ltg:5'],
  ['bat/lv', 'Latvian', 'lv:5'],
  ['poz/mi', 'Māori', 'mi:5'],
  ['zls/mk', 'Macedonian', 'mk:5'],
  ['dra/ml', 'Malayalam', 'ml:5'],
  ['inc/mr', 'Marathi', 'mr:5'],
  ['poz/ms', 'Malay', 'ms:5'],
  ['sem/mt', 'Maltese', 'mt:5'],
  ['miz/mto', 'Totontepec Mixe', 'mto:5'],
  ['sit/my', 'Myanmar (Burmese)', 'my:5'],
  ['gmq/nb', 'Norwegian Bokmål', 'nb:5 no:5'],
  ['azc/nci', 'Nahuatl (Classical)', 'nci:5'],
  ['inc/ne', 'Nepali', 'ne:5'],
  ['gmw/nl', 'Dutch', 'nl:5'],
  ['trk/nog', 'Nogai', 'nog:5'],
  ['cus/om', 'Oromo', 'om:5'],
  ['inc/or', 'Oriya', 'or:5'],
  ['inc/pa', 'Punjabi', 'pa:5'],
  ['roa/pap', 'Papiamento', 'pap:5'],
  ['art/piqd', 'Klingon', 'piqd:5'],
  ['zlw/pl', 'Polish', 'pl:5'],
  ['roa/pt', 'Portuguese (Portugal)', 'pt:5 pt-pt:5'],
  ['roa/pt-BR', 'Portuguese (Brazil)', 'pt-br:5 pt:6'],
  ['art/py', 'Pyash', 'py:5'],
  ['art/qdb', 'Lang Belta', 'qdb:5'],
  ['qu', 'Quechua', 'qu:5'],
  ['myn/quc', "K'iche'", 'quc:5'],
  ['art/qya', 'Quenya', 'qya:5'],
  ['roa/ro', 'Romanian', 'ro:5'],
  ['zle/ru', 'Russian', 'ru:5'],
  ['zle/ru-cl', 'Russian (Classic)', 'ru-cl:5'],
  ['zle/ru-LV', 'Russian (Latvia)', 'ru-lv:2'],
  ['inc/sd', 'Sindhi', 'sd:5'],
  ['tai/shn', 'Shan (Tai Yai)', 'shn:5'],
  ['inc/si', 'Sinhala', 'si:5'],
  ['art/sjn', 'Sindarin', 'sjn:5'],
  ['zlw/sk', 'Slovak', 'sk:5'],
  ['zls/sl', 'Slovenian', 'sl:5'],
  ['urj/smj', 'Lule Saami', 'smj:5'],
  ['ine/sq', 'Albanian', 'sq:5'],
  ['zls/sr', 'Serbian', 'sr:5'],
  ['gmq/sv', 'Swedish', 'sv:5'],
  ['bnt/sw', 'Swahili', 'sw:5'],
  ['dra/ta', 'Tamil', 'ta:5'],
  ['dra/te', 'Telugu', 'te:5'],
  ['tai/th', 'Thai', 'th:5'],
  ['sem/ti', 'Tigrinya', 'ti:5'],
  ['trk/tk', 'Turkmen', 'tk:5'],
  ['bnt/tn', 'Setswana', 'tn:5'],
  ['trk/tr', 'Turkish', 'tr:5'],
  ['trk/tt', 'Tatar', 'tt:5'],
  ['trk/ug', 'Uyghur', 'ug:5'],
  ['zle/uk', 'Ukrainian', 'uk:5'],
  ['inc/ur', 'Urdu', 'ur:5'],
  ['trk/uz', 'Uzbek', 'uz:5'],
  ['aav/vi', 'Vietnamese (Northern)', 'vi:5'],
  ['aav/vi-VN-x-central', 'Vietnamese (Central)', 'vi-vn-x-central:5'],
  ['aav/vi-VN-x-south', 'Vietnamese (Southern)', 'vi-vn-x-south:5'],
  ['art/xex', 'xextan-test', 'xex:5'],
  ['sit/yue', 'Chinese (Cantonese)', 'yue:5 zh-yue:5 zh:8'],
  ['sit/yue-Latn-jyutping', 'Chinese (Cantonese, latin as Jyutping)', 'yue:5 zh-yue:5 zh:8'],
];

/** espeak-ng's lower-case tags in BCP 47 case ("en-gb-x-rp" → "en-GB-x-rp", "cmn-latn-pinyin" → "cmn-Latn-pinyin"). */
export function bcp47Case(tag: string): string {
  let privateUse = false;
  return tag
    .split('-')
    .map((part, i) => {
      if (i === 0 || privateUse) return part.toLowerCase();
      if (part.toLowerCase() === 'x') {
        privateUse = true;
        return 'x';
      }
      if (/^[a-z]{2}$/i.test(part)) return part.toUpperCase();
      if (/^[a-z]{4}$/i.test(part)) return part[0]!.toUpperCase() + part.slice(1).toLowerCase();
      return part.toLowerCase();
    })
    .join('-');
}

interface Entry {
  info: VoiceInfo;
  /** Lower-case tag → rank (lower is preferred); flite first, then espeak-ng by its priority. */
  ranks: Map<string, number>;
}

const ENTRIES: Entry[] = [
  ...FLITE.map((info, i) => ({ info, ranks: new Map(info.languages.map((l) => [l.toLowerCase(), info.id === DEFAULT_ENGLISH_VOICE ? 0 : 1 + i / 100])) })),
  ...ESPEAK_ROWS.map(([id, name, langs]) => {
    const pairs = langs.split(' ').map((p) => p.split(':') as [string, string]);
    const languages = [...new Set(pairs.map(([tag]) => bcp47Case(tag)))];
    const info: VoiceInfo = { id, name, engine: 'espeak-ng', languages, sampleRate: ESPEAK_RATE };
    return { info, ranks: new Map(pairs.map(([tag, prio]) => [tag.toLowerCase(), 10 + Number(prio)])) };
  }),
];

/** Every installed voice, flite's first. */
export const INSTALLED_VOICES: readonly VoiceInfo[] = ENTRIES.map((e) => e.info);

const BY_ID = new Map(ENTRIES.map((e) => [e.info.id.toLowerCase(), e]));

/** A language tag as requests may write it: "en", "de-AT", "pt_BR", "cmn-Latn-pinyin". */
const TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/;

const normaliseTag = (tag: string) => tag.trim().replace(/_/g, '-').toLowerCase();
const primary = (tag: string) => tag.split('-')[0]!;

/** The best voice for a tag: an exact match first, else one for its primary language ("de-AT" → "de"). */
function bestFor(tag: string): Entry | null {
  const pick = (rank: (e: Entry) => number | undefined) => {
    let best: Entry | null = null;
    let bestRank = Infinity;
    for (const e of ENTRIES) {
      const r = rank(e);
      if (r !== undefined && r < bestRank) [best, bestRank] = [e, r];
    }
    return best;
  };
  return pick((e) => e.ranks.get(tag)) ?? pick((e) => e.ranks.get(primary(tag)));
}

/** Speaks `tag` exactly or by its primary language. */
const speaks = (e: Entry, tag: string) => e.ranks.has(tag) || [...e.ranks.keys()].some((l) => primary(l) === primary(tag));

/** The voice for a request's language/voice pair (null/null: English), or why there is none. */
export function resolveVoice(language: string | null, voice: string | null): { voice: VoiceInfo } | { failure: SpeechCheckFailure } {
  let tag: string | null = null;
  if (language !== null) {
    tag = normaliseTag(language);
    if (!TAG.test(tag)) return { failure: { field: 'language', message: `language must be a BCP 47 tag such as "en" or "de-AT", not "${language}"` } };
  }
  if (voice !== null) {
    const e = BY_ID.get(voice.trim().toLowerCase());
    if (!e) return { failure: { field: 'voice', message: `voice "${voice}" is not installed; GET /voice/voices lists the voices` } };
    if (tag !== null && !speaks(e, tag)) {
      return { failure: { field: 'voice', message: `voice "${e.info.id}" does not speak "${language}" (it speaks ${e.info.languages.join(', ')})` } };
    }
    return { voice: e.info };
  }
  const e = bestFor(tag ?? 'en');
  if (!e) return { failure: { field: 'language', message: `no voice speaks "${language}"; GET /voice/voices lists the languages` } };
  return { voice: e.info };
}
