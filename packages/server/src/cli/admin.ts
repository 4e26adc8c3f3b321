import type { Command } from 'commander';
import { validationError } from '../lib/errors.ts';
import { formatMicros, parseMicros } from '../lib/money.ts';
import { parseRfc3339, rfc3339 } from '../lib/time.ts';
import type { Run } from './run.ts';
import { type AccountStatus, changeAllowlist, setAccountCaps, setAccountRateLimit } from '../modules/access/accounts.ts';
import { createAccountAs, setAccountStatusAs } from '../modules/admin/accounts.ts';
import { setPrice } from '../modules/admin/prices.ts';
import { removeRouteAs, setRouteAs } from '../modules/admin/routes.ts';
import { approveSenderAs, revokeSenderAs } from '../modules/admin/senders.ts';
import { adjustAs, topUpAs } from '../modules/admin/wallet.ts';
import { assignNumber, listNumbers, releaseNumber } from '../modules/numbers/numbers.ts';
import { createKey, revokeKey, setKeyCaps, setKeyRateLimit } from '../modules/access/keys.ts';
import { addDomain, listDomains, verifyDomain } from '../modules/messages/domains.ts';
import { PRICE_CHANNELS } from '../modules/billing/pricing.ts';
import { parseScopes } from '../modules/access/scopes.ts';
import { setLowBalanceAlert } from '../modules/billing/wallet.ts';
import type { ApiKeyRow } from '../store/repos/keys.ts';
import { simulateMo } from '../modules/inbound/simulate.ts';

function money(field: string, text: string, signed = false): number {
  const negative = signed && text.trim().startsWith('-');
  const micros = parseMicros(negative ? text.trim().slice(1) : text);
  if (micros === null) throw validationError([{ field, message: 'must be a decimal amount such as 10.00' }]);
  return negative ? -micros : micros;
}

/** A cap argument: an amount, or "none" to remove the cap. */
function capArg(field: string, text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  return text === 'none' ? null : money(field, text);
}

function perMinute(text: string): number | null {
  if (text === 'default') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw validationError([{ field: 'per-minute', message: 'must be a positive integer or "default"' }]);
  return n;
}

function keyJson(row: ApiKeyRow) {
  return {
    id: row.id,
    account: row.account_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.split(' '),
    test: row.test === 1,
    rate_limit_per_minute: row.rate_limit_per_minute,
    expires_at: rfc3339(row.expires_at),
    last_used_at: rfc3339(row.last_used_at),
    revoked_at: rfc3339(row.revoked_at),
    created_at: rfc3339(row.created_at),
  };
}

/**
 * The admin commands of SPEC §5 (and a few listings); each prints one JSON object with --json.
 * What an operator does here is audited like the admin API's actions, with the CLI as the actor (null).
 */
