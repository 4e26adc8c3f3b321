import { hashSecret, sameSecret } from '../../lib/secrets.ts';
import { totpStepOf } from '../../lib/totp.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';

/**
 * Spends a code from the user's authenticator: true when it is current and no code of its step (or
 * a later one) was used before — each code works once, even when two requests race (the guard is
 * one conditional UPDATE).
 */
export async function spendTotpCode(store: Store, user: UserRow, code: string, now: number): Promise<boolean> {
  if (user.totp_secret === null) return false;
  const step = totpStepOf(user.totp_secret, code.trim(), now);
  return step !== null && (await store.users.spendTotpStep(user.id, step));
}

/**
 * Spends one of the user's recovery codes: true when it was unused. The list is replaced only if no
 * other request changed it meanwhile, so a code used twice at once works once, and two codes used at
 * once cannot bring one back.
 */
export async function spendRecoveryCode(store: Store, user: UserRow, code: string, now: number): Promise<boolean> {
  const hash = hashSecret(code.trim().toLowerCase());
  const codes: string[] = JSON.parse(user.recovery_codes);
  const left = codes.filter((c) => !sameSecret(c, hash));
  if (left.length === codes.length) return false;
  return store.users.swapRecoveryCodes(user.id, user.recovery_codes, JSON.stringify(left), now);
}
