/** /accounts and /accounts/:account_id/…: the management API (the dashboard's) — the account, its allowlist and its audit log. */
import { MAX_ACCOUNT_NAME } from '../../modules/access/account-settings.ts';
import { listQuery, nullable, pageOf, str } from './common.ts';

const roleSchema = str({ enum: ['owner', 'admin', 'developer', 'viewer'] });

/** GET /accounts: the person's memberships. */
export const myAccountsSchema = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: { type: 'object', properties: { id: str({ description: 'acc_…' }), name: str(), status: str(), role: roleSchema } },
    },
    operator: { type: 'boolean', description: 'An operator also reaches every account (as an owner) and the admin API' },
  },
} as const;

export const accountSchema = {
  type: 'object',
  properties: {
    id: str(),
    name: str(),
    status: str({ enum: ['active', 'suspended', 'pending'] }),
    twilio_account_sid: str({ description: 'AC…: the user name of the Twilio-compatible API (docs/compat-twilio.md)' }),
    created_at: str({ format: 'date-time' }),
    role: { ...roleSchema, description: 'Your role in this account (an operator who is not a member: owner)' },
  },
} as const;

export const accountPatchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: str({ minLength: 1, maxLength: MAX_ACCOUNT_NAME }) },
} as const;

export const allowlistSchema = {
  type: 'object',
  properties: { data: { type: 'array', items: str(), description: 'IPv4/IPv6 addresses and CIDR ranges; empty: every address may use the keys' } },
} as const;

const ipField = str({ minLength: 1, maxLength: 64, description: 'An IPv4/IPv6 address or CIDR range ("203.0.113.0/24", "2001:db8::/32")' });

export const allowlistAddBody = { type: 'object', additionalProperties: false, required: ['ip'], properties: { ip: ipField } } as const;
/** DELETE takes the entry in the query: a CIDR range holds a slash, which a path segment cannot. */
export const allowlistRemoveQuery = { type: 'object', additionalProperties: false, required: ['ip'], properties: { ip: ipField } } as const;

export const auditQuery = listQuery({ action: str({ maxLength: 64, description: 'Only this action ("key.create", …)' }) });

export const auditEntrySchema = {
  type: 'object',
  properties: {
    id: str(),
    account_id: nullable('string'),
    actor: {
      type: 'object',
      description: 'A person (type user), or the server\'s command line (type cli)',
      properties: { type: str({ enum: ['user', 'cli'] }), id: str(), email: nullable('string'), operator: { type: 'boolean' } },
    },
    action: str(),
    target: nullable('string'),
    ip: nullable('string'),
    before: { description: 'The state before (JSON; never a secret)' },
    after: { description: 'The state after (JSON; never a secret)' },
    created_at: str({ format: 'date-time' }),
  },
} as const;

export const auditPageSchema = pageOf(auditEntrySchema);