export function adminCommands(program: Command, run: Run): void {
  const accounts = program.command('accounts').description('create, list, suspend and activate accounts');
  accounts
    .command('create')
    .requiredOption('--name <name>', 'account name')
    .option('--status <status>', 'active | pending | suspended', 'active')
    .action((o: { name: string; status: AccountStatus }) =>
      run(async (rt) => {
        const a = await createAccountAs(rt.ctx, null, o.name, o.status);
        return { json: { id: a.id, name: a.name, status: a.status, twilio_account_sid: a.twilio_account_sid }, text: a.id };
      }),
    );
  for (const [verb, status] of [['suspend', 'suspended'], ['activate', 'active']] as const) {
    accounts
      .command(`${verb} <account>`)
      .action((id: string) =>
        run(async (rt) => {
          const a = await setAccountStatusAs(rt.ctx, null, id, status);
          return { json: { id: a.id, status: a.status }, text: `${a.id} ${a.status}` };
        }),
      );
  }
  accounts.command('list').action(() =>
    run(async (rt) => {
      const rows = await rt.store.accounts.list();
      const data = rows.map((a) => ({ id: a.id, name: a.name, status: a.status, balance: formatMicros(a.balance_micros) }));
      return { json: { data }, text: data.map((a) => `${a.id}  ${a.status.padEnd(9)} ${a.balance.padStart(12)}  ${a.name}`).join('\n') };
    }),
  );

  const keys = program.command('keys').description('create, list and revoke API keys');
  keys
    .command('create')
    .requiredOption('--account <account>', 'account id (acc_…)')
    .requiredOption('--scopes <scopes>', 'comma-separated: email:send,sms:send,otp,voice,lookup,email:verify,reports,balance,webhooks')
    .option('--name <name>', 'a name to tell keys apart')
    .option('--test', 'a sandbox key (cs_test_…): simulated channels only, never charged')
    .option('--expires-at <time>', 'RFC 3339 expiry')
    .option('--import <key>', 'register an existing cs_… key (e.g. migrated from HeliosSend) instead of generating one')
    .action((o: { account: string; scopes: string; name?: string; test?: boolean; expiresAt?: string; import?: string }) =>
      run(async (rt) => {
        const { scopes, unknown } = parseScopes(o.scopes);
        if (unknown.length) throw validationError([{ field: 'scopes', message: `unknown scope(s): ${unknown.join(', ')}` }]);
        let expiresAt: number | null = null;
        if (o.expiresAt !== undefined) {
          expiresAt = parseRfc3339(o.expiresAt);
          if (expiresAt === null) throw validationError([{ field: 'expires-at', message: 'must be RFC 3339' }]);
        }
        const { row, key } = await createKey(rt.ctx, {
          accountId: o.account,
          scopes,
          test: o.test ?? false,
          expiresAt,
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.import !== undefined ? { importKey: o.import } : {}),
        });
        return {
          json: { ...keyJson(row), key },
          text: `${row.id}\n${key}\n(the key is shown only now: store it safely)`,
        };
      }),
    );
  keys.command('revoke <key_id>').action((id: string) =>
    run(async (rt) => {
      const row = await revokeKey(rt.ctx, id);
      return { json: { id: row.id, revoked_at: rfc3339(row.revoked_at) }, text: `${row.id} revoked` };
    }),
  );
  keys
    .command('list')
    .requiredOption('--account <account>')
    .action((o: { account: string }) =>
      run(async (rt) => {
        const data = (await rt.store.keys.listByAccount(o.account)).map(keyJson);
        return {
          json: { data },
          text: data.map((k) => `${k.id}  ${k.prefix}…  ${k.revoked_at ? 'revoked' : 'active '}  ${k.scopes.join(',')}  ${k.name}`).join('\n'),
        };
      }),
    );

  const wallet = program.command('wallet').description('top up and adjust wallets');
  wallet
    .command('topup')
    .requiredOption('--account <account>')
    .requiredOption('--amount <amount>', 'e.g. 10.00')
    .option('--note <note>')
    .action((o: { account: string; amount: string; note?: string }) =>
      run(async (rt) => {
        const balance = await topUpAs(rt.ctx, null, o.account, money('amount', o.amount), o.note ?? null);
        return { json: { account: o.account, balance: formatMicros(balance), currency: rt.config.currency }, text: `balance ${formatMicros(balance)} ${rt.config.currency}` };
      }),
    );
  wallet
    .command('adjust')
    .requiredOption('--account <account>')
    .requiredOption('--amount <amount>', 'signed, e.g. -2.50')
    .option('--note <note>')
    .action((o: { account: string; amount: string; note?: string }) =>
      run(async (rt) => {
        const balance = await adjustAs(rt.ctx, null, o.account, money('amount', o.amount, true), o.note ?? null);
        return { json: { account: o.account, balance: formatMicros(balance), currency: rt.config.currency }, text: `balance ${formatMicros(balance)} ${rt.config.currency}` };
      }),
    );

  wallet
    .command('alert')
    .description('emit a balance.low event when a debit takes the balance below an amount')
    .requiredOption('--account <account>')
    .requiredOption('--below <amount>', 'e.g. 5.00, or "none" to stop')
    .action((o: { account: string; below: string }) =>
      run(async (rt) => {
        const threshold = capArg('below', o.below) ?? null;
        await setLowBalanceAlert(rt.ctx, o.account, threshold);
        const shown = threshold === null ? null : formatMicros(threshold);
        return { json: { account: o.account, balance_low: shown, currency: rt.config.currency }, text: shown === null ? 'no low-balance alert' : `balance.low below ${shown} ${rt.config.currency}` };
      }),
    );

  const senders = program.command('senders').description('approve SMS senders, email domains and addresses');
  for (const verb of ['approve', 'revoke'] as const) {
    senders
      .command(verb)
      .requiredOption('--account <account>')
      .requiredOption('--sender <sender>', 'SMS sender id or number, email domain, or email address')
      .action((o: { account: string; sender: string }) =>
        run(async (rt) => {
          if (verb === 'approve') {
            const s = await approveSenderAs(rt.ctx, null, o.account, o.sender);
            return { json: { account: o.account, kind: s.kind, sender: s.sender, approved: true }, text: `${s.kind} ${s.sender} approved` };
          }
          const removed = await revokeSenderAs(rt.ctx, null, o.account, o.sender);
          return { json: { account: o.account, sender: o.sender, revoked: removed }, text: removed ? 'revoked' : 'was not approved' };
        }),
      );
  }

  const numbers = program.command('numbers').description('the numbers accounts receive SMS on (inbound, STOP/START/HELP)');
  numbers
    .command('assign')
    .requiredOption('--account <account>')
    .requiredOption('--number <number>', 'E.164, e.g. +447400123140')
    .action((o: { account: string; number: string }) =>
      run(async (rt) => {
        const n = await assignNumber(rt.ctx, null, o.account, o.number);
        return { json: n, text: `${n.number} assigned to ${n.account_id}` };
      }),
    );
  numbers
    .command('release')
    .requiredOption('--number <number>')
    .action((o: { number: string }) =>
      run(async (rt) => {
        const n = await releaseNumber(rt.ctx, null, o.number);
        return { json: n, text: `${n.number} released from ${n.account_id}` };
      }),
    );
  numbers
    .command('list')
    .option('--account <account>')
    .action((o: { account?: string }) =>
      run(async (rt) => {
        const list = await listNumbers(rt.store, o.account);
        return { json: list, text: list.data.map((n) => `${n.number}\t${n.account_id}`).join('\n') || '(none)' };
      }),
    );

  const allowlist = program.command('allowlist').description('restrict an account to source addresses');
  for (const op of ['add', 'remove'] as const) {
    allowlist
      .command(op)
      .requiredOption('--account <account>')
      .requiredOption('--ip <ip>', 'address or CIDR range, IPv4 or IPv6')
      .action((o: { account: string; ip: string }) =>
        run(async (rt) => {
          const list = await changeAllowlist(rt.ctx, o.account, op, o.ip);
          return { json: { account: o.account, allowlist: list }, text: list.length ? list.join('\n') : '(empty: open to all addresses)' };
        }),
      );
  }

  program
    .command('caps')
    .description('spend caps')
    .command('set')
    .option('--account <account>')
    .option('--key <key_id>', "set the key's own caps instead of the account's")
    .option('--daily <amount>', 'daily cap, or "none"')
    .option('--monthly <amount>', 'monthly cap, or "none"')
    .action((o: { account?: string; key?: string; daily?: string; monthly?: string }) =>
      run(async (rt) => {
        const caps = { daily: capArg('daily', o.daily), monthly: capArg('monthly', o.monthly) };
        const fmt = (v: number | null) => (v === null ? null : formatMicros(v));
        if (o.key) {
          const k = await setKeyCaps(rt.store, o.key, caps);
          const json = { key: k.id, daily: fmt(k.daily_cap_micros), monthly: fmt(k.monthly_cap_micros) };
          return { json, text: `daily ${json.daily ?? 'none'}, monthly ${json.monthly ?? 'none'}` };
        }
        if (!o.account) throw validationError([{ field: 'account', message: '--account or --key is required' }]);
        const a = await setAccountCaps(rt.ctx, o.account, caps);
        const json = { account: a.id, daily: fmt(a.daily_cap_micros), monthly: fmt(a.monthly_cap_micros), currency: rt.config.currency };
        return { json, text: `daily ${json.daily ?? 'none'}, monthly ${json.monthly ?? 'none'}` };
      }),
    );

  program
    .command('limits')
    .description('rate limits')
    .command('set')
    .option('--key <key_id>')
    .option('--account <account>', "the default for the account's keys")
    .requiredOption('--per-minute <n>', 'requests per minute, or "default"')
    .action((o: { key?: string; account?: string; perMinute: string }) =>
      run(async (rt) => {
        const n = perMinute(o.perMinute);
        if (o.key) {
          const k = await setKeyRateLimit(rt.store, o.key, n);
          return { json: { key: k.id, per_minute: k.rate_limit_per_minute }, text: `${k.id}: ${k.rate_limit_per_minute ?? 'default'}/min` };
        }
        if (!o.account) throw validationError([{ field: 'key', message: '--key or --account is required' }]);
        const a = await setAccountRateLimit(rt.ctx, o.account, n);
        return { json: { account: a.id, per_minute: a.rate_limit_per_minute }, text: `${a.id}: ${a.rate_limit_per_minute ?? 'default'}/min` };
      }),
    );

  const prices = program.command('prices').description('the price list');
  prices
    .command('set')
    .requiredOption('--channel <channel>', PRICE_CHANNELS.join(' | '))
    .option('--prefix <digits>', 'destination prefix without "+" (omit for the default rate)', '')
    .requiredOption('--price <amount>', 'per SMS segment / per email recipient / per lookup')
    .action((o: { channel: string; prefix: string; price: string }) =>
      run(async (rt) => {
        const json = await setPrice(rt.ctx, null, { channel: o.channel, prefix: o.prefix, price: money('price', o.price) });
        return { json, text: 'ok' };
      }),
    );
  prices
    .command('list')
    .requiredOption('--channel <channel>', PRICE_CHANNELS.join(' | '))
    .action((o: { channel: string }) =>
      run(async (rt) => {
        const rows = (await rt.store.prices.list(o.channel)).sort((a, b) => a.prefix.localeCompare(b.prefix));
        const data = rows.map((r) => ({ prefix: r.prefix, price: formatMicros(r.price_micros) }));
        return { json: { channel: o.channel, currency: rt.config.currency, data }, text: data.map((r) => `${(r.prefix || '*').padEnd(8)} ${r.price}`).join('\n') };
      }),
    );
}

