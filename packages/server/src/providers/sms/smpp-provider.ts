import type smppModule from 'smpp';
import type { PDU, PduOptions, Session } from 'smpp';
import { loadPackage } from '../../lib/load-package.ts';
import type { LinkState, ProviderState } from '../provider-state.ts';
import type { InboundHandler, ReceiptHandler, SmsProvider, SmsReceipt, SmsSubmit, SmsSubmitResult } from './sms-provider.ts';
import { parseReceiptPdu, receiptStatus, ESM_CLASS_RECEIPT } from './smpp-receipt.ts';
import { parseMoPdu } from './smpp-mo.ts';
import { binarySegment, segmentSms, type SmppSegment } from './smpp-segments.ts';
import { ESME_ROK, ESME_RTHROTTLED, ESME_RX_T_APPN, smppStatus } from './smpp-status.ts';

export interface SmppLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export interface SmppProviderOptions {
  /** Most submit_sm awaiting their submit_sm_resp at once. Default 10. */
  windowSize?: number;
  /** Most submit_sm per second (the SMSC's contracted rate). Default: no limit but the window. */
  maxPerSecond?: number;
  /** Interval of enquire_link; a link that has not answered the previous one by then is dropped. Default 30 s. */
  enquireLinkMs?: number;
  /** How long a submit_sm may wait for its response, and a connection for its bind. Default 15 s. */
  submitTimeoutMs?: number;
  /**
   * How long a part may wait here for the window before it is given up unsent (retryable, safe to
   * resend). Default 30 s: well inside the delivery job's 60 s, so a job never times out — and is
   * run again — while its part still waits to go out, which would send it twice.
   */
  queueTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt, with jitter. Default 1 s. */
  reconnectBaseMs?: number;
  /** Cap of the reconnect delay. Default 30 s. */
  reconnectMaxMs?: number;
  /** First pause after ESME_RTHROTTLED; doubles while throttling continues. Default 500 ms. */
  throttleBackoffMs?: number;
  /** How often one part is resent after ESME_RTHROTTLED before the caller is told. Default 3. */
  maxThrottleRetries?: number;
  logger?: SmppLogger;
}

export interface SmppConnection {
  host: string;
  port: number;
  systemId: string;
  password: string;
}

type Failure = { ok: false; retryable: boolean; error: string; code?: string; retryAfterMs?: number };
type PartResult = { ok: true; id: string } | (Failure & { cancelled?: true });

interface Part {
  pdu: PduOptions;
  queuedAt: number;
  job: Part[];
  state: 'queued' | 'inflight' | 'done';
  sentAt: number;
  throttleRetries: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (result: PartResult) => void;
}

type State = LinkState;

const DEFAULT_PORT = 2775;
// How long a reduced rate holds before it doubles back towards the configured (or previous) one.
const RATE_RECOVERY_MS = 5_000;
const UNBIND_GRACE_MS = 1_000;

const NO_LOG: SmppLogger = { warn() {} };

/**
 * SMS over SMPP 3.4 as a transceiver (submits and receipts on one bind).
 *
 * Delivery semantics. A submit that never left this process (queued when the link went down, or
 * while reconnecting) fails retryable and is safe to resend. A submit in flight when the link
 * drops or its response times out also fails retryable, though the SMSC may have taken it: the
 * delivery queue's retry then makes SMS at-least-once, which is the trade every SMPP client makes.
 *
 * Throttling. ESME_RTHROTTLED pauses all sending (doubling while it repeats), halves the sending
 * rate for a while, and puts the throttled part back at the head of the queue, up to
 * maxThrottleRetries times; only then does the caller get { retryable: true, code:
 * 'ESME_RTHROTTLED', retryAfterMs }. Retrying inside keeps the parts of a long message together;
 * handing each throttle to the job queue would resend parts the SMSC already took.
 */
export class SmppProvider implements SmsProvider {
  readonly name = 'smpp';

