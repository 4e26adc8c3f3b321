// The GSM 03.38 default alphabet, defined once: pricing (lib/sms-encoding.ts) counts with these
// tables and the SMPP provider encodes with them, so what we charge for and what we send cannot
// drift apart character by character.

/** The escape septet: it announces a character of the extension table, and is no character itself. */
export const GSM7_ESC = 0x1b;

/**
 * The basic table, position = septet. 0x1B is the escape, so it holds U+FFFF, a noncharacter no
 * text carries. 0x09 is the capital Ç: lowercase ç is not in the alphabet, and a message
 * containing it must go out as UCS-2.
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\uFFFFÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The basic extension table: each character is sent as ESC + its code, hence two septets. */
export const GSM7_EXTENSION: ReadonlyArray<readonly [char: string, code: number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

// Every GSM character sits in the BMP, so flat 64 KiB tables indexed by UTF-16 code unit, built
// once, turn each per-character question into a single array read with no allocation. Septets are
// stored +1 so that 0 means "absent" ('@' is septet 0).
const basicSeptet = new Uint8Array(0x10000);
const extensionSeptet = new Uint8Array(0x10000);
const cost = new Uint8Array(0x10000);
const extensionChar: Array<string | undefined> = new Array<string | undefined>(0x80).fill(undefined);
for (let septet = 0; septet < GSM7_BASIC.length; septet++) {
  if (septet === GSM7_ESC) continue;
  const unit = GSM7_BASIC.charCodeAt(septet);
  basicSeptet[unit] = septet + 1;
  cost[unit] = 1;
}
for (const [char, code] of GSM7_EXTENSION) {
  const unit = char.charCodeAt(0);
  extensionSeptet[unit] = code + 1;
  extensionChar[code] = char;
  cost[unit] = 2;
}

/** Code unit → basic septet + 1 (0: not in the basic table). Read-only; shared by every caller. */
export const GSM7_BASIC_SEPTET: Readonly<Uint8Array> = basicSeptet;
/** Code unit → extension code + 1 (0: not in the extension table). Read-only; shared by every caller. */
export const GSM7_EXTENSION_SEPTET: Readonly<Uint8Array> = extensionSeptet;
/** Extension code (0–127) → its character, undefined where the table has none (decoders fall back). */
export const GSM7_EXTENSION_CHAR: ReadonlyArray<string | undefined> = extensionChar;

/** Septets one UTF-16 code unit costs in GSM-7: 1, 2 (escape pair), or 0 when not encodable. */
export function gsmSeptets(codeUnit: number): 0 | 1 | 2 {
  // A high surrogate has no entry, so an astral character is never GSM; `?? 0` covers a code
  // point past the BMP passed by mistake.
  return (cost[codeUnit] ?? 0) as 0 | 1 | 2;
}
