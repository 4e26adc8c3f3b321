import type { Store } from '../store/store.ts';

/**
 * The channels that have a price list: what `hellio prices set|list --channel` accepts. A product
 * that charges adds its channel here and its default rows in its migration.
 */
export const PRICE_CHANNELS: readonly string[] = ['sms', 'email', 'lookup', 'email_verify'];

const built = new WeakMap<object, PriceTable>();

/** A channel's rates by destination prefix; the longest matching prefix wins. */
export class PriceTable {
  private readonly byPrefix: Map<string, number>;
  private readonly maxLen: number;

  constructor(rows: ReadonlyArray<{ prefix: string; price_micros: number }>) {
    this.byPrefix = new Map(rows.map((r) => [r.prefix, r.price_micros]));
    this.maxLen = Math.max(0, ...rows.map((r) => r.prefix.length));
  }

  /** The channel's table, from the store's cache: built once per change of the price list. */
  static async load(store: Store, channel: string): Promise<PriceTable> {
    const rows = await store.cache.priceRows(channel);
    let table = built.get(rows);
    if (!table) {
      table = new PriceTable(rows);
      built.set(rows, table);
    }
    return table;
  }

  /** The rate for a destination (E.164 with or without "+"); null when nothing, not even "", matches. */
  rateFor(destination: string): number | null {
    const digits = destination.startsWith('+') ? destination.slice(1) : destination;
    for (let len = Math.min(this.maxLen, digits.length); len >= 0; len--) {
      const price = this.byPrefix.get(digits.slice(0, len));
      if (price !== undefined) return price;
    }
    return null;
  }
}
