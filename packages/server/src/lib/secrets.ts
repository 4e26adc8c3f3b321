import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random secret for a cookie or a link: 32 bytes, base64url (43 characters). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The stored form of a random secret (session ids, one-time tokens, recovery codes). They carry
 * 256 random bits, so one SHA-256 is enough: there is nothing to guess, unlike a password.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two strings in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
