import { formatMicros } from '../../lib/money.ts';
import { rfc3339 } from '../../lib/time.ts';

/** What every stored charged result (a lookup, a verification) shows last: its price, whether a sandbox key made it, when. */
export function chargeFields(r: { price_micros: number; sandbox: number; created_at: number }, currency: string) {
  return { price: formatMicros(r.price_micros), currency, sandbox: r.sandbox === 1, created_at: rfc3339(r.created_at) };
}