/** `hellio sandbox inbox`: what the simulated phones and mailboxes received (OTP codes included). */
export function sandboxCommands(program: Command, run: Run): void {
  const sandbox = program.command('sandbox').description('the simulated networks');
  sandbox
    .command('mo')
    .description('a simulated phone sends an SMS to one of the numbers (an assigned one is stored as inbound; STOP/START/HELP apply)')
    .requiredOption('--from <number>', 'the phone, E.164')
    .requiredOption('--to <number>', 'the number it is sent to, E.164')
    .requiredOption('--text <text>')
    .action((o: { from: string; to: string; text: string }) =>
      run(async (rt) => {
        const { from, to } = await simulateMo(rt.channels, o);
        const owner = await rt.store.numbers.get(to);
        return { json: { from, to, delivered: owner !== undefined }, text: owner ? `received by ${owner.account_id}` : `${to} is not assigned: dropped` };
      }),
    );
  sandbox
    .command('inbox')
    .option('--to <address>', 'only what this number or email address received')
    .option('--limit <n>', 'at most this many, newest first', '20')
    .action((o: { to?: string; limit: string }) =>
      run(async (rt) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validationError([{ field: 'limit', message: 'must be 1–1000' }]);
        const to = o.to?.includes('@') ? o.to.trim().toLowerCase() : o.to?.trim();
        const rows = await rt.store.delivery.inbox({ ...(to !== undefined ? { recipient: to } : {}), limit });
        const data = rows.map((r) => ({
          message_id: r.message_id,
          channel: r.channel,
          from: r.sender,
          to: r.recipient,
          subject: r.subject,
          body: r.body,
          received_at: rfc3339(r.created_at),
        }));
        return {
          json: { data },
          text: data.length
            ? data.map((d) => `${d.received_at}  ${d.channel}  ${d.from} → ${d.to}\n  ${d.subject ? `${d.subject}: ` : ''}${d.body}`).join('\n')
            : '(empty)',
        };
      }),
    );
}

