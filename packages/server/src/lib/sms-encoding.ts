export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsAnalysis {
  encoding: SmsEncoding;
  segments: number;
  units: number;
}

// GSM 03.38 default alphabet in code-point order (0x00–0x7F). 0x1B is the escape to the
// extension table, not a character a sender can type, so it is left out. 0x09 is the capital
// Ç: lowercase ç is not in the alphabet, and a message containing it must go out as UCS-2.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Basic extension table: each is sent as ESC + char, hence two septets.
const EXTENSION = '\f^{}\\[~]|€';

// Septet cost per UTF-16 code unit (0 = not in GSM-7). Every GSM character sits in the BMP, so a
// flat 64 KiB table built once turns the per-character test into a single array read.
const SEPTETS = new Uint8Array(0x10000);
for (const ch of BASIC) SEPTETS[ch.charCodeAt(0)] = 1;
for (const ch of EXTENSION) SEPTETS[ch.charCodeAt(0)] = 2;

const GSM_SINGLE = 160;
const GSM_PART = 153; // 160 minus the 7 septets taken by the concatenation UDH
const UCS_SINGLE = 70;
const UCS_PART = 67; // 70 minus the 3 UCS-2 units taken by the concatenation UDH

/** Picks GSM-7 or UCS-2 for `text` and counts its septets/code units and SMS segments. */
export function analyzeSms(text: string): SmsAnalysis {
  // Both encodings are packed side by side so one pass settles the answer whichever wins; parts
  // are filled greedily because an escape pair or surrogate pair may not straddle two parts.
  let gsm = true;
  let septets = 0;
  let gsmParts = 1;
  let gsmFill = 0;
  let ucsUnits = 0;
  let ucsParts = 1;
  let ucsFill = 0;

  const n = text.length;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);

    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 2;
        i++;
      }
    }
    ucsUnits += width;
    if (ucsFill + width > UCS_PART) {
      ucsParts++;
      ucsFill = width;
    } else {
      ucsFill += width;
    }

    if (gsm) {
      // An astral character is never GSM, and its high surrogate has no entry in the table.
      const cost = width === 1 ? SEPTETS[code]! : 0;
      if (cost === 0) {
        gsm = false;
        continue;
      }
      septets += cost;
      if (gsmFill + cost > GSM_PART) {
        gsmParts++;
        gsmFill = cost;
      } else {
        gsmFill += cost;
      }
    }
  }

  if (gsm) {
    return { encoding: 'GSM-7', units: septets, segments: septets <= GSM_SINGLE ? 1 : gsmParts };
  }
  return { encoding: 'UCS-2', units: ucsUnits, segments: ucsUnits <= UCS_SINGLE ? 1 : ucsParts };
}
