/** What came of one POST to a webhook endpoint. */
export type WebhookResponse =
  | {
      kind: 'answered';
      status: number;
      durationMs: number;
      /** The start of the response body, for the delivery log. */
      excerpt: string;
      /** The receiver's Retry-After (on 429 and 503), in milliseconds. */
      retryAfterMs?: number;
    }
  | {
      /** No answer: refused by the SSRF guard, unresolvable, connection error, timeout. */
      kind: 'no_answer';
      durationMs: number;
      error: string;
    };

/** The port through which webhooks (and the compatibility APIs' status callbacks) leave: one request, within a time limit, redirects not followed. */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse>;
  /** One GET, under the same guard and limits (Kannel's dlr-url is fetched, not posted to). */
  get(url: string, headers: Record<string, string>): Promise<WebhookResponse>;
  /** Why this URL may not be an endpoint (scheme, address), or null when it may. */
  checkTarget(url: string): Promise<string | null>;
  close(): Promise<void>;
}