/** `hellio routes`: which provider carries SMS to which destination prefix, with failover. */
export function routeCommands(program: Command, run: Run): void {
  const routes = program.command('routes').description('SMS and voice routes per destination prefix, with a fallback provider');
  routes
    .command('set')
    .option('--channel <channel>', 'sms or voice', 'sms')
    .option('--prefix <digits>', 'destination prefix without "+" (omit for the default route)', '')
    .requiredOption('--provider <name>', 'provider name: simulator, smpp or a configured HTTP provider (sms); simulator, sip or a configured trunk (voice)')
    .option('--fallback <name>', 'provider to try when the first cannot connect or throttles')
    .action((o: { channel: string; prefix: string; provider: string; fallback?: string }) =>
      run(async (rt) => {
        const row = await setRouteAs(rt.ctx, null, rt.channels.known, {
          channel: o.channel,
          prefix: o.prefix,
          provider: o.provider,
          fallback: o.fallback ?? null,
        });
        return { json: row, text: `${row.channel} ${row.prefix || '*'} → ${row.provider}${row.fallback ? ` (fallback ${row.fallback})` : ''}` };
      }),
    );
  routes
    .command('remove')
    .option('--channel <channel>', 'sms or voice', 'sms')
    .option('--prefix <digits>', 'the prefix of the route', '')
    .action((o: { channel: string; prefix: string }) =>
      run(async (rt) => {
        const removed = await removeRouteAs(rt.ctx, null, o.channel, o.prefix);
        return { json: { channel: o.channel, prefix: o.prefix, removed }, text: removed ? 'removed' : 'no such route' };
      }),
    );
  routes.command('list').action(() =>
    run(async (rt) => {
      const data = (await rt.store.routes.list()).map((r) => ({ channel: r.channel, prefix: r.prefix, provider: r.provider, fallback: r.fallback }));
      return {
        json: { default_sms: rt.channels.defaultSms, providers: [...rt.channels.sms.keys()], data },
        text: [`default sms → ${rt.channels.defaultSms}`, ...data.map((r) => `${r.channel} ${r.prefix || '*'} → ${r.provider}${r.fallback ? ` (fallback ${r.fallback})` : ''}`)].join('\n'),
      };
    }),
  );
}

