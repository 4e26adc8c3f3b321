import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { isSealed, keyIdOf, parseSecretKey, SealedSecretError, SecretBox } from '../../src/lib/sealed-secrets.ts';
import { loadOrCreateKeyFile, readKeyFile } from '../../src/lib/secret-key-file.ts';

const CTX = 'webhook_endpoints.secret';

describe('sealed secrets (AES-256-GCM envelope)', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips, with a fresh IV each time, in the versioned envelope naming its key', () => {
    const a = box.seal('whsec_abc', CTX);
    const b = box.seal('whsec_abc', CTX);
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^enc:v1:${keyIdOf(key)}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`));
    expect(a).not.toContain('whsec_abc');
    expect(box.open(a, CTX)).toBe('whsec_abc');
    expect(box.open(box.seal('', CTX), CTX)).toBe('');
    expect(box.open(box.seal('-----BEGIN PRIVATE KEY-----\nü\n', CTX), CTX)).toBe('-----BEGIN PRIVATE KEY-----\nü\n');
    expect(isSealed(a)).toBe(true);
    expect(box.isCurrent(a)).toBe(true);
  });

  it('reads a value without the prefix as plaintext (rows from before encryption)', () => {
    expect(box.open('whsec_plain', CTX)).toBe('whsec_plain');
    expect(isSealed('whsec_plain')).toBe(false);
    expect(box.openNullable(null, CTX)).toBeNull();
    expect(box.sealNullable(null, CTX)).toBeNull();
  });

  it('detects tampering with the ciphertext, the tag, the IV or the key id', () => {
    const sealed = box.seal('secret value', CTX);
    const [p, v, id, iv, body] = sealed.split(':') as [string, string, string, string, string];
    const flip = (s: string, i: number) => {
      const buf = Buffer.from(s, 'base64url');
      buf[i] = buf[i]! ^ 1;
      return buf.toString('base64url');
    };
    expect(() => box.open([p, v, id, iv, flip(body, 0)].join(':'), CTX)).toThrow(SealedSecretError);
    expect(() => box.open([p, v, id, iv, flip(body, Buffer.from(body, 'base64url').length - 1)].join(':'), CTX)).toThrow(SealedSecretError);
    expect(() => box.open([p, v, id, flip(iv, 0), body].join(':'), CTX)).toThrow(SealedSecretError);
    expect(() => box.open([p, v, 'deadbeef', iv, body].join(':'), CTX)).toThrow(/deadbeef/);
    expect(() => box.open([p, 'v2', id, iv, body].join(':'), CTX)).toThrow(SealedSecretError);
    expect(() => box.open(`${p}:${v}:${id}:${iv}`, CTX)).toThrow(SealedSecretError);
  });

  it('binds a value to its column: copied into another column it does not open', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'users.totp_secret');
    expect(() => box.open(sealed, 'domains.private_key')).toThrow(/does not authenticate/);
  });

  it('refuses a value sealed under another key, naming the key it needs', () => {
    const other = new SecretBox(randomBytes(32));
    const sealed = other.seal('x', CTX);
    expect(() => box.open(sealed, CTX)).toThrow(new RegExp(other.keyId));
  });

  it('rotation: a box with the old key as previous opens both, seals under the new one only', () => {
    const oldKey = randomBytes(32);
    const oldSealed = new SecretBox(oldKey).seal('before', CTX);
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.keyIds).toEqual([rotated.keyId, keyIdOf(oldKey)]);
    expect(rotated.open(oldSealed, CTX)).toBe('before');
    expect(rotated.isCurrent(oldSealed)).toBe(false);
    const resealed = rotated.seal(rotated.open(oldSealed, CTX), CTX);
    expect(rotated.isCurrent(resealed)).toBe(true);
    // The old key alone cannot read what the new one sealed.
    expect(() => new SecretBox(oldKey).open(resealed, CTX)).toThrow(SealedSecretError);
  });

  it('parses a key as 64 hex digits or base64 / base64url of exactly 32 bytes', () => {
    const k = randomBytes(32);
    expect(parseSecretKey(k.toString('hex'))).toEqual(k);
    expect(parseSecretKey(k.toString('base64'))).toEqual(k);
    expect(parseSecretKey(`${k.toString('base64url')}\n`)).toEqual(k);
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeNull();
    expect(parseSecretKey('correct horse battery staple')).toBeNull();
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});

describe('the key: HELLIO_SECRET_KEY or the key file', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the key file once, mode 0600, in a data directory made 0700; later calls read the same key', () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-key-'));
    const data = join(dir, 'data');
    expect(readKeyFile(data)).toBeUndefined();
    const k1 = loadOrCreateKeyFile(data);
    const k2 = loadOrCreateKeyFile(data);
    expect(k1).toHaveLength(32);
    expect(k2).toEqual(k1);
    expect(statSync(join(data, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(parseSecretKey(readFileSync(join(data, 'secret.key'), 'utf8'))).toEqual(k1);
  });

  it('refuses a key file that holds no key rather than replacing it', () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-key-'));
    writeFileSync(join(dir, 'secret.key'), 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/does not hold a 32-byte key/);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('not a key\n');
  });

  it('validates HELLIO_SECRET_KEY and HELLIO_SECRET_KEY_PREVIOUS without echoing them', () => {
    const k = randomBytes(32);
    const p = randomBytes(32);
    const c = loadConfig({ HELLIO_SECRET_KEY: k.toString('base64'), HELLIO_SECRET_KEY_PREVIOUS: ` ${p.toString('hex')} ,` });
    expect(c.secretKey).toEqual(k);
    expect(c.secretKeyPrevious).toEqual([p]);
    expect(loadConfig({}).secretKey).toBeNull();
    expect(() => loadConfig({ HELLIO_SECRET_KEY: 'hunter2hunter2' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_SECRET_KEY: 'hunter2hunter2' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ HELLIO_SECRET_KEY_PREVIOUS: `${p.toString('hex')},short` })).toThrow(/HELLIO_SECRET_KEY_PREVIOUS\[1\]/);
  });
});
