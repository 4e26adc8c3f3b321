/** /domains: sending domains, their DKIM key's DNS records, verification. */
import { nullable, str } from './common.ts';

const recordSchema = {
  type: 'object',
  properties: { type: str(), name: str(), value: str(), purpose: str() },
} as const;

const domainProperties = {
  id: str(),
  domain: str(),
  status: str({ enum: ['pending', 'verified'] }),
  dkim_selector: str(),
  records: { type: 'array', items: recordSchema },
  verified_at: nullable('string'),
  created_at: str(),
} as const;

export const domainSchema = { type: 'object', properties: domainProperties } as const;

export const domainBody = {
  type: 'object',
  additionalProperties: false,
  required: ['domain'],
  properties: { domain: str({ minLength: 1, maxLength: 253 }) },
} as const;

export const domainListSchema = { type: 'object', properties: { data: { type: 'array', items: domainSchema }, next_cursor: nullable('string') } } as const;

export const domainVerifiedSchema = {
  type: 'object',
  properties: {
    ...domainProperties,
    checks: { type: 'object', properties: { dkim: { type: 'boolean' }, spf: nullable('boolean') } },
  },
} as const;
