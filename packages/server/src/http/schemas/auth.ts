import { nullable, str } from './common.ts';

export const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: str({ maxLength: 320 }),
    password: str({ maxLength: 1024 }),
    totp_code: str({ maxLength: 16, description: 'The authenticator app\'s code, when the second factor is on' }),
    recovery_code: str({ maxLength: 64, description: 'A recovery code instead of totp_code (each works once)' }),
  },
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: str(),
    email: str(),
    name: nullable('string'),
    operator: { type: 'boolean' },
    email_verified: { type: 'boolean' },
    totp_enabled: { type: 'boolean' },
    created_at: str({ format: 'date-time' }),
  },
} as const;

export const membershipSchema = {
  type: 'object',
  properties: { id: str({ description: 'acc_…' }), name: str(), status: str(), role: str() },
} as const;

/** Who is signed in: the user, their accounts and the CSRF token their state-changing requests send. */
export const meSchema = {
  type: 'object',
  properties: {
    user: userSchema,
    accounts: { type: 'array', items: membershipSchema },
    csrf_token: str({ description: 'Send as X-CSRF-Token on every POST, PATCH, PUT and DELETE of this session' }),
    session: { type: 'object', properties: { id: str(), expires_at: str({ format: 'date-time' }) } },
  },
} as const;

export const sessionSchema = {
  type: 'object',
  properties: {
    id: str(),
    current: { type: 'boolean' },
    ip: str(),
    user_agent: nullable('string'),
    created_at: str({ format: 'date-time' }),
    last_seen_at: str({ format: 'date-time' }),
    expires_at: str({ format: 'date-time' }),
  },
} as const;

export const sessionListSchema = { type: 'object', properties: { data: { type: 'array', items: sessionSchema } } } as const;
export const revokedSchema = { type: 'object', properties: { id: str(), revoked: { type: 'boolean' } } } as const;
export const revokedCountSchema = { type: 'object', properties: { revoked: { type: 'integer' } } } as const;
export const okSchema = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;

export const renameBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { ...nullable('string'), maxLength: 1000, description: 'Your display name (trimmed, at most 200 characters); empty or null clears it' } },
} as const;
export const passwordChangeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['current_password', 'password'],
  properties: { current_password: str({ maxLength: 1024 }), password: str({ maxLength: 1024, description: 'The new password' }) },
} as const;
export const passwordChangedSchema = { type: 'object', properties: { status: str({ enum: ['password_changed'] }) } } as const;
