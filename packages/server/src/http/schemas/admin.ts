/** /admin: the operators' console — accounts, sender approvals, money, prices, routes, providers, users, audit. */
import { PRICE_CHANNELS } from '../../modules/billing/pricing.ts';
import { ROLES } from '../../modules/people/roles.ts';
import { membershipSchema, userSchema } from './auth.ts';
import { listQuery, nullable, pageOf, str } from './common.ts';

const ACCOUNT_STATUSES = ['active', 'pending', 'suspended'] as const;
const amount = (description: string) => str({ maxLength: 32, description });

// ---- accounts ----

const accountSummaryProperties = {
  id: str({ description: 'acc_…' }),
  name: str(),
  status: str({ enum: ACCOUNT_STATUSES }),
  balance: str(),
  currency: str(),
  twilio_account_sid: str({ description: 'AC…: the user name of the Twilio-compatible API (docs/compat-twilio.md)' }),
  created_at: str({ format: 'date-time' }),
  updated_at: str({ format: 'date-time' }),
} as const;

const capSchema = { type: 'object', properties: { limit: nullable('string'), used: str() } } as const;

export const accountSummarySchema = { type: 'object', properties: accountSummaryProperties } as const;

export const accountDetailSchema = {
  type: 'object',
  properties: {
    ...accountSummaryProperties,
    spend_caps: { type: 'object', properties: { daily: capSchema, monthly: capSchema } },
    balance_low: nullable('string'),
    rate_limit_per_minute: nullable('integer'),
    ip_allowlist: { type: 'array', items: str() },
    member_count: { type: 'integer' },
    key_count: { type: 'integer', description: 'Keys neither revoked nor expired' },
  },
} as const;

export const accountsQuery = listQuery({
  search: str({ maxLength: 200, description: 'An account id, or part of a name (any case)' }),
  status: str({ enum: ACCOUNT_STATUSES }),
});
export const accountListSchema = pageOf(accountSummarySchema);

export const createAccountBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: str({ minLength: 1, maxLength: 200 }),
    status: str({ enum: ACCOUNT_STATUSES, description: 'active (default), or pending until an operator activates it' }),
  },
} as const;

// ---- senders and their approval queue ----

export const senderRequestSchema = {
  type: 'object',
  properties: {
    id: str({ description: 'sdr_…' }),
    account_id: str(),
    kind: str({ enum: ['sms', 'email_domain', 'email_address'] }),
    sender: str(),
    status: str({ enum: ['pending', 'approved', 'rejected'] }),
    note: nullable('string'),
    reason: nullable('string'),
    requested_by: nullable('string'),
    decided_by: nullable('string'),
    decided_at: nullable('string'),
    created_at: str({ format: 'date-time' }),
  },
} as const;

export const senderRequestsQuery = listQuery({
  status: str({ enum: ['pending', 'approved', 'rejected', 'all'], description: 'pending by default' }),
  account_id: str({ description: 'Only this account\'s requests' }),
});
export const senderRequestListSchema = pageOf(senderRequestSchema);

export const rejectBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: str({ minLength: 1, maxLength: 500, description: 'Shown to the account' }) },
} as const;

export const senderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sender'],
  properties: { sender: str({ minLength: 1, maxLength: 320, description: 'SMS sender id or number, email domain, or email address' }) },
} as const;

export const senderApprovedSchema = {
  type: 'object',
  properties: { account_id: str(), kind: str(), sender: str(), approved: { type: 'boolean' } },
} as const;

export const senderRevokedSchema = {
  type: 'object',
  properties: { account_id: str(), sender: str(), revoked: { type: 'boolean' } },
} as const;

// ---- money ----

export const topUpBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  properties: { amount: amount('Decimal string, e.g. "10.00"'), note: str({ maxLength: 200 }) },
} as const;

export const adjustBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'note'],
  properties: { amount: amount('Signed decimal string, e.g. "-2.50"'), note: str({ minLength: 1, maxLength: 200, description: 'Why: kept in the ledger and the audit log' }) },
} as const;

export const walletSchema = { type: 'object', properties: { account_id: str(), balance: str(), currency: str() } } as const;

// ---- prices ----

export const pricesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { channel: str({ enum: PRICE_CHANNELS, description: 'Every channel when omitted' }) },
} as const;

const priceRow = { type: 'object', properties: { channel: str(), prefix: str(), price: str() } } as const;
export const priceListSchema = { type: 'object', properties: { currency: str(), data: { type: 'array', items: priceRow } } } as const;

const prefix = (what: string) => str({ maxLength: 16, description: `Destination prefix, digits without "+"; "" (the default) is ${what}` });

export const putPriceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'price'],
  properties: { channel: str({ enum: PRICE_CHANNELS }), prefix: prefix('the channel\'s default rate'), price: amount('Decimal string per SMS segment / email recipient / lookup / verification / started minute of a call') },
} as const;

export const deletePriceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel'],
  properties: { channel: str({ enum: PRICE_CHANNELS }), prefix: prefix('the channel\'s default rate') },
} as const;

