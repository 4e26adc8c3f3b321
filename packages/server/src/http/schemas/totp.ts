import { str } from './common.ts';

export const totpSetupSchema = {
  type: 'object',
  properties: {
    secret: str({ description: 'Base32, for typing into an authenticator app' }),
    otpauth_uri: str({ description: 'otpauth://totp/… for a QR code' }),
  },
} as const;
export const codeBody = { type: 'object', additionalProperties: false, required: ['code'], properties: { code: str({ maxLength: 64 }) } } as const;
export const totpDisableBody = {
  type: 'object',
  additionalProperties: false,
  required: ['password', 'code'],
  properties: { password: str({ maxLength: 1024 }), code: str({ maxLength: 64, description: 'A current code, or a recovery code' }) },
} as const;
export const recoveryCodesSchema = {
  type: 'object',
  properties: { recovery_codes: { type: 'array', items: str(), description: 'Shown once: each signs in once instead of a code' } },
} as const;
export const totpOffSchema = { type: 'object', properties: { totp_enabled: { type: 'boolean' } } } as const;
