import { AppError } from '../../lib/errors.ts';
import type { Store } from '../../store/store.ts';

/**
 * The channels that have a price list: what `hellio prices set|list --channel` accepts. A product
 * that charges adds its channel here and its default rows in its migration.
 */
export const PRICE_CHANNELS = ['sms', 'email', 'lookup', 'email_verify', 'voice'] as const;

export type PriceChannel = (typeof PRICE_CHANNELS)[number];

/** How a channel's price is named to people. */
const PRODUCT: Record<PriceChannel, string> = { sms: 'SMS', email: 'email', lookup: 'lookup', email_verify: 'email verification', voice: 'voice' };

const built = new WeakMap<object, PriceTable>();

/** A channel's rates by destination prefix; the longest matching prefix wins. */
export class PriceTable {
  private readonly byPrefix: Map<string, number>;
  private readonly maxLen: number;

  constructor(
    rows: ReadonlyArray<{ prefix: string; price_micros: number }>,
    private readonly channel: PriceChannel = 'sms',
  ) {
    this.byPrefix = new Map(rows.map((r) => [r.prefix, r.price_micros]));
    this.maxLen = Math.max(0, ...rows.map((r) => r.prefix.length));
  }

  /** The channel's table, from the store's cache: built once per change of the price list. */
  static async load(store: Store, channel: PriceChannel): Promise<PriceTable> {
    const rows = await store.cache.priceRows(channel);
    let table = built.get(rows);
    if (!table) {
      table = new PriceTable(rows, channel);
      built.set(rows, table);
    }
    return table;
  }

  /** The row that prices a destination (E.164 with or without "+"): the longest matching prefix, or null. */
  match(destination: string): { prefix: string; price: number } | null {
    const digits = destination.startsWith('+') ? destination.slice(1) : destination;
    for (let len = Math.min(this.maxLen, digits.length); len >= 0; len--) {
      const prefix = digits.slice(0, len);
      const price = this.byPrefix.get(prefix);
      if (price !== undefined) return { prefix, price };
    }
    return null;
  }

  /** The rate for a destination (E.164 with or without "+"); null when nothing, not even "", matches. */
  rateFor(destination: string): number | null {
    return this.match(destination)?.price ?? null;
  }

  /**
   * The rate for a destination ("" for a flat-priced product), or the one error every product
   * answers when the operator set none: 422 naming the request field it is about. Never a 500,
   * and never free: an unpriced destination is not sent to, looked up or verified.
   */
  priceOf(destination: string, field: string): number {
    return this.quote(destination, field).price;
  }

  /** What priceOf charges, with the prefix whose row decided it (the admin price tester shows both). */
  quote(destination: string, field: string): { prefix: string; price: number } {
    const row = this.match(destination);
    if (row !== null) return row;
    const what = PRODUCT[this.channel];
    const where = destination ? ` for ${destination}` : ' on this installation';
    throw new AppError('validation_failed', `No ${what} price is set${where}`, { errors: [{ field, message: `no ${what} price is set${where}` }] });
  }
}

/** True for a channel that has a price list. */
export function isPriceChannel(name: string): name is PriceChannel {
  return (PRICE_CHANNELS as readonly string[]).includes(name);
}
