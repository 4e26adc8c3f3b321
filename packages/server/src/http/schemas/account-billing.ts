/** /accounts/:account_id/billing, caps, alerts, ledger, usage and sandbox inbox: the money and the traffic. */
import { LEDGER_KINDS } from '../../modules/billing/account-billing.ts';
import { listQuery, nullable, pageOf, str } from './common.ts';

const capSchema = { type: 'object', properties: { limit: nullable('string'), used: str() } } as const;

export const billingSchema = {
  type: 'object',
  properties: {
    balance: str(),
    currency: str(),
    spend_caps: { type: 'object', properties: { daily: capSchema, monthly: capSchema } },
    low_balance_alert: { type: 'object', properties: { below: { ...nullable('string'), description: 'balance.low is sent when a debit takes the balance below this' } } },
  },
} as const;

const amount = (description: string) => ({ ...nullable('string'), maxLength: 32, description }) as const;

export const capsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['daily', 'monthly'],
  properties: { daily: amount('Daily spend cap ("5.00"), or null for none'), monthly: amount('Monthly spend cap, or null for none') },
} as const;

export const lowBalanceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['below'],
  properties: { below: amount('Announce balance.low below this amount ("5.00"), or null for never') },
} as const;

const rangeFilters = {
  from: str({ description: 'Created at or after: RFC 3339, or a date (YYYY-MM-DD, UTC)' }),
  to: str({ description: 'Created before: RFC 3339, or a date (YYYY-MM-DD, UTC)' }),
} as const;

const ledgerFilters = { kind: str({ enum: LEDGER_KINDS }), ...rangeFilters } as const;
export const ledgerQuery = listQuery(ledgerFilters);
export const ledgerCsvQuery = { type: 'object', additionalProperties: false, properties: ledgerFilters } as const;

export const ledgerEntrySchema = {
  type: 'object',
  properties: {
    id: str(),
    kind: str(),
    amount: str({ description: 'Signed: a debit is negative' }),
    balance_after: str(),
    currency: str(),
    reference: nullable('string'),
    note: nullable('string'),
    created_at: str(),
  },
} as const;
export const ledgerPageSchema = pageOf(ledgerEntrySchema);

/** The CSV export: its answer is text, not JSON. */
export const ledgerCsvResponse = {
  description: 'RFC 4180 CSV with a header row: id, created_at, kind, amount, balance_after, currency, reference, note',
  content: { 'text/csv': { schema: { type: 'string' } } },
} as const;

export const usageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    granularity: str({ enum: ['hour', 'day'], description: 'UTC hours (a range of ≤ 31 days) or days (≤ 400 days); day by default' }),
    channel: str({ enum: ['sms', 'email'] }),
    ...rangeFilters,
  },
} as const;

export const usageSchema = {
  type: 'object',
  properties: {
    granularity: str(),
    from: str({ description: 'The range, widened to whole buckets' }),
    to: str(),
    currency: str(),
    data: {
      type: 'array',
      description: 'One cell per bucket, channel and status that had messages (empty buckets are left out)',
      items: {
        type: 'object',
        properties: {
          bucket: str({ description: 'The start of the hour or day' }),
          channel: str(),
          status: str(),
          count: { type: 'integer' },
          spend: str({ description: 'What the live messages cost (sandbox ones are free; failed ones were refunded)' }),
        },
      },
    },
    totals: { type: 'object', properties: { count: { type: 'integer' }, spend: str() } },
    channels: {
      type: 'array',
      description: 'Per channel over the whole range (channels without messages are left out): the delivery rates dashboards show',
      items: {
        type: 'object',
        properties: {
          channel: str(),
          count: { type: 'integer' },
          spend: str(),
          statuses: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Messages per status' },
          delivered: { type: 'integer' },
          failed: { type: 'integer', description: 'failed and undelivered' },
          bounced: { type: 'integer' },
          rates: {
            type: 'object',
            description: 'Percentages of count with one decimal ("66.7"); messages still on their way count in the whole',
            properties: { delivered: str(), failed: str(), bounced: str() },
          },
        },
      },
    },
  },
} as const;

export const inboxQuery = listQuery({ to: str({ maxLength: 320, description: 'Only what this recipient got' }) });
export const inboxPageSchema = pageOf({
  type: 'object',
  properties: {
    id: str(),
    message_id: str(),
    channel: str(),
    from: str(),
    to: str(),
    subject: nullable('string'),
    body: str(),
    created_at: str(),
  },
} as const);
