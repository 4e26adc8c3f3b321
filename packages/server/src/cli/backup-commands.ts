import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { restoreDatabase } from '../main.ts';
import type { Run } from './run.ts';
import { backupDatabase } from '../modules/admin/backup.ts';
import { rotateSecrets } from '../modules/admin/secrets-at-rest.ts';

type Print = (out: { json: unknown; text: string }) => void;

/** `hellio backup`, `hellio restore` and `hellio secrets rotate` (docs/reliability.md). */
export function backupCommands(program: Command, run: Run, print: Print): void {
  program
    .command('backup')
    .description('copy the SQLite database, consistently, while servers run (PostgreSQL: pg_dump)')
    .requiredOption('--to <file>', 'the backup file to write (mode 0600; replaced atomically if it exists)')
    .action((o: { to: string }) =>
      run(async (rt) => {
        const { file } = await backupDatabase(rt.ctx, o.to);
        return { json: { backup: file }, text: `backed up to ${file} (the key file is not in it: keep it apart)` };
      }),
    );
  program
    .command('restore')
    .description('replace the SQLite database with a backup (stop every server and worker first)')
    .requiredOption('--from <file>', 'a file written by hellio backup')
    .action(async (o: { from: string }) => {
      const r = await restoreDatabase(loadConfig(), o.from);
      print({ json: r, text: `restored ${r.database}${r.kept_aside ? `; the previous database is kept as ${r.kept_aside}` : ''}` });
    });
  const secrets = program.command('secrets').description('secrets at rest: the keys that seal them');
  secrets
    .command('rotate')
    .description('seal every secret again under HELLIO_SECRET_KEY (the old key in HELLIO_SECRET_KEY_PREVIOUS)')
    .action(() =>
      run(async (rt) => {
        const r = await rotateSecrets(rt.ctx, rt.secrets.keyId);
        return { json: r, text: `${r.resealed} secrets sealed under key ${r.key_id}; ${r.remaining} left` };
      }),
    );
}
