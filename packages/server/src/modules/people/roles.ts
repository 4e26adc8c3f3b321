import type { Role } from '../../store/schema.ts';

export type { Role };

/** The roles of a membership, most powerful first (SPEC §5). */
export const ROLES: readonly Role[] = ['owner', 'admin', 'developer', 'viewer'];

/**
 * What a signed-in person may do in an account. Each management route names one permission;
 * ROLE_PERMISSIONS below is the whole policy (docs/api.md prints it as a table).
 */
export const PERMISSIONS = [
  'account:read',
  'account:write',
  'members:read',
  'members:write',
  'keys:read',
  'keys:write',
  'webhooks:read',
  'webhooks:write',
  'allowlist:read',
  'allowlist:write',
  'senders:read',
  'senders:write',
  'messages:read',
  'messages:write',
  'lookups:read',
  'usage:read',
  'billing:read',
  'billing:write',
  'sandbox:read',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const READ = PERMISSIONS.filter((p) => p.endsWith(':read'));
// What a developer may not touch: the account itself, its people, its money, its audit log.
const NOT_DEVELOPER: ReadonlySet<Permission> = new Set(['account:write', 'members:read', 'members:write', 'billing:read', 'billing:write', 'audit:read']);
const DEVELOPER = PERMISSIONS.filter((p) => !NOT_DEVELOPER.has(p));

/**
 * owner: everything. admin: everything but ownership (making or removing owners) and the audit
 * log. developer: keys, webhooks, allowlist, senders and logs — not the wallet, the members or the
 * account itself. viewer: reads everything a developer reads, plus the wallet and the members.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(PERMISSIONS.filter((p) => p !== 'audit:read')),
  developer: new Set(DEVELOPER),
  viewer: new Set(READ.filter((p) => p !== 'audit:read')),
};

/** Whether a role grants a permission. */
export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Whether `text` names a role. */
export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}
