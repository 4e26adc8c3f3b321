import { describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../src/lib/base32.ts';
import { newTotpSecret, totpCode, totpStepOf, totpUri } from '../../src/lib/totp.ts';

const totpMatches = (secret: string, code: string, at: number) => totpStepOf(secret, code, at) !== null;

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890"; 6 digits are the last 6 of its 8.
const SEED = encodeBase32(Buffer.from('12345678901234567890'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');

describe('TOTP (RFC 6238)', () => {
  it('gives the RFC test vectors', () => {
    expect(SEED).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(totpCode(SEED, 59_000)).toBe('287082');
    expect(totpCode(SEED, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(SEED, 1_234_567_890_000)).toBe('005924');
    expect(totpCode(SEED, 20_000_000_000_000)).toBe('353130');
  });

  it('accepts the step before and after, and nothing further or malformed', () => {
    const t = 1_234_567_890_000;
    expect(totpMatches(SEED, totpCode(SEED, t - 30_000), t)).toBe(true);
    expect(totpMatches(SEED, totpCode(SEED, t + 30_000), t)).toBe(true);
    expect(totpMatches(SEED, totpCode(SEED, t - 60_000), t)).toBe(false);
    expect(totpMatches(SEED, '12345', t)).toBe(false);
    expect(totpMatches(SEED, ' 005924', t)).toBe(false);
    expect(totpStepOf(SEED, totpCode(SEED, t - 30_000), t)).toBe(Math.floor(t / 30_000) - 1);
  });

  it('makes 160-bit secrets in base32 and the URI authenticator apps read', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(s);
    expect(totpUri(s, 'ann@example.com', 'Hellio')).toBe(`otpauth://totp/Hellio%3Aann%40example.com?secret=${s}&issuer=Hellio&algorithm=SHA1&digits=6&period=30`);
  });
});
