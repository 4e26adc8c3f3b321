/** Twilio's words for Hellio's message statuses (the API's views and the StatusCallback share them). */

export const TWILIO_API_VERSION = '2010-04-01';

/** Twilio's status for a Hellio status: the same words, but a bounce is a failure there. */
export function twilioStatus(status: string): string {
  return status === 'bounced' ? 'failed' : status;
}

/** Twilio's error_code of a message that did not arrive: 30003 (unreachable) for undelivered, 30008 (unknown) for failed. */
export function twilioErrorCode(status: string): number | null {
  if (status === 'undelivered') return 30003;
  if (status === 'failed' || status === 'bounced') return 30008;
  return null;
}
