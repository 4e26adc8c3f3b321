import { validationError } from '../../lib/errors.ts';
import { parseMicros } from '../../lib/money.ts';

/**
 * An amount an operator typed, as a decimal string ("10.00"; with `signed`, "-2.50" too), in
 * micro-units; 422 naming `field` otherwise.
 */
export function parseAmount(field: string, text: string, opts: { signed?: boolean } = {}): number {
  const t = text.trim();
  const negative = opts.signed === true && t.startsWith('-');
  const micros = parseMicros(negative ? t.slice(1) : t);
  if (micros === null) throw validationError([{ field, message: `must be a decimal amount such as ${opts.signed ? '-2.50' : '10.00'}` }]);
  return negative ? -micros : micros;
}
