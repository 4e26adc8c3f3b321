import { ROLES } from '../../modules/people/roles.ts';
import { nullable, str } from './common.ts';
import { email, password, token } from './signup.ts';

const role = str({ enum: [...ROLES] });

export const memberSchema = {
  type: 'object',
  properties: { user_id: str(), email: str(), name: nullable('string'), role: str(), joined_at: str({ format: 'date-time' }) },
} as const;
export const memberListSchema = { type: 'object', properties: { data: { type: 'array', items: memberSchema } } } as const;
export const memberParams = { type: 'object', required: ['user_id'], properties: { user_id: str({ description: 'usr_…' }) } } as const;
export const roleBody = { type: 'object', additionalProperties: false, required: ['role'], properties: { role } } as const;
export const memberRemovedSchema = { type: 'object', properties: { user_id: str(), removed: { type: 'boolean' } } } as const;

export const inviteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'role'],
  properties: { email, role },
} as const;
export const invitationSchema = {
  type: 'object',
  properties: {
    id: str({ description: 'inv_…' }),
    email: str(),
    role: str(),
    invited_by: nullable('string'),
    created_at: str({ format: 'date-time' }),
    expires_at: str({ format: 'date-time' }),
  },
} as const;
export const invitationListSchema = { type: 'object', properties: { data: { type: 'array', items: invitationSchema } } } as const;

export const acceptBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token,
    password: { ...password, description: 'A new user chooses it; an existing user who is not signed in gives theirs' },
    name: str({ maxLength: 200 }),
    totp_code: str({ maxLength: 16 }),
    recovery_code: str({ maxLength: 64 }),
  },
} as const;

