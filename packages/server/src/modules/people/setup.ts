import { AppError, validationError } from '../../lib/errors.ts';
import type { UserRow } from '../../store/repos/users.ts';
import { createAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { insertUser, prepareUser } from './users.ts';
import { audit } from './audit.ts';
import type { PeopleSettings } from './settings.ts';
import { issueToken, linkTo, openToken, spendToken } from './tokens.ts';

/** The name of the first account when the setup form leaves it empty. */
export const FIRST_ACCOUNT_NAME = 'My account';

/** Whether the installation still waits for its first user. */
export async function setupNeeded({ store }: Deps): Promise<boolean> {
  return (await store.users.count()) === 0;
}

/**
 * At the start of an API process with no user yet: a fresh one-time setup link (older ones are
 * voided, so only the latest printed link works), or null once somebody exists. The link is the
 * one secret the server prints: it is how the first operator gets in.
 */
export async function issueSetupLink({ store, clock }: Deps, settings: PeopleSettings): Promise<string | null> {
  const now = clock.now();
  const secret = await store.transaction(async (tx) => {
    if ((await tx.users.count()) > 0) return null;
    await tx.userTokens.voidKind('setup', now);
    return (await issueToken(tx, { kind: 'setup' }, settings.setupTtlMs, now)).secret;
  });
  return secret === null ? null : linkTo(settings, 'setup', secret);
}

export interface SetupInput {
  token: string;
  email: string;
  password: string;
  name?: string;
  account_name?: string;
}

/**
 * Spends the setup link: creates the first user — an operator, owner of a new active account.
 * Refused (token_invalid) once any user exists, whatever the token.
 */
export async function completeSetup(deps: Deps, input: SetupInput, ip: string): Promise<UserRow> {
  const { store, clock } = deps;
  const now = clock.now();
  const token = await openToken(store, 'setup', input.token, now);
  const accountName = input.account_name?.trim() || FIRST_ACCOUNT_NAME;
  if (accountName.length > 200) throw validationError([{ field: 'account_name', message: 'must be at most 200 characters' }]);
  const row = await prepareUser({ email: input.email, password: input.password, name: input.name ?? null, operator: true, emailVerified: true }, now);
  return store.transaction(async (tx) => {
    if ((await tx.users.count()) > 0) throw new AppError('token_invalid');
    await spendToken(tx, token, now);
    await insertUser(tx, row);
    const account = await createAccount({ store: tx, clock }, accountName, 'active');
    await tx.users.addMembership({ account_id: account.id, user_id: row.id, role: 'owner', created_at: now });
    const actor = { userId: row.id, email: row.email, operator: true, ip };
    await audit(tx, actor, { accountId: account.id, action: 'user.setup', target: row.id, after: { email: row.email, operator: true, account: account.id, role: 'owner' } }, now);
    return row;
  });
}
