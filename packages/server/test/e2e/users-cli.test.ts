/**
 * `hellio users` as scripts use it (SPEC §5): the real binary in child processes on a database an
 * app also serves; a user the CLI makes signs in through POST /auth/login of that app. Each change
 * is audited with the CLI as the actor.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/modules/people/audit.ts';
import { type CliResult, cleanEnv, hellio, HELLIO_BIN, REPO_ROOT } from '../support/cli.ts';
import { createHarness, type Harness, type TestAccount, throwawayDatabase } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { signIn } from '../support/people.ts';

const STEP_TIMEOUT = 60_000;
const USER_ID = /^usr_[0-9a-z]{26}$/;

/** `hellio --json ARGS` with `input` on its stdin. */
async function withStdin(args: string[], env: Record<string, string>, input: string): Promise<CliResult> {
  const child = spawn(process.execPath, [HELLIO_BIN, '--json', ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Exactly one JSON object on one line of stdout, nothing on stderr, exit 0. */
function oneJsonObject(r: CliResult): Record<string, any> {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
}

/** A failure: exit 1, nothing on stdout, one JSON error on stderr. */
function jsonFailure(r: CliResult): { code: string; message: string; errors?: Array<{ field: string }> } {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  return JSON.parse(r.stderr.trim().split('\n').pop()!);
}

/**
 * The SQLite run covers every command; the PostgreSQL run the first (a user made by the CLI on that
 * store signs in): the commands' storage is the same code on both, which test/people/admin-users
 * runs on both in-process — and each spawn costs seconds.
 */
describe.each([
  { backend: 'sqlite' as const, full: true },
  { backend: 'postgres' as const, full: false },
])('hellio users on $backend, beside an app on the same database', ({ backend, full }) => {
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;
  let h: Harness;
  let acc: TestAccount;
  const cli = (...args: string[]) => hellio(['--json', ...args], db.env);
  const cliAudit = async (action: string) => (await listAudit(h.rt.store, null, { action, limit: 100 })).data.filter((e) => e.actor.type === 'cli');

  beforeAll(async () => {
    db = await throwawayDatabase(backend);
    h = await createHarness(backend, { database: db });
    acc = await h.account();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await db?.drop();
  }, 60_000);

  it('users create --email --password --account --role → exactly {"id": "usr_…"}; the user signs in with that role', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('users', 'create', '--email', 'Dev@Example.com', '--password', 'correct horse battery', '--account', acc.id, '--role', 'developer'));
    expect(Object.keys(out)).toEqual(['id']);
    expect(out.id).toMatch(USER_ID);
    const res = await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'dev@example.com', password: 'correct horse battery' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: out.id, email: 'dev@example.com', operator: false }, accounts: [{ id: acc.id, role: 'developer' }] });
    const [entry] = await cliAudit('user.create');
    expect(entry).toMatchObject({ target: out.id, account_id: acc.id, actor: { type: 'cli' }, after: { email: 'dev@example.com', role: 'developer', operator: false } });
  });

  it.runIf(full)('users create --password-stdin --operator: the password never appears in the arguments; the operator reaches /admin', { timeout: STEP_TIMEOUT }, async () => {
    const r = await withStdin(['users', 'create', '--email', 'ops@example.com', '--password-stdin', '--operator'], db.env, 'from stdin, not argv\n');
    const out = oneJsonObject(r);
    expect(out).toEqual({ id: expect.stringMatching(USER_ID) });
    const s = await signIn(h, 'ops@example.com', 'from stdin, not argv');
    expect((await h.app.inject({ method: 'GET', url: '/admin/accounts', headers: s.headers() })).statusCode).toBe(200);
  });

  it.runIf(full)('refuses a wrong role, a role without an account, a missing password, a short one (validation_failed), a taken email (conflict), an unknown account (not_found)', { timeout: STEP_TIMEOUT }, async () => {
    const bad = await Promise.all([
      cli('users', 'create', '--email', 'r1@example.com', '--password', 'long enough pw', '--account', acc.id, '--role', 'superuser'),
      cli('users', 'create', '--email', 'r2@example.com', '--password', 'long enough pw', '--role', 'admin'),
      cli('users', 'create', '--email', 'r3@example.com'),
      cli('users', 'create', '--email', 'r4@example.com', '--password', 'short'),
      cli('users', 'create', '--email', 'DEV@example.com', '--password', 'long enough pw'),
      cli('users', 'create', '--email', 'r6@example.com', '--password', 'long enough pw', '--account', 'acc_01aaaaaaaaaaaaaaaaaaaaaaaa'),
    ]);
    const codes = bad.map((r) => jsonFailure(r));
    expect(codes.map((c) => c.code)).toEqual(['validation_failed', 'validation_failed', 'validation_failed', 'validation_failed', 'conflict', 'not_found']);
    expect(codes[0]!.errors).toEqual([{ field: 'role', message: expect.any(String) }]);
    expect(codes[2]!.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
    for (const email of ['r1', 'r2', 'r3', 'r4', 'r6']) expect(await h.rt.store.users.byEmail(`${email}@example.com`)).toBeUndefined();
  });

  it.runIf(full)('users list → every user with their accounts and roles; --search narrows by email', { timeout: STEP_TIMEOUT }, async () => {
    const all = oneJsonObject(await cli('users', 'list'));
    expect(all.data.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(['dev@example.com', 'ops@example.com']));
    const some = oneJsonObject(await cli('users', 'list', '--search', 'DEV@'));
    expect(some.data).toEqual([expect.objectContaining({ email: 'dev@example.com', operator: false, accounts: [expect.objectContaining({ id: acc.id, role: 'developer' })] })]);
    expect(JSON.stringify(all)).not.toMatch(/password|argon2/);
  });

  it.runIf(full)('users set-password USER --password-stdin: the new password works, the old one does not, and every session ended', { timeout: STEP_TIMEOUT }, async () => {
    const session = await signIn(h, 'dev@example.com', 'correct horse battery');
    const out = oneJsonObject(await withStdin(['users', 'set-password', 'dev@example.com', '--password-stdin'], db.env, 'a brand new password\n'));
    expect(out).toMatchObject({ id: expect.stringMatching(USER_ID), password_set: true });
    expectError(await h.app.inject({ method: 'GET', url: '/auth/me', headers: session.headers() }), 401, 'not_signed_in');
    expectError(await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'dev@example.com', password: 'correct horse battery' } }), 401, 'invalid_credentials');
    await signIn(h, 'dev@example.com', 'a brand new password');
    expect((await cliAudit('user.password')).map((e) => e.target)).toContain(out.id);

    const byId = oneJsonObject(await cli('users', 'set-password', out.id, '--password', 'yet another password'));
    expect(byId.id).toBe(out.id);
    await signIn(h, 'dev@example.com', 'yet another password');
    expect(jsonFailure(await cli('users', 'set-password', 'nobody@example.com', '--password', 'long enough pw')).code).toBe('not_found');
    expect(jsonFailure(await cli('users', 'set-password', out.id, '--password', 'short')).code).toBe('validation_failed');
  });

  it.runIf(full)('users operator grant|revoke USER; the last operator keeps the flag (conflict)', { timeout: STEP_TIMEOUT }, async () => {
    const granted = oneJsonObject(await cli('users', 'operator', 'grant', 'dev@example.com'));
    expect(granted).toMatchObject({ email: 'dev@example.com', operator: true });
    expect((await cliAudit('user.operator.grant'))[0]).toMatchObject({ target: granted.id, before: { operator: false }, after: { operator: true } });
    const revoked = oneJsonObject(await cli('users', 'operator', 'revoke', granted.id));
    expect(revoked).toMatchObject({ id: granted.id, operator: false });
    const failed = jsonFailure(await cli('users', 'operator', 'revoke', 'ops@example.com'));
    expect(failed.code).toBe('conflict');
    expect((await h.rt.store.users.byEmail('ops@example.com'))!.operator).toBe(1);
  });
});
