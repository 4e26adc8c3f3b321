import { createHmac, randomBytes } from 'node:crypto';
import { encodeBase32 } from './base32.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 6238 as every authenticator app implements it: SHA-1, 6 digits, 30-second steps. */
const STEP_MS = 30_000;
const DIGITS = 6;

/** A new TOTP secret: 20 random bytes in base32, as authenticator apps take it. */
export function newTotpSecret(): string {
  return encodeBase32(randomBytes(20), BASE32);
}

function decodeBase32(text: string): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error('not base32');
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** The code of the 30-second step that contains `atMs` (RFC 4226 dynamic truncation). */
export function totpCode(secret: string, atMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / STEP_MS)));
  const mac = createHmac('sha1', decodeBase32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return String(n).padStart(DIGITS, '0');
}

/** The step (unix time / 30 s) whose code `code` is — the current one, or the one before or after (clock drift of ±30 s) — or null. */
export function totpStepOf(secret: string, code: string, atMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(atMs / STEP_MS);
  for (const step of [current - 1, current, current + 1]) if (totpCode(secret, step * STEP_MS) === code) return step;
  return null;
}

/** The otpauth:// URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${DIGITS}&period=${STEP_MS / 1000}`;
}
