import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { newSecretKey, parseSecretKey } from './sealed-secrets.ts';

/** The key file's name inside the data directory. */
export const KEY_FILE_NAME = 'secret.key';

/** Creates the data directory (mode 0700: only the server's user enters it) unless it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * The installation's key from `<dataDir>/secret.key`, made on first use (32 random bytes,
 * base64, mode 0600). Several processes may start at once: each writes its candidate to a file
 * of its own and links it into place, which fails for all but the first (EEXIST); everyone then
 * reads the one that won, so a half-written key is never read and no two keys are ever in use.
 */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = readKey(path);
  if (existing) return existing;
  const tmp = join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${newSecretKey()}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKey(path);
  if (!key) throw new Error(`${path} vanished after it was created`);
  return key;
}

/** The key of `<dataDir>/secret.key` if that file exists (never makes one). */
export function readKeyFile(dataDir: string): Buffer | undefined {
  return readKey(join(dataDir, KEY_FILE_NAME));
}

// Undefined when the file does not exist; an error when it exists but holds no key (never replaced:
// the secrets sealed under the lost key would be unreadable, and silence would hide that).
function readKey(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const key = parseSecretKey(text);
  if (!key) throw new Error(`${path} does not hold a 32-byte key (base64 or 64 hex digits)`);
  return key;
}
