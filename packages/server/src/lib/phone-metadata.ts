// libphonenumber-js with its full metadata, loaded through require(): 93 ES module files that,
// under Node 20, would each cross to tsx's loader thread and back (see store/kysely.ts). Import
// it from here only, so that ParseError and the parsed numbers come from one copy.
import { createRequire } from 'node:module';
import type * as L from 'libphonenumber-js/max';

const phones = createRequire(import.meta.url)('libphonenumber-js/max') as typeof L;

export type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
/** Whether libphonenumber knows the two-letter region code. */
export const isSupportedCountry = phones.isSupportedCountry;
/** Parses a number, undefined when it cannot. */
export const parsePhoneNumberFromString = phones.parsePhoneNumberFromString;
/** Parses a number, throwing a ParseError when it cannot. */
export const parsePhoneNumberWithError = phones.parsePhoneNumberWithError;
/** What parsePhoneNumberWithError throws. */
export const ParseError = phones.ParseError;
export type ParseError = L.ParseError;
/** Why a number's length is wrong for its region, or undefined when it is not. */
export const validatePhoneNumberLength = phones.validatePhoneNumberLength;
