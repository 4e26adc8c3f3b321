import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (docs/reliability.md, "Secrets at rest"): AES-256-GCM under the installation's
 * key, in a versioned text envelope that fits the text columns the secrets already live in:
 *
 *   enc:v1:<key id>:<iv>:<ciphertext + tag>      (iv and ciphertext base64url)
 *
 * The key id names the key that sealed a value, so a keyring of the current key and previous
 * ones reads everything during a rotation. A value without the `enc:` prefix is plaintext from
 * before encryption (none of our secrets' alphabets contain ':'), read as it is until sealed.
 */

const PREFIX = 'enc:';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The key length AES-256 takes. */
export const SECRET_KEY_BYTES = 32;

/** A sealed value that cannot be opened: tampered with, or sealed under a key this process lacks. */
export class SealedSecretError extends Error {
  override name = 'SealedSecretError';
}

/**
 * A 32-byte key from its text form: 64 hex digits, or base64 / base64url (with or without
 * padding). Null when the text is neither or is not exactly 32 bytes.
 */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) return null;
  const key = Buffer.from(t.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
  return key.length === SECRET_KEY_BYTES ? key : null;
}

/** A new random key in the text form `parseSecretKey` reads (base64, 44 characters). */
export function newSecretKey(): string {
  return randomBytes(SECRET_KEY_BYTES).toString('base64');
}

/** The public name of a key: 8 hex digits of a hash, enough to tell a ring's few keys apart, nothing about the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('hellio secret key id\0').update(key).digest('hex').slice(0, 8);
}

/** True when `stored` is an envelope (sealed), false for plaintext from before encryption. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * Seals and opens secrets with the current key; opens with the previous ones too (rotation).
 * `context` names where a value lives ("webhook_endpoints.secret") and is authenticated with it,
 * so a sealed value copied into another column does not open there.
 */
export class SecretBox {
  /** The id of the key new values are sealed under. */
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes`);
    }
    this.keyId = keyIdOf(current);
    this.keys.set(this.keyId, current);
    for (const k of previous) if (!this.keys.has(keyIdOf(k))) this.keys.set(keyIdOf(k), k);
  }

  /** The ids of every key this box can open with, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The envelope of `plain` under the current key (a fresh random IV each time). */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.keyId)!, iv);
    cipher.setAAD(aad(this.keyId, context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${VERSION}:${this.keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The plaintext of a stored value: an envelope opened, or plaintext as it is. Throws SealedSecretError when it cannot. */
  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[1] !== VERSION) throw new SealedSecretError(`${context}: not a ${VERSION} envelope`);
    const [, , keyId, ivText, bodyText] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SealedSecretError(
        `${context}: sealed under key ${keyId}, which this process does not have (HELLIO_SECRET_KEY, HELLIO_SECRET_KEY_PREVIOUS or the key file)`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealedSecretError(`${context}: a malformed envelope`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad(keyId, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedSecretError(`${context}: the sealed value does not authenticate (altered, or from another column)`);
    }
  }

  /** Null stays null: the nullable columns' form of `seal`. */
  sealNullable(plain: string | null, context: string): string | null {
    return plain === null ? null : this.seal(plain, context);
  }

  /** Null stays null: the nullable columns' form of `open`. */
  openNullable(stored: string | null, context: string): string | null {
    return stored === null ? null : this.open(stored, context);
  }

  /** True when `stored` is already sealed under the current key (nothing for a rotation to do). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${VERSION}:${this.keyId}:`);
  }

  /** The id of the key `stored` was sealed under; null for plaintext. */
  static keyIdIn(stored: string): string | null {
    return isSealed(stored) ? (stored.split(':')[2] ?? null) : null;
  }
}

// The envelope's version and key id are authenticated too: a value cannot be relabelled.
function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`hellio:${VERSION}:${keyId}:${context}`, 'utf8');
}
