import type { Command } from 'commander';
import type { Run } from './run.ts';
import { liftOtpBlock, otpBlocks, otpCountries, setOtpCountries } from '../modules/otp/admin.ts';

/** `hellio otp`: geo permissions and the prefixes the SMS-pumping defence paused. */
export function otpCommands(program: Command, run: Run): void {
  const otp = program.command('otp').description('OTP verification: allowed destination countries, paused prefixes');
  otp
    .command('countries')
    .description('show or set the countries an account may send codes to (all by default)')
    .requiredOption('--account <account>', 'account id (acc_…)')
    .option('--allow <countries>', 'comma-separated ISO 3166-1 alpha-2 codes (US,GB), or "all"')
    .action((o: { account: string; allow?: string }) =>
      run(async (rt) => {
        const allowed = o.allow === undefined ? await otpCountries(rt.store, o.account) : await setOtpCountries(rt.ctx, o.account, o.allow);
        return { json: { account: o.account, allowed_countries: allowed }, text: allowed === null ? 'all countries' : allowed.join(', ') };
      }),
    );
  otp
    .command('blocks')
    .description('destination prefixes paused for an account by the SMS-pumping defence, and why')
    .requiredOption('--account <account>', 'account id (acc_…)')
    .action((o: { account: string }) =>
      run(async (rt) => {
        const data = await otpBlocks(rt.ctx, o.account);
        return {
          json: { data },
          text: data.length ? data.map((b) => `${b.prefix}  until ${b.blocked_until}\n  ${b.reason}`).join('\n') : '(none)',
        };
      }),
    );
  otp
    .command('unblock')
    .description('lift a pause early')
    .requiredOption('--account <account>', 'account id (acc_…)')
    .requiredOption('--prefix <prefix>', 'the paused prefix, e.g. +447911')
    .action((o: { account: string; prefix: string }) =>
      run(async (rt) => {
        const lifted = await liftOtpBlock(rt.ctx, o.account, o.prefix);
        return { json: { account: o.account, prefix: o.prefix, lifted }, text: lifted ? 'lifted' : 'no pause was in force' };
      }),
    );
}
