import { createHash, randomBytes } from 'node:crypto';

const LIVE = 'cs_';
const TEST = 'cs_test_';
const BODY = /^[A-Za-z0-9_-]{64}$/;

/** A new API key: `cs_` (or `cs_test_`) + 64 base64url characters of 48 random bytes. */
export function generateApiKey(test: boolean): string {
  return (test ? TEST : LIVE) + randomBytes(48).toString('base64url');
}

/** Splits a presented key into its mode; null when it does not have the shape of a key. */
export function parseApiKey(key: string): { test: boolean } | null {
  if (key.startsWith(TEST) && BODY.test(key.slice(TEST.length))) return { test: true };
  if (key.startsWith(LIVE) && BODY.test(key.slice(LIVE.length))) return { test: false };
  return null;
}

/**
 * The stored form of a key. Keys carry 384 random bits, so one SHA-256 is enough: there is
 * nothing to brute-force, and a fast hash keeps authentication cheap on every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The short part shown in lists so a person can tell keys apart ("cs_ig-DHv_6P…"). */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, (key.startsWith(TEST) ? TEST.length : LIVE.length) + 6);
}
