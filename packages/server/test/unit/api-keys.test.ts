import { describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKey, hashApiKey, parseApiKey } from '../../src/lib/api-keys.ts';
import { keyFromAuthorization } from '../../src/modules/access/auth.ts';

/** The key printed in the HeliosSend documentation (SPEC §1). */
const SEED_KEY = 'cs_ig-DHv_6PltD7JnxQQEZ4DUzSpG5U87QJPiVIyDWw4DGkZUuSd0y3C4aI7BS06qO';
const LIVE = /^cs_[A-Za-z0-9_-]{64}$/;
const TEST = /^cs_test_[A-Za-z0-9_-]{64}$/;

describe('generateApiKey', () => {
  it('makes live keys of cs_ + 64 base64url characters (48 random bytes)', () => {
    for (let i = 0; i < 50; i++) {
      const key = generateApiKey(false);
      expect(key).toMatch(LIVE);
      expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(48);
      expect(parseApiKey(key)).toEqual({ test: false });
    }
  });

  it('makes sandbox keys of cs_test_ + 64 base64url characters', () => {
    for (let i = 0; i < 50; i++) {
      const key = generateApiKey(true);
      expect(key).toMatch(TEST);
      expect(Buffer.from(key.slice(8), 'base64url')).toHaveLength(48);
      expect(parseApiKey(key)).toEqual({ test: true });
    }
  });

  it('never repeats itself', () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => generateApiKey(false)));
    expect(keys.size).toBe(1_000);
  });
});

describe('parseApiKey', () => {
  it('accepts the documented example key as a live key', () => {
    expect(SEED_KEY).toMatch(LIVE);
    expect(parseApiKey(SEED_KEY)).toEqual({ test: false });
  });

  it('tells a live key whose random part starts with "test_" from a sandbox key by its length', () => {
    const live = `cs_test_${'A'.repeat(59)}`; // cs_ + 64
    expect(live).toMatch(LIVE);
    expect(parseApiKey(live)).toEqual({ test: false });
    expect(parseApiKey(`cs_test_${'A'.repeat(64)}`)).toEqual({ test: true });
  });

  it.each([
    '',
    'cs_',
    'cs_test_',
    `cs_${'a'.repeat(63)}`,
    `cs_${'a'.repeat(65)}`,
    `cs_test_${'a'.repeat(63)}`,
    `cs_test_${'a'.repeat(65)}`,
    `sk_${'a'.repeat(64)}`,
    `CS_${'a'.repeat(64)}`,
    `cs_${'a'.repeat(63)}+`, // base64, not base64url
    `cs_${'a'.repeat(63)}/`,
    `cs_${'a'.repeat(63)}=`,
    ` ${SEED_KEY}`,
    `${SEED_KEY} `,
    `Bearer ${SEED_KEY}`,
    `${SEED_KEY}\n`,
  ])('refuses %j', (key) => {
    expect(parseApiKey(key)).toBeNull();
  });
});

describe('hashApiKey', () => {
  it('is SHA-256 hex and stable: stored hashes must keep matching across releases', () => {
    expect(hashApiKey(SEED_KEY)).toBe('b1ae7b7233018e310bb2e797818997af640a52792f3e8806b62d45352665b39b');
    expect(hashApiKey(SEED_KEY)).toBe(hashApiKey(SEED_KEY));
  });

  it('differs for different keys and does not contain the key', () => {
    const a = generateApiKey(false);
    const b = generateApiKey(false);
    expect(hashApiKey(a)).not.toBe(hashApiKey(b));
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).not.toContain(a.slice(3, 13));
  });
});

describe('apiKeyPrefix', () => {
  it('shows the mode and six characters, enough to tell keys apart and useless to an attacker', () => {
    expect(apiKeyPrefix(SEED_KEY)).toBe('cs_ig-DHv');
    const test = `cs_test_${'Zx9_-a'}${'q'.repeat(58)}`;
    expect(apiKeyPrefix(test)).toBe('cs_test_Zx9_-a');
    for (const key of [generateApiKey(false), generateApiKey(true)]) {
      const prefix = apiKeyPrefix(key);
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix.length).toBe(key.startsWith('cs_test_') && key.length === 72 ? 14 : 9);
    }
  });
});

describe('keyFromAuthorization', () => {
  it('reads both the bearer and the bare header forms', () => {
    expect(keyFromAuthorization(`Bearer ${SEED_KEY}`)).toBe(SEED_KEY);
    expect(keyFromAuthorization(`bearer   ${SEED_KEY}`)).toBe(SEED_KEY);
    expect(keyFromAuthorization(SEED_KEY)).toBe(SEED_KEY);
    expect(keyFromAuthorization(`  ${SEED_KEY}  `)).toBe(SEED_KEY);
  });

  it('has nothing for a missing or empty header', () => {
    expect(keyFromAuthorization(undefined)).toBeNull();
    expect(keyFromAuthorization('')).toBeNull();
    expect(keyFromAuthorization('   ')).toBeNull();
  });
});
