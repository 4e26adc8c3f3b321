/** Messages and campaigns as the API answers them (docs/api.md: GET /messages, /campaigns). */

/** Every status a message can have, in lifecycle order (MESSAGE_STATUSES on the server). */
export const MESSAGE_STATUSES = ['scheduled', 'queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled', 'suppressed', 'received'] as const;

/** Statuses a message never leaves: nothing more will come to its timeline but webhooks. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled', 'suppressed', 'received']);

/** A message in a list. */
export interface Message {
  id: string;
  channel: 'sms' | 'email';
  /** `inbound`: a reply received on one of the account's numbers (docs/inbound.md). */
  direction: 'outbound' | 'inbound';
  status: string;
  from: string;
  to: string | string[];
  subject: string | null;
  body: string | null;
  segments: number | null;
  encoding: string | null;
  price: string;
  currency: string;
  sandbox: boolean;
  campaign_id: string | null;
  reference: string | null;
  error: string | null;
  scheduled_at: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * One entry of a message's timeline; `detail` is the provider's word when there is one. A
 * `retrying` entry is an attempt that failed and will be tried again (the message's status stays
 * `sending`): its number and when the next try is due; both null on status steps.
 */
export interface MessageEvent {
  id: string;
  status: string;
  detail: string | null;
  attempt: number | null;
  next_attempt_at: string | null;
  created_at: string;
}

/** A message with its timeline (whose details carry what the provider said). */
export interface MessageDetail extends Message {
  events: MessageEvent[];
}

/** A campaign (a send to more than one recipient). */
export interface Campaign {
  id: string;
  channel: string;
  from: string;
  message: string;
  total_messages: number;
  cost: string;
  currency: string;
  sandbox: boolean;
  reference: string | null;
  scheduled_at: string | null;
  created_at: string;
}

/** A campaign with how many of its messages are in each status. */
export interface CampaignDetail extends Campaign {
  status_counts: Record<string, number>;
}

/** A message's recipient(s) as one line. */
export function recipients(to: string | string[]): string {
  return Array.isArray(to) ? to.join(', ') : to;
}
