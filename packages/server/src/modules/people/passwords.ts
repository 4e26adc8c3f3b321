import { hash, verify } from '@node-rs/argon2';
import { validationError } from '../../lib/errors.ts';

/**
 * argon2id with OWASP's minimum configuration (Password Storage Cheat Sheet): 19 MiB of memory,
 * 2 iterations, 1 degree of parallelism. About 30 ms a hash on the reference machine — cheap for
 * one sign-in, expensive for someone trying a list of passwords against a stolen database.
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** NIST SP 800-63B: at least 8 characters; no composition rules; a generous maximum. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Throws validation_failed (field "password") unless the password may be set. */
export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN) throw validationError([{ field: 'password', message: `must be at least ${PASSWORD_MIN} characters` }]);
  if (password.length > PASSWORD_MAX) throw validationError([{ field: 'password', message: `must be at most ${PASSWORD_MAX} characters` }]);
}

/** The stored form of a password: an argon2id PHC string with its own salt. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

// A real hash of a password nobody has: checking an unknown email against it costs what checking
// a known one costs, so the answer's timing does not tell whether the email exists.
let decoy: Promise<string> | null = null;

/** Whether `password` matches `stored`; with stored null, spends the same time and answers false. */
export async function passwordMatches(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword('decoy password that matches nothing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
