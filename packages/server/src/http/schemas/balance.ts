/** GET /balance: the wallet and its spend caps. */
import { nullable, str } from './common.ts';

const capSchema = { type: 'object', properties: { limit: nullable('string'), used: str() } } as const;

export const balanceResponse = {
  type: 'object',
  properties: {
    balance: str(),
    currency: str(),
    spend_caps: { type: 'object', properties: { daily: capSchema, monthly: capSchema } },
  },
} as const;
