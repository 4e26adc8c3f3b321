/** Who may sign up (HELLIO_SIGNUP, SPEC §5). */
export type SignupMode = 'closed' | 'approval' | 'open';
export const SIGNUP_MODES: readonly SignupMode[] = ['closed', 'approval', 'open'];

/** How people sign in and are reached on this installation (HELLIO_SIGNUP, HELLIO_SESSION_*, HELLIO_PUBLIC_URL, …). */
export interface PeopleSettings {
  signup: SignupMode;
  /** Where people reach the dashboard; links in emails start here (HELLIO_PUBLIC_URL, else http://localhost:PORT). */
  publicUrl: string;
  /** From: of the platform's own mail (invitations, resets, verification). */
  mailFrom: string;
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not. */
  sessionMaxMs: number;
  /** Sign-in attempts per client address, and per email, in `loginWindowMs`. */
  loginPerIp: number;
  loginPerEmail: number;
  loginWindowMs: number;
  /** Requests a minute one session may make to the dashboard's API (HELLIO_SESSION_REQUESTS_PER_MINUTE). */
  sessionRequestsPerMinute: number;
  invitationTtlMs: number;
  passwordResetTtlMs: number;
  emailVerificationTtlMs: number;
  setupTtlMs: number;
}
