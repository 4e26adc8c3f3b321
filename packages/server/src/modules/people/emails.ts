import type { PlatformEmail } from './deps.ts';

/** "1 hour", "48 hours", "7 days": how long a link lasts, as an email says it. */
export function lasting(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours >= 72 && hours % 24 === 0) return `${hours / 24} days`;
  if (hours >= 1) return hours === 1 ? '1 hour' : `${hours} hours`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

const SIGN_OFF = '\n\n— Hellio';

/** The link that confirms a new sign-up's address. */
export function verificationEmail(to: string, link: string, ttlMs: number): PlatformEmail {
  return {
    to,
    subject: 'Confirm your email address',
    text:
      `Welcome to Hellio. Confirm that this address is yours by opening this link within ${lasting(ttlMs)}:\n\n${link}\n\n` +
      `If you did not sign up, ignore this email: nothing happens without the link.${SIGN_OFF}`,
  };
}

/**
 * To an address that already has a user, instead of a second sign-up: the sign-up's answer is the
 * same either way, so only the owner of the mailbox learns that the address is taken.
 */
export function signupAttemptEmail(to: string, forgotPasswordUrl: string): PlatformEmail {
  return {
    to,
    subject: 'Someone tried to sign up with your address',
    text:
      `Someone (perhaps you) tried to sign up to Hellio with this address, which already has a user. No new user was made.\n\n` +
      `To sign in, use your existing password. If you forgot it, ask for a reset link here:\n\n${forgotPasswordUrl}\n\n` +
      `If it was not you, you can ignore this email.${SIGN_OFF}`,
  };
}

/** A reset link; a newer one voids it. */
export function passwordResetEmail(to: string, link: string, ttlMs: number): PlatformEmail {
  return {
    to,
    subject: 'Reset your Hellio password',
    text:
      `Open this link within ${lasting(ttlMs)} to choose a new password. It works once, and choosing a password signs you out everywhere:\n\n${link}\n\n` +
      `If you did not ask for it, ignore this email: your password stays as it is.${SIGN_OFF}`,
  };
}

/** An invitation to join an account with a role. */
export function invitationEmail(to: string, opts: { inviter: string; accountName: string; role: string; link: string; ttlMs: number }): PlatformEmail {
  return {
    to,
    subject: `${opts.inviter} invited you to ${opts.accountName} on Hellio`,
    text:
      `${opts.inviter} invited you to join the account "${opts.accountName}" on Hellio as ${opts.role}.\n\n` +
      `Accept within ${lasting(opts.ttlMs)} (the link works once):\n\n${opts.link}\n\n` +
      `If you did not expect this, ignore this email.${SIGN_OFF}`,
  };
}
