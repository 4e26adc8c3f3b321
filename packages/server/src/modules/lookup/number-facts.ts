import {
  type CountryCode,
  isSupportedCountry,
  ParseError,
  parsePhoneNumberWithError,
  type PhoneNumber,
  validatePhoneNumberLength,
} from '../../lib/phone-metadata.ts';
import { type FieldError, validationError } from '../../lib/errors.ts';
import { PrefixDataset } from './prefix-data.ts';

/** libphonenumber's number types as the API spells them; `unknown` when it cannot tell (or the number is not valid). */
export const NUMBER_TYPES = [
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'voip',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/** Why a parsed number is not valid, in the spirit of Twilio Lookup's validation_errors. */
export const VALIDATION_ERRORS = ['too_short', 'too_long', 'invalid_length', 'invalid_but_possible'] as const;

export interface LookupInput {
  number: string;
  country?: string;
}

/** What the number itself says: the part of a lookup that neither money nor storage touch. */
export interface NumberFacts {
  number: string;
  valid: boolean;
  possible: boolean;
  country: string | null;
  type: NumberType;
  validation_errors: string[];
  carrier: string | null;
  region: string | null;
  national_format: string;
  international_format: string;
}

// Digits (any script), plus signs, spaces and the punctuation people write numbers with. Letters
// are refused rather than left to the parser, which would quietly drop everything from the first
// letter on ("+1 800 FLOWERS" parses as +1800) and charge for a lookup of another number.
const NUMBER_CHARACTERS = /^[\p{Nd}\p{Zs}\t+＋()（）[\]［］.．/／~\p{Pd}]+$/u;

// Google's mappers name a carrier only for numbers of these types: a carrier's prefix ranges are
// mobile allocations, and a fixed or toll-free number inside one would be named wrongly.
const CARRIER_TYPES: ReadonlySet<NumberType> = new Set(['mobile', 'fixed_line_or_mobile', 'pager']);
// Mobile numbers carry a place only where mobiles are numbered by area (Google's GEO_MOBILE_COUNTRIES:
// Mexico, Argentina, Brazil, Indonesia, China); elsewhere only fixed lines have one.
const GEO_MOBILE_CALLING_CODES: ReadonlySet<string> = new Set(['52', '54', '55', '62', '86']);

let sharedDataset: PrefixDataset | null = null;

/** The carrier and geocoding data every lookup of this process reads (decoded files are cached). */
export function numberDataset(): PrefixDataset {
  sharedDataset ??= new PrefixDataset();
  return sharedDataset;
}

function parseError(err: ParseError, hasCountry: boolean, international: boolean): FieldError {
  switch (err.message) {
    case 'INVALID_COUNTRY':
      if (international) return { field: 'number', message: 'starts with a country calling code that does not exist' };
      return hasCountry
        ? { field: 'number', message: 'cannot be read as a number of that country' }
        : { field: 'number', message: 'must be in international format (+ and the country code, e.g. +14155550123) unless "country" says where it belongs' };
    case 'TOO_SHORT':
      return { field: 'number', message: 'is too short to be a phone number' };
    case 'TOO_LONG':
      return { field: 'number', message: 'is too long to be a phone number' };
    default:
      return { field: 'number', message: 'is not a phone number' };
  }
}

function typeOf(phone: PhoneNumber): NumberType {
  const t = phone.getType();
  return t === undefined ? 'unknown' : (t.toLowerCase() as NumberType);
}

function validationErrorsOf(phone: PhoneNumber, valid: boolean): string[] {
  if (valid) return [];
  const length = validatePhoneNumberLength(phone.number);
  if (length === 'TOO_SHORT' || length === 'TOO_LONG' || length === 'INVALID_LENGTH') return [length.toLowerCase()];
  return ['invalid_but_possible'];
}

/**
 * Parses a number (international, or national with `country`) and describes it: validity, type,
 * country and formats from libphonenumber's full metadata, carrier and region from Google's
 * offline prefix data. Throws 422 validation_failed when the text cannot be parsed as a number at
 * all; a parsed number that is not valid is an answer (valid: false), as Twilio Lookup gives.
 */
export async function describeNumber(input: LookupInput, data: PrefixDataset = numberDataset()): Promise<NumberFacts> {
  const errors: FieldError[] = [];
  let country: CountryCode | undefined;
  if (input.country !== undefined) {
    const code = input.country.trim().toUpperCase();
    if (/^[A-Z]{2}$/.test(code) && isSupportedCountry(code)) country = code;
    else errors.push({ field: 'country', message: 'must be an ISO 3166-1 alpha-2 country code that has phone numbers, such as GB' });
  }
  const text = input.number.trim();
  let phone: PhoneNumber | undefined;
  if (!NUMBER_CHARACTERS.test(text)) {
    errors.push({ field: 'number', message: 'may hold only digits, a leading +, spaces and ( ) - . / (no letters or extensions)' });
  } else if (errors.length === 0) {
    try {
      phone = parsePhoneNumberWithError(text, country ? { defaultCountry: country } : {});
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      errors.push(parseError(err, country !== undefined, /^[+＋]/.test(text)));
    }
  }
  if (errors.length > 0 || !phone) throw validationError(errors);

  const valid = phone.isValid();
  const type = valid ? typeOf(phone) : 'unknown';
  const cc = phone.countryCallingCode;
  const nsn = phone.nationalNumber;
  const geographic = type === 'fixed_line' || type === 'fixed_line_or_mobile' || (type === 'mobile' && GEO_MOBILE_CALLING_CODES.has(cc));
  const [carrier, region] = await Promise.all([
    valid && CARRIER_TYPES.has(type) ? data.describe('carrier', cc, nsn) : null,
    valid && geographic ? data.describe('geocodes', cc, nsn) : null,
  ]);
  return {
    number: phone.number,
    valid,
    possible: phone.isPossible(),
    country: phone.country ?? null,
    type,
    validation_errors: validationErrorsOf(phone, valid),
    carrier,
    region,
    national_format: phone.formatNational(),
    international_format: phone.formatInternational(),
  };
}
