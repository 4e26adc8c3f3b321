import { notFound, validationError } from '../../lib/errors.ts';
import { formatMicros } from '../../lib/money.ts';
import type { Store } from '../../store/store.ts';
import { isPriceChannel, PRICE_CHANNELS, PriceTable, type PriceChannel } from '../billing/pricing.ts';
import { parseE164 } from '../messages/sms-numbers.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

/** A destination prefix of a price list: up to 8 digits without "+"; "" is the channel's default rate. */
const PREFIX = /^\d{0,8}$/;

function checkChannel(channel: string): PriceChannel {
  if (!isPriceChannel(channel)) throw validationError([{ field: 'channel', message: `must be one of ${PRICE_CHANNELS.join(', ')}` }]);
  return channel;
}

function checkPrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) throw validationError([{ field: 'prefix', message: 'must be up to 8 digits without "+" ("" for the default rate)' }]);
  return prefix;
}

/** The price list, of one channel or of all, by channel and prefix. */
export async function listPrices(store: Store, channel?: string) {
  const rows = channel === undefined ? await store.prices.listAll() : (await store.prices.list(checkChannel(channel))).map((r) => ({ channel, ...r }));
  const data = rows
    .map((r) => ({ channel: r.channel, prefix: r.prefix, price: formatMicros(r.price_micros) }))
    .sort((a, b) => a.channel.localeCompare(b.channel) || a.prefix.localeCompare(b.prefix));
  return { currency: store.currency, data };
}

/** Sets the rate of a channel for a destination prefix (audited as price.set, with the rate before and after). */
export async function setPrice({ store, clock }: Deps, actor: AuditActor, input: { channel: string; prefix: string; price: number }) {
  const channel = checkChannel(input.channel);
  const prefix = checkPrefix(input.prefix);
  if (!Number.isSafeInteger(input.price) || input.price < 0) throw validationError([{ field: 'price', message: 'must be 0 or more' }]);
  return store.transaction(async (tx) => {
    const before = await tx.prices.get(channel, prefix);
    await tx.prices.set(channel, prefix, input.price);
    await audit(
      tx,
      actor,
      { accountId: null, action: 'price.set', target: `${channel}:${prefix}`, before: before === undefined ? null : { price: formatMicros(before) }, after: { price: formatMicros(input.price) } },
      clock.now(),
    );
    return { channel, prefix, price: formatMicros(input.price), currency: store.currency };
  });
}

/**
 * Removes a rate (audited as price.remove); 404 when there is none. Destinations it priced fall back
 * to a shorter prefix, or are refused when nothing matches (docs/pricing.md).
 */
export async function removePrice({ store, clock }: Deps, actor: AuditActor, input: { channel: string; prefix: string }) {
  const channel = checkChannel(input.channel);
  const prefix = checkPrefix(input.prefix);
  return store.transaction(async (tx) => {
    const before = await tx.prices.get(channel, prefix);
    if (before === undefined || !(await tx.prices.remove(channel, prefix))) throw notFound('Price');
    await audit(tx, actor, { accountId: null, action: 'price.remove', target: `${channel}:${prefix}`, before: { price: formatMicros(before) } }, clock.now());
    return { channel, prefix, removed: true as const };
  });
}

/** Channels priced per destination number; the others (email, email_verify) have one flat rate. */
const BY_NUMBER: ReadonlySet<PriceChannel> = new Set(['sms', 'lookup']);

/**
 * What the platform would charge for one unit of `channel` to `to` (an SMS segment, an email
 * recipient, a lookup, a verification), and the prefix whose row decided it. It reads the same
 * PriceTable the accept path charges from, so it cannot disagree with a real send; a destination
 * nothing prices gets the accept path's own 422.
 */
export async function quotePrice(store: Store, input: { channel: string; to: string }) {
  const channel = checkChannel(input.channel);
  const to = input.to.trim();
  let destination = '';
  if (BY_NUMBER.has(channel)) {
    const e164 = parseE164(to);
    if (!e164) throw validationError([{ field: 'to', message: 'must be a valid E.164 number such as +14155550123' }]);
    destination = e164;
  } else if (!/^[^\s@]+@[^\s@]+$/.test(to)) {
    throw validationError([{ field: 'to', message: 'must be an email address such as someone@example.com' }]);
  }
  // Session requests skip the per-request cache refresh that API keys get: catch up here, so a
  // rate changed a moment ago (on any process) is the rate quoted, as it is the rate charged.
  await store.cache.refresh();
  const row = (await PriceTable.load(store, channel)).quote(destination, 'to');
  return { channel, to: BY_NUMBER.has(channel) ? destination : to, prefix: row.prefix, price: formatMicros(row.price), currency: store.currency };
}