  /** From HELLIO_SMPP_URL: smpp://system_id:password@host:port. */
  static fromUrl(url: string, opts: SmppProviderOptions = {}): SmppProvider {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error('SMPP URL is not a URL (expected smpp://system_id:password@host:port)');
    }
    if (parsed.protocol !== 'smpp:') throw new Error(`SMPP URL must start with smpp:// (got ${parsed.protocol}//)`);
    if (!parsed.hostname || !parsed.username) throw new Error('SMPP URL needs a system_id and a host (smpp://system_id:password@host:port)');
    return new SmppProvider(
      {
        // URL keeps IPv6 literals bracketed; net.connect wants them bare.
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
        systemId: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password),
      },
      opts,
    );
  }

  private readonly windowSize: number;
  private readonly maxPerSecond: number | undefined;
  private readonly enquireLinkMs: number;
  private readonly submitTimeoutMs: number;
  private readonly queueTimeoutMs: number;
  private readonly reconnectBaseMs: number;
  private readonly reconnectMaxMs: number;
  private readonly throttleBackoffMs: number;
  private readonly maxThrottleRetries: number;
  private readonly log: SmppLogger;

  private linkState: State = 'idle';
  private session: Session | null = null;
  /** Why the current connection attempt failed, once known. */
  private sessionFailure: Failure | null = null;
  private lastFailure: Failure | null = null;
  private attempts = 0;
  private nextAttemptAt = 0;
  private connectWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private bindTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;

  private queue: Part[] = [];
  private readonly inflight = new Set<Part>();
  private nextSendAt = 0;

  private pausedUntil = 0;
  private throttleStreak = 0;
  private lastThrottleAt = -1;
  private reducedRate: number | undefined;
  private rateCeiling = 0;
  private rateChangedAt = 0;
  private secondStart = 0;
  private sentThisSecond = 0;
  private sentLastSecond = 0;

  private concatRef = Math.floor(Math.random() * 256);
  private receiptHandler: ReceiptHandler | null = null;
  private inboundHandler: InboundHandler | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly conn: SmppConnection,
    opts: SmppProviderOptions = {},
  ) {
    this.windowSize = positiveInt(opts.windowSize ?? 10, 'windowSize');
    this.maxPerSecond = opts.maxPerSecond === undefined ? undefined : positive(opts.maxPerSecond, 'maxPerSecond');
    this.enquireLinkMs = positive(opts.enquireLinkMs ?? 30_000, 'enquireLinkMs');
    this.submitTimeoutMs = positive(opts.submitTimeoutMs ?? 15_000, 'submitTimeoutMs');
    this.queueTimeoutMs = positive(opts.queueTimeoutMs ?? 30_000, 'queueTimeoutMs');
    this.reconnectBaseMs = positive(opts.reconnectBaseMs ?? 1_000, 'reconnectBaseMs');
    this.reconnectMaxMs = positive(opts.reconnectMaxMs ?? 30_000, 'reconnectMaxMs');
    this.throttleBackoffMs = positive(opts.throttleBackoffMs ?? 500, 'throttleBackoffMs');
    this.maxThrottleRetries = Math.max(0, Math.floor(opts.maxThrottleRetries ?? 3));
    this.log = opts.logger ?? NO_LOG;
  }

  onReceipt(handler: ReceiptHandler): void {
    this.receiptHandler = handler;
  }

  onInbound(handler: InboundHandler): void {
    this.inboundHandler = handler;
  }

  /** Bound or not, the window's use, and while the link is down the last reason (SMSC status or socket error; never the password). */
  state(): ProviderState {
    return {
      kind: 'smpp',
      link: this.linkState,
      inFlight: this.inflight.size,
      queued: this.queue.length,
      lastError: this.linkState === 'bound' ? null : (this.lastFailure?.error ?? this.sessionFailure?.error ?? null),
    };
  }

  /**
   * Resolves once bound. Waits for the attempt under way, or the next scheduled one, and rejects
   * if that attempt fails; reconnecting goes on in the background either way.
   */
  connect(): Promise<void> {
    if (this.linkState === 'closed') return Promise.reject(new Error('SMPP provider is closed'));
    if (this.linkState === 'bound') return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.linkState === 'idle') this.openSession();
    return waiting;
  }

  async submit(msg: SmsSubmit): Promise<SmsSubmitResult> {
    if (this.linkState === 'closed') return { ok: false, retryable: true, code: 'CLOSED', error: 'SMPP provider is closed' };

    this.concatRef = (this.concatRef + 1) & 0xff;
    const segmented = msg.binary ? { ok: true as const, segments: [binarySegment(msg.binary.udh, msg.binary.data)] } : segmentSms(msg.text, msg.encoding, this.concatRef);
    if (!segmented.ok) return { ok: false, retryable: false, code: segmented.code, error: segmented.error };

    // While waiting out a reconnect delay, holding submits would only turn into timeouts; the
    // caller's queue knows how to wait, so tell it when the next attempt is due.
    if (this.linkState === 'backoff') {
      const why = this.lastFailure;
      return {
        ok: false,
        retryable: true,
        code: why?.code ?? 'NOT_CONNECTED',
        error: `not connected to the SMSC${why ? `: ${why.error}` : ''}`,
        retryAfterMs: Math.max(0, this.nextAttemptAt - Date.now()),
      };
    }
    if (this.linkState === 'idle') this.openSession();

    const source = sourceAddress(msg.from);
    const job: Part[] = [];
    const results = segmented.segments.map(
      (segment) =>
        new Promise<PartResult>((resolve) => {
          job.push({ pdu: submitPdu(segment, source, msg.to, msg.validUntil), queuedAt: Date.now(), job, state: 'queued', sentAt: 0, throttleRetries: 0, timer: undefined, resolve });
        }),
    );
    this.queue.push(...job);
    this.pump();
    return combine(await Promise.all(results));
  }

  /** Unbinds, stops reconnecting, and resolves once the socket is closed. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasBound = this.linkState === 'bound';
    this.linkState = 'closed';
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    const closed: Failure = { ok: false, retryable: true, code: 'CLOSED', error: 'SMPP provider closed' };
    this.failQueued(closed);
    this.rejectWaiters(new Error('SMPP provider closed'));
    const session = this.session;
    this.closing = session ? this.closeSession(session, wasBound) : Promise.resolve();
    return this.closing;
  }

  private async closeSession(session: Session, unbind: boolean): Promise<void> {
    const gone = new Promise<void>((resolve) => {
      if (session.socket.destroyed) resolve();
      else session.socket.once('close', () => resolve());
    });
    if (unbind) {
      // Responses to submits still in flight may arrive during the grace period and settle them.
      await Promise.race([
        gone,
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, UNBIND_GRACE_MS);
          if (!session.unbind({}, () => resolve())) resolve();
          gone.then(() => clearTimeout(t));
        }),
      ]);
    }
    session.destroy();
    await gone;
  }

  // ---- connection ----

  private openSession(): void {
    this.linkState = 'connecting';
    this.sessionFailure = null;
    const session = loadPackage<typeof smppModule>('smpp').connect({ host: this.conn.host, port: this.conn.port });
    this.session = session;

    this.bindTimer = setTimeout(() => {
      this.sessionFailure ??= retryableFailure('BIND_TIMEOUT', `no bind_transceiver_resp within ${this.submitTimeoutMs} ms`);
      session.destroy();
    }, this.submitTimeoutMs);

    session.on('connect', () => {
      session.socket.setNoDelay(true);
      session.bind_transceiver(
        { system_id: this.conn.systemId, password: this.conn.password, interface_version: 0x34 },
        (resp) => this.onBindResp(session, resp),
      );
    });
    session.on('error', (err: Error) => {
      this.sessionFailure ??= retryableFailure('CONNECT_FAILED', err.message);
      this.log.warn({ err: err.message, host: this.conn.host, port: this.conn.port }, 'smpp: connection error');
      // The package reports PDU parse errors without closing; a stream we cannot parse is lost.
      session.destroy();
    });
    session.on('close', () => this.onSessionClose(session));
    session.on('deliver_sm', (pdu: PDU) => this.onDeliverSm(session, pdu));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      // The SMSC is going away (maintenance, rebalancing): acknowledge, then reconnect as after a drop.
      session.send(pdu.response(), () => session.destroy());
    });
    session.on('unknown', (pdu: PDU) => session.send(pdu.response()));
  }

  private onBindResp(session: Session, resp: PDU): void {
    if (session !== this.session || this.linkState !== 'connecting') return;
    clearTimeout(this.bindTimer);
    if (resp.command_status !== ESME_ROK) {
      const status = smppStatus(resp.command_status);
      // Bad credentials look permanent, but only to this process: fixing them needs no change to
      // the message, so the message stays retryable while we keep trying with backoff.
      this.sessionFailure = retryableFailure(status.name, `bind_transceiver refused by the SMSC: ${status.name}`);
      this.log.warn({ code: status.name, systemId: this.conn.systemId }, 'smpp: bind refused');
      session.destroy();
      return;
    }
    this.linkState = 'bound';
    this.attempts = 0;
    this.lastFailure = null;
    this.startEnquireLink(session);
    this.log.info?.({ host: this.conn.host, port: this.conn.port, systemId: this.conn.systemId }, 'smpp: bound as transceiver');
    for (const w of this.connectWaiters.splice(0)) w.resolve();
    this.pump();
  }

  private startEnquireLink(session: Session): void {
    let awaiting = false;
    this.enquireTimer = setInterval(() => {
      if (awaiting) {
        // A half-open TCP connection can stay "up" for hours; an unanswered enquire_link is the
        // only sign of it we get.
        this.log.warn({ enquireLinkMs: this.enquireLinkMs }, 'smpp: enquire_link unanswered, reconnecting');
        session.destroy();
        return;
      }
      awaiting = true;
      session.enquire_link({}, () => {
        awaiting = false;
      });
    }, this.enquireLinkMs);
  }

  private onSessionClose(session: Session): void {
    if (session !== this.session) return;
    this.session = null;
    clearTimeout(this.bindTimer);
    clearInterval(this.enquireTimer);
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;

    const prev = this.linkState;
    let failure: Failure;
    if (prev === 'closed') {
      failure = { ok: false, retryable: true, code: 'CLOSED', error: 'SMPP provider closed' };
    } else if (prev === 'bound') {
      failure = retryableFailure('CONNECTION_LOST', 'connection to the SMSC lost; the SMSC may or may not have taken the message');
      this.attempts = 0;
      this.log.warn({ host: this.conn.host, port: this.conn.port, inflight: this.inflight.size }, 'smpp: connection lost');
    } else {
      failure = this.sessionFailure ?? retryableFailure('CONNECT_FAILED', 'connection closed before the bind completed');
    }

    // See the class comment: in-flight parts are ambiguous, queued ones were never sent.
    for (const part of [...this.inflight]) this.settle(part, failure);
    this.inflight.clear();
    this.failQueued(failure);
    this.rejectWaiters(new Error(failure.error));
    if (prev === 'closed') return;

    this.lastFailure = failure;
    this.linkState = 'backoff';
    const ceiling = Math.min(this.reconnectMaxMs, this.reconnectBaseMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    // Full jitter over the upper half, so a fleet of workers does not reconnect in step.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.nextAttemptAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.linkState === 'backoff') this.openSession();
    }, delay);
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.connectWaiters.splice(0)) w.reject(err);
  }

  // ---- submitting ----

  private pump(): void {
    if (this.linkState !== 'bound' || !this.session || this.pumpTimer) return;
    // The submits of one pass leave in one write (one syscall) rather than one each.
    const socket = this.session.socket;
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    while (this.inflight.size < this.windowSize) {
      const part = this.queue[0];
      if (!part) break;
      if (part.state !== 'queued') {
        this.queue.shift();
        continue;
      }
      const now = Date.now();
      if (now - part.queuedAt > this.queueTimeoutMs) {
        this.queue.shift();
        this.settle(part, retryableFailure('QUEUE_TIMEOUT', `not sent: waited ${this.queueTimeoutMs} ms for the SMPP window`));
        continue;
      }
      const wait = Math.max(this.pausedUntil, this.nextSendAt) - now;
      if (wait > 0) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      this.send(this.session, part, now);
    }
  }

  private send(session: Session, part: Part, now: number): void {
    part.state = 'inflight';
    part.sentAt = now;
    this.inflight.add(part);
    this.countSend(now);
    const rate = this.currentRate(now);
    // A fixed grid of send slots: timer lateness does not eat into the rate, and after idling at
    // most one extra submit goes early.
    this.nextSendAt = rate === undefined ? 0 : Math.max(this.nextSendAt, now - 1000 / rate) + 1000 / rate;

    const written = session.submit_sm(part.pdu, (resp) => this.onSubmitResp(session, part, resp));
    if (!written) {
      // The socket is no longer writable, so nothing went out; its close event follows.
      this.inflight.delete(part);
      this.settle(part, retryableFailure('NOT_CONNECTED', 'connection to the SMSC is closing'));
      session.destroy();
      return;
    }
    part.timer = setTimeout(() => {
      if (part.state !== 'inflight') return;
      this.inflight.delete(part);
      this.settle(part, retryableFailure('TIMEOUT', `no submit_sm_resp within ${this.submitTimeoutMs} ms; the SMSC may or may not have taken the message`));
      this.pump();
    }, this.submitTimeoutMs);
  }

  private onSubmitResp(session: Session, part: Part, resp: PDU): void {
    if (part.state !== 'inflight') return;
    clearTimeout(part.timer);
    this.inflight.delete(part);
    const code = resp.command_status;

    if (code === ESME_ROK) {
      this.throttleStreak = 0;
      this.settle(part, { ok: true, id: resp.message_id ?? '' });
    } else if (code === ESME_RTHROTTLED) {
      const pauseMs = this.onThrottled(part.sentAt);
      // Once closing, a requeued part would never be sent, nor failed by anyone.
      if (part.throttleRetries < this.maxThrottleRetries && this.linkState === 'bound') {
        part.throttleRetries++;
        part.state = 'queued';
        this.queue.unshift(part);
      } else {
        this.settle(part, { ok: false, retryable: true, code: 'ESME_RTHROTTLED', error: 'the SMSC is throttling submits', retryAfterMs: pauseMs });
      }
    } else {
      const status = smppStatus(code);
      if (!status.known) this.log.warn({ commandStatus: code }, 'smpp: unknown command_status, treated as retryable');
      this.settle(part, { ok: false, retryable: status.retryable, code: status.name, error: `submit_sm refused by the SMSC: ${status.name}` });
      // The SMSC thinks we are not bound, so every further submit would fail the same way.
      if (status.name === 'ESME_RINVBNDSTS') session.destroy();
    }
    this.pump();
  }

  /** Reacts to a throttle once per episode; returns the pause now in force. */
  private onThrottled(partSentAt: number): number {
    const now = Date.now();
    // Submits sent before we reacted to the last throttle say nothing new; counting them would
    // stretch one throttling episode into a window-sized exponent.
    if (partSentAt > this.lastThrottleAt) {
      this.throttleStreak++;
      this.lastThrottleAt = now;
      const pause = Math.min(this.reconnectMaxMs, this.throttleBackoffMs * 2 ** Math.min(this.throttleStreak - 1, 20));
      this.pausedUntil = now + Math.round(pause / 2 + (Math.random() * pause) / 2);
      const current = this.currentRate(now) ?? Math.max(1, this.sentLastSecond, this.sentThisSecond);
      if (this.reducedRate === undefined) this.rateCeiling = this.maxPerSecond ?? current;
      this.reducedRate = Math.max(1, current / 2);
      this.rateChangedAt = now;
      this.nextSendAt = 0;
      this.log.warn({ pauseMs: this.pausedUntil - now, ratePerSecond: this.reducedRate }, 'smpp: throttled by the SMSC, slowing down');
    }
    return Math.max(0, this.pausedUntil - now);
  }

  /** The sending rate in force, if any: the configured one, lowered after throttling. */
  private currentRate(now: number): number | undefined {
    if (this.reducedRate !== undefined && now - this.rateChangedAt >= RATE_RECOVERY_MS) {
      this.reducedRate *= 2;
      this.rateChangedAt = now;
      if (this.reducedRate >= this.rateCeiling) this.reducedRate = undefined;
    }
    if (this.reducedRate === undefined) return this.maxPerSecond;
    return this.maxPerSecond === undefined ? this.reducedRate : Math.min(this.maxPerSecond, this.reducedRate);
  }

  private countSend(now: number): void {
    if (now - this.secondStart >= 1000) {
      this.sentLastSecond = now - this.secondStart < 2000 ? this.sentThisSecond : 0;
      this.secondStart = now;
      this.sentThisSecond = 0;
    }
    this.sentThisSecond++;
  }

  private settle(part: Part, result: PartResult): void {
    if (part.state === 'done') return;
    part.state = 'done';
    clearTimeout(part.timer);
    part.resolve(result);
    if (result.ok) return;
    // The message has failed as a whole; sending its remaining parts would only reach the handset
    // as fragments. Parts already in flight cannot be recalled.
    for (const sibling of part.job) {
      if (sibling.state === 'queued') {
        this.settle(sibling, { ok: false, retryable: result.retryable, error: 'not sent: another part failed', cancelled: true });
      }
    }
  }

  private failQueued(failure: Failure): void {
    const queued = this.queue;
    this.queue = [];
    for (const part of queued) this.settle(part, failure);
  }

  // ---- mobile-originated messages ----

  /**
   * An MO deliver_sm: acknowledged once the handler stored it. Without a handler, or when storing
   * failed, a temporary error makes the SMSC deliver it again later instead of it being lost.
   */
  private onMo(pdu: PDU, reply: (status?: number) => void): void {
    const part = parseMoPdu(pdu);
    const handler = this.inboundHandler;
    if (!part || !handler) {
      this.log.warn({}, 'smpp: mobile-originated message before an inbound handler was registered, deferred');
      reply(ESME_RX_T_APPN);
      return;
    }
    handler(part).then(
      () => reply(),
      (err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'smpp: could not store a mobile-originated message, deferred');
        reply(ESME_RX_T_APPN);
      },
    );
  }

  // ---- receipts ----

  private onDeliverSm(session: Session, pdu: PDU): void {
    const reply = (status: number = ESME_ROK) => {
      session.send(pdu.response(status === ESME_ROK ? {} : { command_status: status }));
    };
    const parsed = parseReceiptPdu(pdu);
    if (!parsed) {
      if ((pdu.esm_class ?? 0) & ESM_CLASS_RECEIPT) {
        this.log.warn({ esmClass: pdu.esm_class }, 'smpp: receipt without message id or status, ignored');
        reply();
      } else this.onMo(pdu, reply);
      return;
    }
    const status = receiptStatus(parsed.stat);
    if (!status) {
      this.log.info?.({ providerMessageId: parsed.providerMessageId, stat: parsed.stat }, 'smpp: non-final receipt ignored');
      reply();
      return;
    }
    const handler = this.receiptHandler;
    // A temporary error makes the SMSC redeliver the receipt later instead of it being lost.
    if (!handler) {
      this.log.warn({ providerMessageId: parsed.providerMessageId }, 'smpp: receipt before a receipt handler was registered, deferred');
      reply(ESME_RX_T_APPN);
      return;
    }
    const receipt: SmsReceipt = { providerMessageId: parsed.providerMessageId, status, detail: parsed.stat, at: Date.now() };
    let outcome: unknown;
    try {
      outcome = handler(receipt);
    } catch (err) {
      this.log.warn({ err: String(err), providerMessageId: receipt.providerMessageId }, 'smpp: receipt handler threw, SMSC will redeliver');
      reply(ESME_RX_T_APPN);
      return;
    }
    // A handler that returns a promise (one that stores the receipt) gets the acknowledgement held
    // until it settles, so a receipt is acknowledged only once it is safe.
    if (isThenable(outcome)) {
      outcome.then(
        () => reply(),
        (err: unknown) => {
          this.log.warn({ err: String(err), providerMessageId: receipt.providerMessageId }, 'smpp: receipt handler failed, SMSC will redeliver');
          reply(ESME_RX_T_APPN);
        },
      );
    } else {
      reply();
    }
  }
}

