import { rfc3339 } from '../../lib/time.ts';
import type { OtpRow } from '../../store/repos/otp.ts';
import { OTP_MAX_ATTEMPTS } from './settings.ts';

/** A verification as the API and the otp.approved event show it; the code never appears. */
export function otpView(o: OtpRow) {
  return {
    id: o.id,
    status: o.status,
    to: o.recipient,
    channel: o.channel,
    sends: o.sends,
    attempts_remaining: Math.max(0, OTP_MAX_ATTEMPTS - o.attempts),
    message_id: o.message_id,
    sandbox: o.sandbox === 1,
    expires_at: rfc3339(o.expires_at),
    approved_at: rfc3339(o.approved_at),
    created_at: rfc3339(o.created_at),
    updated_at: rfc3339(o.updated_at),
  };
}

export type OtpView = ReturnType<typeof otpView>;
