/** How numbers, money and times read on every page. */

/** "12.3400 EUR" → "12.34 EUR" style: at least two decimals, at most four, as the API gave them. */
export function money(amount: string | null | undefined, currency?: string): string {
  if (amount === null || amount === undefined) return '—';
  const [whole, frac = ''] = amount.split('.');
  const trimmed = frac.replace(/0+$/, '').padEnd(2, '0');
  return `${whole}.${trimmed}${currency ? ` ${currency}` : ''}`;
}

/** A timestamp in the reader's locale, to the second; "—" for none. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A percentage with one decimal; "—" when there is nothing to divide. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** A whole number with the locale's separators. */
export function count(n: number): string {
  return n.toLocaleString();
}
