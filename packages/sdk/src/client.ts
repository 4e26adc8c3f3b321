import { type ApiCall, type RequestOptions, send, type TransportOptions } from './transport.js';
import type * as T from './types.js';
import { verifyWebhook, type VerifyOptions, type WebhookHeaders } from './webhook-verify.js';

/** Settings of a client. */
export interface HellioOptions {
  /** Where the server is ("http://localhost:3000"); HELLIO_BASE_URL, or that, by default. */
  baseUrl?: string;
  /** Retries after the first attempt (2). */
  maxRetries?: number;
  /** Milliseconds each attempt may take (60 000). */
  timeout?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
}

type Caller = <R>(call: ApiCall, opts?: RequestOptions) => Promise<R>;

const path = (strings: TemplateStringsArray, ...ids: string[]) =>
  strings.reduce((out, s, i) => out + s + (i < ids.length ? encodeURIComponent(ids[i]!) : ''), '');

/** POST /send. */
class Email {
  constructor(private readonly call: Caller) {}
  /** Sends an email (charged; carries an Idempotency-Key). */
  send(params: T.EmailSendParams, opts?: RequestOptions): Promise<T.EmailSendResult> {
    return this.call({ method: 'POST', path: '/send', body: params, idempotent: true }, opts);
  }
}

/** POST /sms/send. */
class Sms {
  constructor(private readonly call: Caller) {}
  /** Sends an SMS, or a campaign when `to` holds several numbers (charged; carries an Idempotency-Key). */
  send(params: T.SmsSendParams, opts?: RequestOptions): Promise<T.SmsSendResult> {
    return this.call({ method: 'POST', path: '/sms/send', body: params, idempotent: true }, opts);
  }
}

/** One-time passwords. */
class OtpResource {
  constructor(private readonly call: Caller) {}
  /** Sends a code, or sends it again while the verification is pending (charged; carries an Idempotency-Key). */
  send(params: T.OtpSendParams, opts?: RequestOptions): Promise<T.Otp> {
    return this.call({ method: 'POST', path: '/otp/send', body: params, idempotent: true }, opts);
  }
  /** Checks a code. Each check spends an attempt, so it is not repeated after an unknown outcome. */
  verify(params: T.OtpVerifyParams, opts?: RequestOptions): Promise<T.OtpVerifyResult> {
    return this.call({ method: 'POST', path: '/otp/verify', body: params }, opts);
  }
}

/** Text-to-speech calls. */
class Voice {
  constructor(private readonly call: Caller) {}
  /** Places a call that speaks a text (charged; carries an Idempotency-Key). */
  send(params: T.VoiceSendParams, opts?: RequestOptions): Promise<T.Call> {
    return this.call({ method: 'POST', path: '/voice/send', body: params, idempotent: true }, opts);
  }
  /** A call and its timeline. */
  get(id: string, opts?: RequestOptions): Promise<T.CallDetail> {
    return this.call({ method: 'GET', path: path`/voice/${id}` }, opts);
  }
  /** Calls, newest first. */
  list(params: T.CallListParams = {}, opts?: RequestOptions): Promise<T.Page<T.Call>> {
    return this.call({ method: 'GET', path: '/voice', query: params }, opts);
  }
}

/** Reports: messages and their timelines. */
class Messages {
  constructor(private readonly call: Caller) {}
  /** Messages, newest first. */
  list(params: T.MessageListParams = {}, opts?: RequestOptions): Promise<T.Page<T.Message>> {
    return this.call({ method: 'GET', path: '/messages', query: params }, opts);
  }
  /** A message and its events. */
  get(id: string, opts?: RequestOptions): Promise<T.MessageDetail> {
    return this.call({ method: 'GET', path: path`/messages/${id}` }, opts);
  }
}

/** Email received for the account's verified domains (scope `reports`). */
class InboundEmails {
  constructor(private readonly call: Caller) {}
  /** Received emails, newest first. */
  list(params: T.InboundEmailListParams = {}, opts?: RequestOptions): Promise<T.Page<T.InboundEmail>> {
    return this.call({ method: 'GET', path: '/emails/inbound', query: params }, opts);
  }
  /** One received email, with its bodies and its attachments listed. */
  get(id: string, opts?: RequestOptions): Promise<T.InboundEmail> {
    return this.call({ method: 'GET', path: path`/emails/inbound/${id}` }, opts);
  }
}

