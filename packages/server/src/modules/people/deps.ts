import type { Background } from '../../lib/background.ts';
import type { RateLimiter } from '../../ratelimit/rate-limiter.ts';
import type { PeopleSettings } from './settings.ts';

/** One email the platform itself sends (an invitation, a reset link, a verification). */
export interface PlatformEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** The platform's own mail, sent through Hellio's email channel (modules/people/platform-mail.ts). */
export interface PlatformMail {
  send(email: PlatformEmail): Promise<void>;
}

/** What sign-in, sign-up and invitations need besides the store and the clock. */
export interface PeopleDeps {
  settings: PeopleSettings;
  /** Sign-in attempts are counted here (Redis when REDIS_URL is set, so every API process shares them). */
  limiter: RateLimiter;
  mail: PlatformMail;
  /** Work done after the answer (a reset link for an address that has a user), so the answer's timing tells nothing. */
  later: Background;
}
