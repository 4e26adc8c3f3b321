/** How OTP verification behaves on this installation (HELLIO_OTP_*, docs/otp.md). */
export interface OtpSettings {
  /** Server secret the codes are HMAC'd under; null = one generated once and kept in the database. */
  secret: string | null;
  /** Sender id of OTP text messages when a request names none (the operator's, not approval-checked). */
  smsFrom: string;
  /** From: address of OTP emails when a request names none; null = requests must name an approved one. */
  emailFrom: string | null;
  /** A new send to a destination with a pending verification waits this long after the last one. */
  resendCooldownSeconds: number;
  /** Sends per hour from one source address, per account. */
  perIpPerHour: number;
  /** Sends per hour to one destination, per account. */
  perDestinationPerHour: number;
  /** SMS-pumping defence: a destination prefix with many sends and few approvals is paused. */
  pumping: {
    windowSeconds: number;
    /** Sends in the window before the approval rate is judged; 0 turns the defence off. */
    minSends: number;
    /** Below this share of approvals (in %) the prefix is blocked. */
    minApprovalPercent: number;
    /** Leading digits of the E.164 number (country code included) that make a prefix. */
    prefixDigits: number;
    blockSeconds: number;
  };
}

/** Verify attempts per verification (then max_attempts_reached). */
export const OTP_MAX_ATTEMPTS = 5;
/** Sends (the first and the resends) per verification. */
export const OTP_MAX_SENDS = 5;
