import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { validationError } from '../lib/errors.ts';
import type { AdminRuntime } from '../main.ts';
import type { Run } from './run.ts';
import { getAccount } from '../modules/access/accounts.ts';
import { SCOPES } from '../modules/access/scopes.ts';
import {
  createSuppression,
  deleteSuppressionByValue,
  exportSuppressions,
  importSuppressions,
  listSuppressions,
  type SuppressionCaller,
} from '../modules/suppressions/list.ts';
import { SUPPRESSION_CHANNELS, SUPPRESSION_SOURCES } from '../modules/suppressions/suppressions.ts';
import type { SuppressionChannel, SuppressionSource } from '../store/schema.ts';

function channelArg(text: string | undefined): SuppressionChannel | undefined {
  if (text === undefined) return undefined;
  if (!(SUPPRESSION_CHANNELS as readonly string[]).includes(text)) throw validationError([{ field: 'channel', message: 'must be sms or email' }]);
  return text as SuppressionChannel;
}

function sourceArg(text: string | undefined): SuppressionSource | undefined {
  if (text === undefined) return undefined;
  if (!(SUPPRESSION_SOURCES as readonly string[]).includes(text)) throw validationError([{ field: 'source', message: `must be one of ${SUPPRESSION_SOURCES.join(', ')}` }]);
  return text as SuppressionSource;
}

/** The operator acts for the account with every scope (as its owner would in the dashboard). */
async function callerFor(rt: AdminRuntime, accountId: string): Promise<SuppressionCaller> {
  await getAccount(rt.store, accountId);
  return { accountId, scopes: new Set(SCOPES) };
}

/** `hellio suppressions`: an account's suppression list (docs/inbound.md). */
export function suppressionsCommands(program: Command, run: Run): void {
  const cmd = program.command('suppressions').description("an account's suppression list: recipients never sent to (STOP, bounces, complaints, by hand)");
  cmd
    .command('list')
    .requiredOption('--account <account>')
    .option('--channel <channel>', 'sms or email')
    .option('--source <source>', SUPPRESSION_SOURCES.join(', '))
    .option('--limit <n>', 'at most this many, newest first (≤ 100)', '100')
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .action((o: { account: string; channel?: string; source?: string; limit: string; cursor?: string }) =>
      run(async (rt) => {
        await getAccount(rt.store, o.account);
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError([{ field: 'limit', message: 'must be 1–100' }]);
        const channel = channelArg(o.channel);
        const source = sourceArg(o.source);
        const list = await listSuppressions(rt.ctx, o.account, { limit, ...(channel ? { channel } : {}), ...(source ? { source } : {}), ...(o.cursor ? { cursor: o.cursor } : {}) });
        return { json: list, text: list.data.map((s) => `${s.channel}\t${s.value}\t${s.source}${s.reason ? `\t${s.reason}` : ''}`).join('\n') || '(empty)' };
      }),
    );
  cmd
    .command('add')
    .requiredOption('--account <account>')
    .requiredOption('--channel <channel>', 'sms or email')
    .requiredOption('--value <value>', 'the number (E.164) or address')
    .option('--reason <reason>')
    .action((o: { account: string; channel: string; value: string; reason?: string }) =>
      run(async (rt) => {
        const s = await createSuppression(rt.ctx, await callerFor(rt, o.account), { channel: channelArg(o.channel)!, value: o.value, reason: o.reason ?? null });
        return { json: s, text: s.created ? `${s.value} suppressed` : `${s.value} was already suppressed (${s.source})` };
      }),
    );
  cmd
    .command('remove')
    .requiredOption('--account <account>')
    .requiredOption('--channel <channel>', 'sms or email')
    .requiredOption('--value <value>')
    .action((o: { account: string; channel: string; value: string }) =>
      run(async (rt) => {
        const s = await deleteSuppressionByValue(rt.ctx, await callerFor(rt, o.account), channelArg(o.channel)!, o.value);
        return { json: { ...s, removed: true }, text: `${s.value} may be sent to again` };
      }),
    );
  cmd
    .command('import')
    .requiredOption('--account <account>')
    .requiredOption('--file <file>', 'CSV: channel,value[,reason] (or value[,reason] with --channel); an export imports back')
    .option('--channel <channel>', 'sms or email, for files without a channel column')
    .action((o: { account: string; file: string; channel?: string }) =>
      run(async (rt) => {
        const csv = await readFile(o.file, 'utf8');
        const channel = channelArg(o.channel);
        const r = await importSuppressions(rt.ctx, await callerFor(rt, o.account), { csv, ...(channel ? { channel } : {}) });
        return { json: r, text: `${r.added} added, ${r.existing} already listed, ${r.invalid.length} invalid${r.invalid.map((i) => `\n  line ${i.line}: ${i.message}`).join('')}` };
      }),
    );
  cmd
    .command('export')
    .description('the whole list as CSV on stdout (with --json: {"csv": …})')
    .requiredOption('--account <account>')
    .option('--channel <channel>', 'sms or email')
    .option('--source <source>')
    .action((o: { account: string; channel?: string; source?: string }) =>
      run(async (rt) => {
        await getAccount(rt.store, o.account);
        const channel = channelArg(o.channel);
        const source = sourceArg(o.source);
        let csv = '';
        for await (const chunk of exportSuppressions(rt.ctx, o.account, { ...(channel ? { channel } : {}), ...(source ? { source } : {}) })) csv += chunk;
        return { json: { csv }, text: csv.replace(/\r\n$/, '') };
      }),
    );
}
