import { parseMicros } from '../lib/money.ts';

const micros = (decimal: string): number => parseMicros(decimal)!;

/**
 * The price list a new installation starts with (docs/pricing.md explains it). Rates are per SMS
 * segment by destination prefix, longest prefix wins; "" is the fallback. Email is per recipient.
 * Operators replace these with their own rates; they are plausible list prices, not quotes.
 */
const SMS_RATES: Array<[prefix: string, price: string]> = [
  ['', '0.0500'],
  ['1', '0.0080'], // United States, Canada
  ['44', '0.0400'], // United Kingdom
  ['49', '0.0800'], // Germany
  ['33', '0.0750'], // France
  ['34', '0.0700'], // Spain
  ['39', '0.0700'], // Italy
  ['31', '0.0900'], // Netherlands
  ['61', '0.0500'], // Australia
  ['81', '0.0700'], // Japan
  ['86', '0.0350'], // China
  ['91', '0.0060'], // India
  ['55', '0.0250'], // Brazil
  ['52', '0.0200'], // Mexico
  ['27', '0.0200'], // South Africa
  ['234', '0.0300'], // Nigeria
  ['254', '0.0250'], // Kenya
];

const EMAIL_RATE = '0.0010';

export const DEFAULT_PRICES: ReadonlyArray<{ channel: string; prefix: string; price_micros: number }> = [
  ...SMS_RATES.map(([prefix, price]) => ({ channel: 'sms', prefix, price_micros: micros(price) })),
  { channel: 'email', prefix: '', price_micros: micros(EMAIL_RATE) },
];