/** The suppression list: recipients the account never sends to (list and export: scope `reports`; changes: the channel's send scope). */
class Suppressions {
  constructor(private readonly call: Caller) {}
  /** Entries, newest first. */
  list(params: T.SuppressionListParams = {}, opts?: RequestOptions): Promise<T.Page<T.Suppression>> {
    return this.call({ method: 'GET', path: '/suppressions', query: params }, opts);
  }
  /** Lists a recipient (source `manual`); one listed already is answered as it was, with `created: false`. */
  add(params: T.SuppressionCreateParams, opts?: RequestOptions): Promise<T.SuppressionCreated> {
    return this.call({ method: 'POST', path: '/suppressions', body: params }, opts);
  }
  /** Lifts an entry by its id; answers the removed entry (NotFoundError when none). */
  remove(id: string, opts?: RequestOptions): Promise<T.Suppression> {
    return this.call({ method: 'DELETE', path: path`/suppressions/${id}` }, opts);
  }
  /** Lifts the entry of a number or an address, however it is written. */
  removeValue(params: T.SuppressionRemoveParams, opts?: RequestOptions): Promise<T.Suppression> {
    return this.call({ method: 'DELETE', path: '/suppressions', query: params }, opts);
  }
  /** Adds CSV rows in one transaction (source `import`); refused rows are reported with their line. */
  import(params: T.SuppressionImportParams, opts?: RequestOptions): Promise<T.SuppressionImportResult> {
    return this.call({ method: 'POST', path: '/suppressions/import', body: params }, opts);
  }
  /** The whole list as CSV (`channel,value,source,reason,created_at,id`), which `import` takes back. */
  export(params: T.SuppressionExportParams = {}, opts?: RequestOptions): Promise<string> {
    return this.call({ method: 'GET', path: '/suppressions.csv', query: params, text: 'text/csv' }, opts);
  }
}

/** The numbers the account receives SMS on, and its replies to STOP, START and HELP. */
class Numbers {
  constructor(private readonly call: Caller) {}
  /** The account's numbers (scope `reports`). */
  list(opts?: RequestOptions): Promise<{ data: T.ReceivingNumber[] }> {
    return this.call({ method: 'GET', path: '/numbers' }, opts);
  }
  /** The automatic replies (scope `reports`). */
  replies(opts?: RequestOptions): Promise<T.ConsentReplies> {
    return this.call({ method: 'GET', path: '/numbers/replies' }, opts);
  }
  /** Changes the replies named (scope `sms:send`): a text, '' for none, null for the default. */
  updateReplies(params: T.ConsentRepliesUpdateParams, opts?: RequestOptions): Promise<T.ConsentReplies> {
    return this.call({ method: 'PATCH', path: '/numbers/replies', body: params }, opts);
  }
}

