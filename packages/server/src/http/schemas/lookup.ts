/** POST /lookup, GET /lookups, GET /lookup/{id}. */
import { LOOKUP_NUMBER_MAX_LENGTH } from '../../modules/lookup/lookup.ts';
import { NUMBER_TYPES, VALIDATION_ERRORS } from '../../modules/lookup/number-facts.ts';
import { listQuery, nullable, str } from './common.ts';

export const lookupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['number'],
  properties: {
    number: str({ minLength: 1, maxLength: LOOKUP_NUMBER_MAX_LENGTH, description: 'E.164 (+14155550123), or a national number with "country"' }),
    country: str({ description: 'ISO 3166-1 alpha-2 country of a national-format number (ignored when the number starts with +)' }),
  },
} as const;

export const lookupSchema = {
  type: 'object',
  properties: {
    id: str(),
    number: str({ description: 'E.164' }),
    valid: { type: 'boolean' },
    possible: { type: 'boolean', description: 'Has a length some number of its country could have' },
    country: { ...nullable('string'), description: 'ISO 3166-1 alpha-2; null when no single country owns the number' },
    type: str({ enum: NUMBER_TYPES }),
    validation_errors: { type: 'array', items: str({ enum: VALIDATION_ERRORS }), description: 'Why the number is not valid; empty when it is' },
    carrier: { ...nullable('string'), description: 'The operator the number range was allocated to (not the current one after porting); null where the dataset has none' },
    region: { ...nullable('string'), description: 'Where a geographic number belongs (city or area); null where the dataset has none' },
    national_format: str(),
    international_format: str(),
    price: str(),
    currency: str(),
    sandbox: { type: 'boolean' },
    created_at: str(),
  },
} as const;

export const lookupsQuery = listQuery();
