import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { AppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { openAdminRuntime, serve } from '../main.ts';
import { adminCommands, domainCommands, routeCommands, sandboxCommands } from './admin.ts';
import { otpCommands } from './otp-commands.ts';
import { retentionCommands } from './retention-commands.ts';
import type { Run } from './run.ts';
import { usersCommands } from './users-commands.ts';
import { backupCommands } from './backup-commands.ts';
import { suppressionsCommands } from './suppressions-commands.ts';
import { SecretKeyMismatchError } from '../modules/admin/secrets-at-rest.ts';

const program = new Command('hellio')
  .description('Hellio: self-hosted messaging platform')
  .showHelpAfterError()
  .option('--json', 'print one JSON object on stdout');

/** Prints a command's result: one JSON object with --json, else its text. */
function print(out: { json: unknown; text: string }): void {
  process.stdout.write(program.opts().json ? `${JSON.stringify(out.json)}\n` : `${out.text}\n`);
}

/** Runs an admin action on a short-lived runtime (no serving code loaded) and prints its result. */
const withRuntime: Run = async (fn) => {
  const config = loadConfig();
  const rt = await openAdminRuntime(config, createLogger('warn', process.stderr as never));
  try {
    print(await fn(rt));
  } finally {
    await rt.close();
  }
};

program
  .command('start')
  .description('run everything in one process: the API and the delivery workers')
  .action(async () => serve(loadConfig(), { api: true, worker: true, buildDashboard: true }));
program
  .command('api')
  .description('run the HTTP API only')
  .action(async () => serve(loadConfig(), { api: true, worker: false }));
program
  .command('worker')
  .description('run the delivery workers only (any number of them, on the same database)')
  .action(async () => serve(loadConfig(), { api: false, worker: true }));
program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () =>
    withRuntime(async (rt) => {
      const applied = await rt.store.migrate();
      return { json: { applied }, text: applied.length ? `applied: ${applied.join(', ')}` : 'up to date' };
    }),
  );
adminCommands(program, withRuntime);
sandboxCommands(program, withRuntime);
routeCommands(program, withRuntime);
domainCommands(program, withRuntime);
otpCommands(program, withRuntime);
retentionCommands(program, withRuntime);
usersCommands(program, withRuntime);
suppressionsCommands(program, withRuntime);
backupCommands(program, withRuntime, print);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const json = program.opts().json;
  if (err instanceof AppError || err instanceof ConfigError || err instanceof SecretKeyMismatchError) {
    const body = err instanceof AppError
      ? { code: err.code, message: err.message, ...(err.errors ? { errors: err.errors } : {}) }
      : { code: err instanceof ConfigError ? 'invalid_config' : 'secret_key_mismatch', message: err.message };
    process.stderr.write(json ? `${JSON.stringify(body)}\n` : `error: ${body.message}\n`);
    process.exit(1);
  }
  throw err;
}
