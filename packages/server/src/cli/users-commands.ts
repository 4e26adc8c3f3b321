import type { Command } from 'commander';
import { validationError } from '../lib/errors.ts';
import type { Run } from './run.ts';
import { listUsers } from '../modules/admin/users.ts';
import { isRole } from '../modules/people/roles.ts';
import { createUser, findUser, setOperator, setPassword } from '../modules/people/users.ts';

/** Everything on stdin, less one trailing line break (what `echo` or a here-string adds). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * The password of a command: --password, or --password-stdin (kept out of the shell's history and
 * of `ps`). Exactly one of them.
 */
async function passwordOf(o: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (o.password !== undefined && o.passwordStdin) throw validationError([{ field: 'password', message: 'give --password or --password-stdin, not both' }]);
  if (o.password !== undefined) return o.password;
  if (o.passwordStdin) return readStdin();
  throw validationError([{ field: 'password', message: '--password or --password-stdin is required' }]);
}

/** `hellio users`: people who sign in to the dashboard, and the operator flag (SPEC §5). Audited with the CLI as the actor. */
export function usersCommands(program: Command, run: Run): void {
  const users = program.command('users').description('dashboard users: create, list, set passwords, grant or revoke the operator flag');
  users
    .command('create')
    .requiredOption('--email <email>')
    .option('--password <password>', 'at least 8 characters (prefer --password-stdin: it stays out of the shell history)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--name <name>')
    .option('--account <account>', 'make the user a member of this account (acc_…)…')
    .option('--role <role>', '…with this role: owner (default) | admin | developer | viewer')
    .option('--operator', 'the user runs the platform (the admin console)')
    .action((o: { email: string; password?: string; passwordStdin?: boolean; name?: string; account?: string; role?: string; operator?: boolean }) =>
      run(async (rt) => {
        if (o.role !== undefined && !isRole(o.role)) throw validationError([{ field: 'role', message: 'must be owner, admin, developer or viewer' }]);
        if (o.role !== undefined && o.account === undefined) throw validationError([{ field: 'role', message: 'needs --account' }]);
        const password = await passwordOf(o);
        const user = await createUser(rt.ctx, null, {
          email: o.email,
          password,
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.account !== undefined ? { accountId: o.account } : {}),
          ...(o.role !== undefined && isRole(o.role) ? { role: o.role } : {}),
          ...(o.operator ? { operator: true } : {}),
        });
        return { json: { id: user.id }, text: user.id };
      }),
    );
  users
    .command('list')
    .option('--search <text>', 'part of the email')
    .action((o: { search?: string }) =>
      run(async (rt) => {
        const data = [];
        let cursor: string | undefined;
        do {
          const page = await listUsers(rt.store, { limit: 100, ...(o.search ? { search: o.search } : {}), ...(cursor ? { cursor } : {}) });
          data.push(...page.data);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        const text = data.map((u) => `${u.id}  ${u.operator ? 'operator ' : '         '} ${u.email}  ${u.accounts.map((a) => `${a.id}:${a.role}`).join(' ')}`).join('\n');
        return { json: { data }, text: text || '(none)' };
      }),
    );
  users
    .command('set-password <user>')
    .description('set a new password (USER: usr_… or email); ends every session of theirs')
    .option('--password <password>')
    .option('--password-stdin', 'read the password from stdin')
    .action((who: string, o: { password?: string; passwordStdin?: boolean }) =>
      run(async (rt) => {
        const user = await findUser(rt.store, who);
        await setPassword(rt.ctx, null, user.id, await passwordOf(o));
        return { json: { id: user.id, password_set: true, sessions_revoked: true }, text: `${user.id}: password set, sessions ended` };
      }),
    );
  const operator = users.command('operator').description('grant or revoke the operator flag (USER: usr_… or email)');
  for (const verb of ['grant', 'revoke'] as const) {
    operator.command(`${verb} <user>`).action((who: string) =>
      run(async (rt) => {
        const user = await findUser(rt.store, who);
        const after = await setOperator(rt.ctx, null, user.id, verb === 'grant');
        return { json: { id: after.id, email: after.email, operator: after.operator === 1 }, text: `${after.id} ${after.email}: ${after.operator === 1 ? 'operator' : 'not an operator'}` };
      }),
    );
  }
}
