/** What a signed-in person changes about themselves: their name and their password. */
import { AppError, validationError } from '../../lib/errors.ts';
import type { Deps } from '../deps.ts';
import type { Actor } from './actor.ts';
import { countUserAttempt } from './attempts.ts';
import { audit } from './audit.ts';
import type { PeopleDeps } from './deps.ts';
import { passwordMatches } from './passwords.ts';
import { setPassword } from './users.ts';

/** The longest name a person may give (as sign-up and setup allow). */
export const NAME_MAX = 200;

/** Sets the person's display name (trimmed; empty or null clears it). */
export async function renameSelf({ store, clock }: Deps, actor: Actor, raw: string | null): Promise<void> {
  const name = raw === null ? null : raw.trim() || null;
  if (name !== null && name.length > NAME_MAX) throw validationError([{ field: 'name', message: `must be at most ${NAME_MAX} characters` }]);
  const now = clock.now();
  await store.transaction(async (tx) => {
    const user = await tx.users.get(actor.userId);
    // The session hook found them a moment ago.
    if (!user) throw new AppError('not_signed_in');
    if (user.name === name) return;
    await tx.users.update(user.id, { name, updated_at: now });
    await audit(tx, actor, { accountId: null, action: 'user.rename', target: user.id, before: { name: user.name }, after: { name } }, now);
  });
}

/**
 * Changes the person's password, given the current one (a stolen session alone cannot lock its
 * owner out). Like a reset, it ends every session of theirs, this one included: they sign in
 * again with the new password. Attempts are counted per user, as second-factor checks are.
 */
export async function changeOwnPassword(deps: Deps, people: PeopleDeps, actor: Actor, input: { current_password: string; password: string }): Promise<{ status: 'password_changed' }> {
  await countUserAttempt(people, 'password', actor.userId);
  const user = await deps.store.users.get(actor.userId);
  if (!user) throw new AppError('not_signed_in');
  if (!(await passwordMatches(user.password_hash, input.current_password))) throw new AppError('invalid_credentials', 'Your current password is not right');
  await setPassword(deps, actor, user.id, input.password);
  return { status: 'password_changed' };
}