/** Webhook endpoints and their deliveries (scope `webhooks`); `verify` checks a delivery. */
class Webhooks {
  constructor(private readonly call: Caller) {}
  /** Registers an endpoint; the answer's `secret` is shown only this once. */
  create(params: T.WebhookEndpointCreateParams, opts?: RequestOptions): Promise<T.WebhookEndpointWithSecret> {
    return this.call({ method: 'POST', path: '/webhooks', body: params }, opts);
  }
  /** Endpoints, newest first. */
  list(params: T.PageParams = {}, opts?: RequestOptions): Promise<T.Page<T.WebhookEndpoint>> {
    return this.call({ method: 'GET', path: '/webhooks', query: params }, opts);
  }
  /** An endpoint. */
  get(id: string, opts?: RequestOptions): Promise<T.WebhookEndpoint> {
    return this.call({ method: 'GET', path: path`/webhooks/${id}` }, opts);
  }
  /** Changes an endpoint; `{enabled: true}` re-enables a disabled one. */
  update(id: string, params: T.WebhookEndpointUpdateParams, opts?: RequestOptions): Promise<T.WebhookEndpoint> {
    return this.call({ method: 'PATCH', path: path`/webhooks/${id}`, body: params }, opts);
  }
  /** Deletes an endpoint and its delivery log. */
  delete(id: string, opts?: RequestOptions): Promise<T.WebhookEndpointDeleted> {
    return this.call({ method: 'DELETE', path: path`/webhooks/${id}` }, opts);
  }
  /** Replaces the signing secret (shown only now); the old one keeps signing beside it for 24 h. */
  rotateSecret(id: string, opts?: RequestOptions): Promise<T.WebhookEndpointWithSecret> {
    return this.call({ method: 'POST', path: path`/webhooks/${id}/rotate-secret` }, opts);
  }
  /** Sends a `webhook.test` event now and answers how the endpoint responded. */
  test(id: string, opts?: RequestOptions): Promise<T.WebhookDelivery> {
    return this.call({ method: 'POST', path: path`/webhooks/${id}/test` }, opts);
  }
  /** The endpoint's delivery log, newest first. */
  deliveries(id: string, params: T.WebhookDeliveryListParams = {}, opts?: RequestOptions): Promise<T.Page<T.WebhookDelivery>> {
    return this.call({ method: 'GET', path: path`/webhooks/${id}/deliveries`, query: params }, opts);
  }
  /** Sends a delivery again, now. */
  retryDelivery(id: string, deliveryId: string, opts?: RequestOptions): Promise<T.WebhookDelivery> {
    return this.call({ method: 'POST', path: path`/webhooks/${id}/deliveries/${deliveryId}/retry` }, opts);
  }
  /** Checks a delivery's signature and timestamp and answers its event (same as `Hellio.webhooks.verify`). */
  verify<E = Record<string, unknown>>(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string, opts?: VerifyOptions): T.WebhookEvent<E> {
    return verifyWebhook<E>(rawBody, headers, secret, opts);
  }
}

/**
 * A client of one Hellio account: `new Hellio(key, { baseUrl })`. Every method answers the
 * API's JSON or throws a HellioError; charged POSTs carry one Idempotency-Key across retries.
 */
export class Hellio {
  /** Webhook verification without a client: `Hellio.webhooks.verify(rawBody, headers, secret)`. */
  static readonly webhooks = { verify: verifyWebhook };

  readonly email: Email;
  readonly sms: Sms;
  readonly otp: OtpResource;
  readonly voice: Voice;
  readonly messages: Messages;
  readonly inboundEmails: InboundEmails;
  readonly webhooks: Webhooks;
  readonly suppressions: Suppressions;
  readonly numbers: Numbers;
  readonly #transport: TransportOptions;

  constructor(apiKey: string | undefined = process.env.HELLIO_API_KEY, options: HellioOptions = {}) {
    if (!apiKey) throw new TypeError('Hellio needs an API key (cs_…): new Hellio(key) or HELLIO_API_KEY');
    this.#transport = {
      apiKey,
      baseUrl: options.baseUrl ?? process.env.HELLIO_BASE_URL ?? 'http://localhost:3000',
      maxRetries: options.maxRetries ?? 2,
      timeout: options.timeout ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch,
    };
    const call: Caller = (c, opts) => send(this.#transport, c, opts);
    this.email = new Email(call);
    this.sms = new Sms(call);
    this.otp = new OtpResource(call);
    this.voice = new Voice(call);
    this.messages = new Messages(call);
    this.inboundEmails = new InboundEmails(call);
    this.webhooks = new Webhooks(call);
    this.suppressions = new Suppressions(call);
    this.numbers = new Numbers(call);
  }

  /** Looks a phone number up (charged; carries an Idempotency-Key). */
  lookup(params: T.LookupParams, opts?: RequestOptions): Promise<T.Lookup> {
    return send(this.#transport, { method: 'POST', path: '/lookup', body: params, idempotent: true }, opts);
  }

  /** Verifies an email address (charged; carries an Idempotency-Key). */
  emailVerify(params: T.EmailVerifyParams, opts?: RequestOptions): Promise<T.EmailVerification> {
    return send(this.#transport, { method: 'POST', path: '/email/verify', body: params, idempotent: true }, opts);
  }

  /** The wallet's balance and spend caps. */
  balance(opts?: RequestOptions): Promise<T.Balance> {
    return send(this.#transport, { method: 'GET', path: '/balance' }, opts);
  }
}
