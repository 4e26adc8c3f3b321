import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { normaliseEmail } from './users.ts';

/** A person about to be created by a public flow (first run, sign-up, an accepted invitation). */
export interface NewPerson {
  email: string;
  password: string;
  name?: string | null | undefined;
  operator?: boolean;
  /** Whether the address is known to be theirs already (an invitation or the setup link proved it). */
  emailVerified: boolean;
}

/**
 * The row of a new user, password hashed. Done before the transaction that inserts it: argon2id
 * takes tens of milliseconds, which a transaction should not hold the database for.
 */
export async function prepareUser(input: NewPerson, now: number): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  checkPassword(input.password);
  return {
    id: newId('usr'),
    email,
    name: input.name?.trim() || null,
    password_hash: await hashPassword(input.password),
    operator: input.operator ? 1 : 0,
    email_verified_at: input.emailVerified ? now : null,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    recovery_codes: '[]',
    created_at: now,
    updated_at: now,
  };
}

/** Inserts a prepared user (in the caller's transaction); 409 conflict when the email is taken. */
export async function insertUser(tx: Store, row: UserRow): Promise<void> {
  if (await tx.users.byEmail(row.email)) throw new AppError('conflict', 'A user with this email already exists');
  await tx.users.insert(row);
}
