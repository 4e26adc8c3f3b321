import type { RateLimiter } from '../../ratelimit/rate-limiter.ts';
import type { Store } from '../../store/store.ts';
import { type OtpKeys, otpKeys, resolveOtpSecret } from './otp-keys.ts';
import type { OtpSettings } from './settings.ts';

/** What the OTP module needs besides the store: its settings, its keys and the shared counters. */
export interface OtpDeps {
  settings: OtpSettings;
  keys: OtpKeys;
  rateLimiter: RateLimiter;
}

/** Resolves the secret (generating and storing it on first use) and assembles the module's needs. */
export async function openOtp(store: Store, settings: OtpSettings, rateLimiter: RateLimiter, now: number): Promise<OtpDeps> {
  return { settings, keys: otpKeys(await resolveOtpSecret(store, settings.secret, now)), rateLimiter };
}
