// Makes the bench's accounts in one process: N accounts, each with an `sms:send` key, a large
// top-up and the HELLIO sender approved. The same module functions `hellio accounts create`,
// `keys create`, `wallet topup` and `senders approve` call (src/cli/admin.ts), without paying
// ~1.5 s of process start for each of the 4 × N commands.
//
//   node bench/accept/accounts.mjs N      (database from HELLIO_DATA_DIR / DATABASE_URL)
// Prints {"accounts": [{"account": "acc_…", "key": "cs_…"}, …]} on stdout.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const src = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'packages/server/src');
const load = (p) => import(pathToFileURL(join(src, p)).href);
const { loadConfig } = await load('config/config.ts');
const { openRuntime } = await load('main.ts');
const { createLogger } = await load('lib/logger.ts');
const { createAccount } = await load('modules/access/accounts.ts');
const { createKey } = await load('modules/access/keys.ts');
const { parseScopes } = await load('modules/access/scopes.ts');
const { approveSender } = await load('modules/messages/senders.ts');
const { topUp } = await load('modules/billing/wallet.ts');

const n = Number(process.argv[2] ?? 1);
const rt = await openRuntime(loadConfig(), createLogger('warn', process.stderr));
const accounts = [];
try {
  const { scopes } = parseScopes('sms:send');
  for (let i = 0; i < n; i++) {
    const a = await createAccount(rt.ctx, `bench ${i}`, 'active');
    const { key } = await createKey(rt.ctx, { accountId: a.id, scopes, test: false, expiresAt: null, name: 'bench' });
    await topUp(rt.ctx, a.id, 100_000_000 * 1_000_000); // 100 million in micros: never the limit
    await approveSender(rt.ctx, a.id, 'HELLIO');
    accounts.push({ account: a.id, key });
  }
} finally {
  await rt.close();
}
process.stdout.write(`${JSON.stringify({ accounts })}\n`);
