import type { Command } from 'commander';
import type { Run } from './run.ts';
import { bodyRetention, parseBodyRetention, setBodyRetention } from '../modules/retention/account-retention.ts';
import { purge } from '../modules/retention/purge.ts';

const days = (n: number) => (n === 0 ? 'never redacted' : `redacted after ${n} days`);

/** `hellio retention`: an account's message-body retention, and a purge run now (docs/retention.md). */
export function retentionCommands(program: Command, run: Run): void {
  const retention = program.command('retention').description('how long records are kept: message bodies per account, purge now');
  retention
    .command('bodies')
    .description("show or set how long an account's message bodies are kept before they are redacted")
    .requiredOption('--account <account>', 'account id (acc_…)')
    .option('--days <days>', 'days, "never" (keep them), or "default" (HELLIO_RETENTION_BODIES_DAYS)')
    .action((o: { account: string; days?: string }) =>
      run(async (rt) => {
        const view =
          o.days === undefined
            ? await bodyRetention(rt.store, rt.config.retention, o.account)
            : await setBodyRetention(rt.store, rt.config.retention, o.account, parseBodyRetention(o.days));
        return { json: view, text: `${days(view.effective_days)}${view.body_retention_days === null ? ' (the default)' : ''}` };
      }),
    );
  retention
    .command('purge')
    .description('delete and redact what has outlived its period now (the workers also do it every 10 minutes)')
    .action(() =>
      run(async (rt) => {
        const report = await purge(rt.ctx, rt.config.retention);
        const lines = Object.entries(report.deleted).map(([t, n]) => `${t}: ${n} deleted`);
        lines.push(`messages: ${report.redacted} redacted`);
        if (report.more) lines.push('(stopped at its time budget: run it again, or let the workers carry on)');
        return { json: report, text: lines.join('\n') };
      }),
    );
}