function submitPdu(segment: SmppSegment, source: Address, to: string, validUntil: number | undefined): PduOptions {
  return {
    // An absolute time in UTC ("YYMMDDhhmmsst00+"): the same end whatever the time spent queued.
    ...(validUntil !== undefined ? { validity_period: smppAbsoluteTime(validUntil) } : {}),
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.addr,
    // E.164 by contract: international, ISDN numbering plan, without the "+".
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: to.replace(/^\+/, ''),
    esm_class: segment.esmClass,
    // SMSC delivery receipt on final outcome, success or failure.
    registered_delivery: 1,
    data_coding: segment.dataCoding,
    short_message: segment.shortMessage,
  };
}

/** SMPP 3.4's absolute time (§7.1.1) in UTC: "YYMMDDhhmmss", tenths, "00+" (no offset). */
export function smppAbsoluteTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${Math.floor(d.getUTCMilliseconds() / 100)}00+`;
}

interface Address {
  addr: string;
  ton: number;
  npi: number;
}

function sourceAddress(from: string): Address {
  if (/^\+\d+$/.test(from)) return { addr: from.slice(1), ton: 1, npi: 1 };
  // Short codes and national numbers: let the SMSC apply its own numbering rules.
  if (/^\d+$/.test(from)) return { addr: from, ton: 0, npi: 1 };
  // Alphanumeric sender id.
  return { addr: from, ton: 5, npi: 0 };
}

/** One result for the whole message: any permanent part failure makes the message permanent. */
function combine(results: PartResult[]): SmsSubmitResult {
  const ids: string[] = [];
  const failures: Array<{ index: number; failure: Failure }> = [];
  results.forEach((r, index) => {
    if (r.ok) ids.push(r.id);
    else if (!r.cancelled) failures.push({ index, failure: r });
  });
  // Every part's submit_sm_resp said ESME_ROK.
  if (failures.length === 0 && ids.length === results.length) return { ok: true, providerMessageIds: ids, answer: 'ESME_ROK' };

  const chosen = failures.find((f) => !f.failure.retryable) ?? failures[0];
  if (!chosen) return { ok: false, retryable: true, error: 'not sent' };
  const { failure, index } = chosen;
  const retryAfter = failures.reduce<number | undefined>(
    (max, f) => (f.failure.retryAfterMs === undefined ? max : Math.max(max ?? 0, f.failure.retryAfterMs)),
    undefined,
  );
  let error = failure.error;
  if (results.length > 1) {
    error = `part ${index + 1} of ${results.length}: ${error}`;
    if (ids.length > 0) error += ` (${ids.length} other part(s) already accepted by the SMSC)`;
  }
  return {
    ok: false,
    retryable: failure.retryable,
    error,
    ...(failure.code !== undefined && { code: failure.code }),
    ...(failure.retryable && retryAfter !== undefined && { retryAfterMs: retryAfter }),
  };
}

function retryableFailure(code: string, error: string): Failure {
  return { ok: false, retryable: true, code, error };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`SMPP option ${name} must be a positive number`);
  return n;
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`SMPP option ${name} must be a positive integer`);
  return n;
}