/** `hellio domains`: sending domains with their DKIM key and the DNS records to publish. */
export function domainCommands(program: Command, run: Run): void {
  const domains = program.command('domains').description('email sending domains: DKIM keys, DNS records, verification');
  domains
    .command('add')
    .requiredOption('--account <account>')
    .requiredOption('--domain <domain>')
    .action((o: { account: string; domain: string }) =>
      run(async (rt) => {
        const d = await addDomain(rt.ctx, o.account, o.domain);
        return { json: d, text: [`${d.id} ${d.domain} (${d.status}) — publish:`, ...d.records.map((r) => `  ${r.type.padEnd(5)} ${r.name}  ${r.value}`)].join('\n') };
      }),
    );
  domains
    .command('verify')
    .requiredOption('--account <account>')
    .requiredOption('--id <domain_id>')
    .action((o: { account: string; id: string }) =>
      run(async (rt) => {
        const d = await verifyDomain(rt.ctx, o.account, o.id);
        return { json: d, text: `${d.domain}: ${d.status} (dkim ${d.checks.dkim ? 'found' : 'not found'}, spf ${d.checks.spf ?? 'no answer'})` };
      }),
    );
  domains
    .command('list')
    .requiredOption('--account <account>')
    .action((o: { account: string }) =>
      run(async (rt) => {
        const page = await listDomains(rt.ctx, o.account);
        return { json: page, text: page.data.map((d) => `${d.id}  ${d.status.padEnd(8)} ${d.domain}`).join('\n') || '(none)' };
      }),
    );
}
