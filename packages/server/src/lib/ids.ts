import { randomBytes } from 'node:crypto';
import { encodeBase32 } from './base32.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

let lastMs = -1;
const lastRandom = Buffer.alloc(10);

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 bits → 16 base32 characters.
  return encodeBase32(bytes, ALPHABET);
}

/**
 * A prefixed, time-ordered id (`msg_` + 26 chars, ULID layout). Ids made in the same millisecond
 * by one process increase, so "ORDER BY id" is creation order, which cursor pagination relies on.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    randomBytes(10).copy(lastRandom);
    // Leave headroom so increments within a millisecond never overflow the 80 bits.
    lastRandom[0]! &= 0x7f;
  } else {
    for (let i = 9; i >= 0; i--) {
      lastRandom[i] = (lastRandom[i]! + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
  }
  return `${prefix}_${encodeTime(lastMs)}${encodeRandom(lastRandom)}`;
}

/** True when `id` has the given prefix and the shape newId produces. */
export function isId(prefix: string, id: string): boolean {
  return id.length === prefix.length + 27 && id.startsWith(`${prefix}_`) && /^[0-9a-z]{26}$/.test(id.slice(prefix.length + 1));
}