export const priceQuoteQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'to'],
  properties: {
    channel: str({ enum: PRICE_CHANNELS }),
    to: str({ maxLength: 320, description: 'An E.164 number (sms, lookup) or an email address (email, email_verify)' }),
  },
} as const;
export const priceQuoteSchema = {
  type: 'object',
  properties: {
    channel: str(),
    to: str({ description: 'The destination as priced (a number in E.164)' }),
    prefix: str({ description: 'The prefix of the row that decided the price; "" is the channel\'s default rate' }),
    price: str({ description: 'Per SMS segment / email recipient / lookup / verification' }),
    currency: str(),
  },
} as const;
export const priceSchema = { type: 'object', properties: { channel: str(), prefix: str(), price: str(), currency: str() } } as const;
export const removedSchema = { type: 'object', properties: { channel: str(), prefix: str(), removed: { type: 'boolean' } } } as const;

// ---- routes and providers ----

const routeSchema = { type: 'object', properties: { channel: str(), prefix: str(), provider: str(), fallback: nullable('string') } } as const;
export const routeItemSchema = routeSchema;

export const routeListSchema = {
  type: 'object',
  properties: {
    default_sms: str(),
    providers: { type: 'array', items: str(), description: 'SMS providers a route may name' },
    default_voice: str(),
    voice_providers: { type: 'array', items: str(), description: 'Voice trunks a route may name' },
    data: { type: 'array', items: routeSchema },
  },
} as const;

export const putRouteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['provider'],
  properties: {
    channel: str({ enum: ['sms', 'voice'], description: 'sms (the default) or voice' }),
    prefix: prefix('every destination without a longer match'),
    provider: str({ minLength: 1, maxLength: 100 }),
    fallback: { type: ['string', 'null'], maxLength: 100, description: 'Tried when the provider cannot connect or throttles' },
  },
} as const;

export const deleteRouteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { channel: str({ enum: ['sms', 'voice'] }), prefix: prefix('the default route') },
} as const;

const providerSchema = {
  type: 'object',
  properties: {
    name: str(),
    channel: str({ enum: ['sms', 'voice', 'email'] }),
    kind: str({ enum: ['simulator', 'smpp', 'http', 'smtp', 'sip'] }),
    default: { type: 'boolean', description: 'Carries live traffic that no route sends elsewhere' },
    sandbox: { type: 'boolean', description: 'Carries sandbox (cs_test_) traffic' },
    link: { type: ['string', 'null'], enum: ['idle', 'connecting', 'bound', 'backoff', 'closed', null] },
    bound: { type: ['boolean', 'null'], description: 'SMPP: bound to the SMSC now; null for providers without a standing link' },
    in_flight: { type: 'integer' },
    queued: { type: 'integer' },
    last_error: nullable('string'),
  },
} as const;

const queueSchema = {
  type: 'object',
  properties: {
    kind: str(),
    pending: { type: 'integer', description: 'Waiting, due now or later' },
    due: { type: 'integer', description: 'Waiting and due now' },
    running: { type: 'integer' },
    oldest_due_age_seconds: { type: ['integer', 'null'], description: 'How long the oldest due job has waited past its time' },
  },
} as const;

export const providersSchema = {
  type: 'object',
  properties: { providers: { type: 'array', items: providerSchema }, queues: { type: 'array', items: queueSchema } },
} as const;

// ---- users ----

export const userWithAccountsSchema = {
  type: 'object',
  properties: { ...userSchema.properties, accounts: { type: 'array', items: membershipSchema } },
} as const;

export const usersQuery = listQuery({ search: str({ maxLength: 320, description: 'Part of the email' }) });
export const userListSchema = pageOf(userWithAccountsSchema);

export const createUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: str({ maxLength: 320 }),
    password: str({ maxLength: 1024 }),
    name: str({ maxLength: 200 }),
    account_id: str({ description: 'Makes the user a member of this account…' }),
    role: str({ enum: ROLES, description: '…with this role (owner by default)' }),
    operator: { type: 'boolean' },
  },
} as const;

export const operatorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['operator'],
  properties: { operator: { type: 'boolean' } },
} as const;

// ---- audit ----

const auditSchema = {
  type: 'object',
  properties: {
    id: str({ description: 'aud_…' }),
    account_id: nullable('string'),
    actor: {
      type: 'object',
      description: 'A user ({type: "user", id, email, operator}) or the CLI ({type: "cli"})',
      properties: { type: str({ enum: ['user', 'cli'] }), id: str(), email: nullable('string'), operator: { type: 'boolean' } },
    },
    action: str(),
    target: nullable('string'),
    ip: nullable('string'),
    before: { description: 'The state before (JSON), or null' },
    after: { description: 'The state after (JSON), or null' },
    created_at: str({ format: 'date-time' }),
  },
} as const;

export const auditQuery = listQuery({
  account_id: str({ description: 'Only this account\'s entries' }),
  action: str({ maxLength: 100, description: 'Only this action, e.g. account.suspend' }),
});
export const auditListSchema = pageOf(auditSchema);
