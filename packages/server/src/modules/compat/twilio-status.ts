/** Twilio's words for Hellio's message statuses (the API's views and the StatusCallback share them). */

export const TWILIO_API_VERSION = '2010-04-01';

/**
 * Twilio's status for a Hellio status: the same words (`received` included), but a bounce is a
 * failure there, and so is a campaign recipient skipped as suppressed (Twilio refuses those).
 */
export function twilioStatus(status: string): string {
  return status === 'bounced' || status === 'suppressed' ? 'failed' : status;
}

/**
 * Twilio's error_code of a message that did not arrive: 30003 (unreachable) for undelivered,
 * 21610 (unsubscribed recipient) for suppressed, 30008 (unknown) for failed.
 */
export function twilioErrorCode(status: string): number | null {
  if (status === 'undelivered') return 30003;
  if (status === 'suppressed') return 21610;
  if (status === 'failed' || status === 'bounced') return 30008;
  return null;
}
