import { PASSWORD_MAX } from '../../modules/people/passwords.ts';
import { str } from './common.ts';

/** A one-time token from a link (setup, verification, reset, invitation). */
export const token = str({ minLength: 1, maxLength: 128, description: 'The token of the link (its ?token=…)' });
export const email = str({ maxLength: 320 });
// The length rules live in checkPassword (passwords.ts); the schema only bounds the body.
export const password = str({ maxLength: PASSWORD_MAX * 4, description: 'At least 8 characters' });

export const setupStatusSchema = {
  type: 'object',
  properties: { needed: { type: 'boolean', description: 'true until the first user exists' } },
} as const;

export const setupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'email', 'password'],
  properties: {
    token,
    email,
    password,
    name: str({ maxLength: 200 }),
    account_name: str({ maxLength: 200, description: 'The first account ("My account" when omitted)' }),
  },
} as const;

export const signupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password', 'account_name'],
  properties: { email, password, name: str({ maxLength: 200 }), account_name: str({ minLength: 1, maxLength: 200 }) },
} as const;

/** The answer that does not say whether an address has a user. */
export const checkEmailSchema = {
  type: 'object',
  properties: { status: str({ enum: ['check_your_email'] }) },
} as const;

export const tokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token },
} as const;

export const verifiedSchema = {
  type: 'object',
  properties: {
    verified: { type: 'boolean' },
    email: str(),
    account: {
      type: ['object', 'null'],
      description: 'The account made at sign-up, and its status now',
      properties: { id: str(), name: str(), status: str() },
    },
  },
} as const;

export const resetRequestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: { email },
} as const;

export const resetConfirmBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'password'],
  properties: { token, password },
} as const;

export const passwordChangedSchema = { type: 'object', properties: { status: str({ enum: ['password_changed'] }) } } as const;

