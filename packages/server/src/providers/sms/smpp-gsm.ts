// GSM 03.38 as SMPP carries it with data_coding 0: unpacked, one septet per octet, extension
// characters as ESC (0x1B) + code. The SMSC packs septets for the air interface. The alphabet and
// its tables live in lib/gsm7.ts, shared with the pricing of lib/sms-encoding.ts.
//
// We encode ourselves instead of handing the `smpp` package a string: its encoder silently turns
// characters outside the alphabet into spaces, and we need exact bytes to put behind a UDH.
import { GSM7_BASIC, GSM7_BASIC_SEPTET, GSM7_ESC, GSM7_EXTENSION_CHAR, GSM7_EXTENSION_SEPTET } from '../../lib/gsm7.ts';

/** Encodes `text` as unpacked GSM-7 septets; null when a character is outside the alphabet. */
export function encodeGsm7(text: string): Buffer | null {
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const basic = GSM7_BASIC_SEPTET[code]!;
    if (basic) {
      out[n++] = basic - 1;
      continue;
    }
    const ext = GSM7_EXTENSION_SEPTET[code]!;
    if (!ext) return null;
    out[n++] = GSM7_ESC;
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
    if (b === GSM7_ESC && i + 1 < bytes.length) {
      const next = bytes[++i]! & 0x7f;
      out += GSM7_EXTENSION_CHAR[next] ?? (next === GSM7_ESC ? ' ' : GSM7_BASIC[next]);
      continue;
    }
    out += b === GSM7_ESC ? ' ' : GSM7_BASIC[b];
  }
  return out;
}
