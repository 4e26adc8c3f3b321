/** /accounts/:account_id/keys: API keys as the dashboard manages them. */
import { MAX_ROTATION_OVERLAP_S } from '../../modules/access/account-keys.ts';
import { SCOPES } from '../../modules/access/scopes.ts';
import { idParams, listQuery, nullable, pageOf, str } from './common.ts';

const keyProperties = {
  id: str(),
  name: str(),
  prefix: str({ description: 'The first characters of the key, to tell keys apart' }),
  scopes: { type: 'array', items: str() },
  test: { type: 'boolean', description: 'A sandbox key (cs_test_…)' },
  status: str({ enum: ['active', 'expired', 'revoked'] }),
  last_used_at: nullable('string'),
  expires_at: nullable('string'),
  revoked_at: nullable('string'),
  created_at: str(),
  rotated_to: { ...nullable('string'), description: 'The key that replaced this one (it works until expires_at)' },
} as const;

export const keySchema = { type: 'object', properties: keyProperties } as const;
/** A key just made: the only answer that holds the key itself. */
export const newKeySchema = {
  type: 'object',
  properties: { ...keyProperties, key: str({ description: 'The key (cs_…): shown now and never again' }) },
} as const;

export const keysQuery = listQuery();
export const keyPageSchema = pageOf(keySchema);
export const keyParams = idParams('key');

export const keyCreateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: str({ minLength: 1, maxLength: 100 }),
    scopes: { type: 'array', minItems: 1, uniqueItems: true, items: str({ enum: SCOPES }) },
    test: { type: 'boolean', description: 'A sandbox key: simulated channels only, never charged' },
    expires_at: { ...nullable('string'), description: 'RFC 3339; none by default' },
  },
} as const;

export const keyRotateBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    overlap_seconds: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_ROTATION_OVERLAP_S,
      description: 'How long the old key keeps working (never past its own expiry); 86400 by default, 0 ends it now',
    },
    expires_at: { ...nullable('string'), description: "The new key's expiry (RFC 3339); none by default" },
  },
} as const;

export const keyRotatedSchema = {
  type: 'object',
  properties: { key: newKeySchema, previous: keySchema },
} as const;
