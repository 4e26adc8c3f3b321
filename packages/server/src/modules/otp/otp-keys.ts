import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/store.ts';

/**
 * What the OTP secret is used for. Two keys are derived from it (HKDF, one label each), so the
 * key that hashes codes never encrypts anything and the reverse.
 */
export interface OtpKeys {
  /** The stored form of a code: HMAC-SHA256 over the verification id and the code. */
  hash(otpId: string, code: string): string;
  /** Whether `code` is the one `hash` was made from, compared in constant time. */
  matches(hash: string, otpId: string, code: string): boolean;
  /** Encrypts the text that carries a code (AES-256-GCM), bound to the message it belongs to. */
  seal(text: string, messageId: string): string;
  /** Decrypts what seal() made for this message; throws if it was altered or made for another. */
  open(sealed: string, messageId: string): string;
}

const SECRET_NAME = 'otp';
const SEAL_VERSION = 'v1';

/**
 * The configured secret, or the one the installation generated for itself: the first process to
 * start stores it in the database and every later process (API, workers, CLI) reads the same.
 */
export async function resolveOtpSecret(store: Store, configured: string | null, now: number): Promise<string> {
  if (configured !== null) return configured;
  return store.secrets.getOrCreate(SECRET_NAME, randomBytes(32).toString('base64url'), now);
}

function derive(secret: string, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `hellio ${label}`, 32));
}

export function otpKeys(secret: string): OtpKeys {
  const hashKey = derive(secret, 'otp code hash v1');
  const sealKey = derive(secret, 'otp message seal v1');
  // The id is part of the HMAC so equal codes of two verifications never share a stored value.
  const hash = (otpId: string, code: string) => createHmac('sha256', hashKey).update(`${otpId}\n${code}`).digest('base64url');
  return {
    hash,
    matches(stored, otpId, code) {
      const a = Buffer.from(stored, 'base64url');
      const b = Buffer.from(hash(otpId, code), 'base64url');
      return a.length === b.length && timingSafeEqual(a, b);
    },
    seal(text, messageId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(messageId, 'utf8'));
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return `${SEAL_VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, messageId) {
      const [version, data] = sealed.split('.');
      if (version !== SEAL_VERSION || data === undefined) throw new Error('unknown sealed text format');
      const raw = Buffer.from(data, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(messageId, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
