import type { Role } from './roles.ts';

/** A signed-in person making a request: resolved from the session cookie once per request. */
export interface Actor {
  userId: string;
  email: string;
  operator: boolean;
  sessionId: string;
  /** The client address (per HELLIO_TRUST_PROXY), for the audit log. */
  ip: string;
}

/** A signed-in person acting in one account, with the role they hold there. */
export interface AccountActor extends Actor {
  accountId: string;
  /** Their membership's role; an operator without one acts as "owner". */
  role: Role;
}

/** Who did something, as the audit log records it: a person, or the CLI (null). */
export type AuditActor = Pick<Actor, 'userId' | 'email' | 'operator' | 'ip'> | null;
