// GSM 03.38 default alphabet as SMPP carries it with data_coding 0: unpacked, one septet per
// octet, extension characters as ESC (0x1B) + code. The SMSC packs septets for the air interface.
//
// We encode ourselves instead of handing the `smpp` package a string: its encoder silently turns
// characters outside the alphabet into spaces, and we need exact bytes to put behind a UDH.

// Same alphabet as lib/sms-encoding.ts (which keeps its tables private); position = septet.
// 0x1B is the escape, not a character, hence the placeholder that no text can contain.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\uFFFFÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION: ReadonlyArray<readonly [string, number]> = [
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
const ESC = 0x1b;

// Code unit → septet (+1 so that 0 means "absent"; '@' is septet 0). Every GSM character is in
// the BMP, so flat tables make encoding one array read per character.
const BASIC_ENC = new Uint8Array(0x10000);
const EXT_ENC = new Uint8Array(0x10000);
for (let i = 0; i < BASIC.length; i++) {
  if (i !== ESC) BASIC_ENC[BASIC.charCodeAt(i)] = i + 1;
}
const EXT_DEC = new Map<number, string>();
for (const [ch, code] of EXTENSION) {
  EXT_ENC[ch.charCodeAt(0)] = code + 1;
  EXT_DEC.set(code, ch);
}

/** Septets one UTF-16 code unit costs in GSM-7: 1, 2 (escape pair), or 0 when not encodable. */
export function gsmSeptets(codeUnit: number): 0 | 1 | 2 {
  if (BASIC_ENC[codeUnit]) return 1;
  if (EXT_ENC[codeUnit]) return 2;
  return 0;
}

/** Encodes `text` as unpacked GSM-7 septets; null when a character is outside the alphabet. */
export function encodeGsm7(text: string): Buffer | null {
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const basic = BASIC_ENC[code]!;
    if (basic) {
      out[n++] = basic - 1;
      continue;
    }
    const ext = EXT_ENC[code]!;
    if (!ext) return null;
    out[n++] = ESC;
    out[n++] = ext - 1;
  }
  return out.subarray(0, n);
}

/**
 * Decodes unpacked GSM-7. Lenient, since it reads what networks send: the top bit is ignored, and
 * an escape before a code the extension table lacks falls back to the basic character, as
 * 03.38 asks of receivers.
 */
export function decodeGsm7(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0x7f;
    if (b === ESC && i + 1 < bytes.length) {
      const next = bytes[++i]! & 0x7f;
      out += EXT_DEC.get(next) ?? (next === ESC ? ' ' : BASIC[next]);
      continue;
    }
    out += b === ESC ? ' ' : BASIC[b];
  }
  return out;
}
