import type { SmsEncoding } from '../../lib/sms-encoding.ts';
import type { ProviderState } from '../provider-state.ts';

/** One SMS to hand to a network. Long texts are split into parts by the adapter. */
export interface SmsSubmit {
  /** Our message id (msg_…), for logs and correlation only. */
  messageId: string;
  from: string;
  /** E.164 with "+". */
  to: string;
  text: string;
  encoding: SmsEncoding;
  /** 8-bit data (Kannel's coding=1) instead of `text`: its user data header and octets, one part. */
  binary?: { udh: Buffer; data: Buffer };
  /** Epoch ms after which the network should stop trying (SMPP validity_period); unset: its default. */
  validUntil?: number;
}

export type SmsSubmitResult =
  /**
   * The network took it; one provider id per part, receipts refer to these. `answer`: the
   * provider's own word on it when it has one (`ESME_ROK`, the submit_sm_resp status).
   */
  | { ok: true; providerMessageIds: string[]; answer?: string; simulatedReceipt?: SimulatedReceipt }
  /**
   * Refused. `retryable` says whether the same message may succeed later (throttling, a dropped
   * connection, a temporary network error) or never will (invalid destination, barred sender).
   */
  | { ok: false; retryable: boolean; error: string; code?: string; retryAfterMs?: number };

/**
 * The receipt a simulated network will report for every part of a message it took, as data: the
 * delivery worker stores it as a job in the transaction that marks the message sent, so it
 * survives a crash (a timer in the simulator's memory would not). Real networks never set it.
 */
export interface SimulatedReceipt {
  status: SmsReceipt['status'];
  /** The network's status word (DELIVRD, UNDELIV, EXPIRED). */
  detail: string;
  /** How long after the hand-over the receipt comes. */
  delayMs: number;
}

/** What a network later says happened to a submitted part. */
export interface SmsReceipt {
  providerMessageId: string;
  status: 'delivered' | 'undelivered' | 'failed';
  /** The network's own status word (DELIVRD, UNDELIV, REJECTD, EXPIRED …). */
  detail: string;
  at: number;
}

export type ReceiptHandler = (receipt: SmsReceipt) => Promise<void>;

/**
 * One mobile-originated SMS (or one part of a concatenated one) as a network handed it over,
 * decoded to text. Parts are put back together by the inbound module, durably, not here.
 */
export interface InboundSmsPart {
  /** The sender: E.164 with "+" when the network gave digits, else as given (an alphanumeric id). */
  from: string;
  /** The number it was sent to, in the same form. */
  to: string;
  text: string;
  /** For a part of a concatenated message: its reference, the part count and its 1-based number. */
  concat: { ref: number; total: number; seq: number } | null;
}

/** Stores an inbound SMS (part); resolves once it is durable. */
export type InboundHandler = (part: InboundSmsPart) => Promise<void>;

/** The SMS port: every network adapter (SMPP, HTTP providers, the simulator) implements it. */
export interface SmsProvider {
  readonly name: string;
  submit(msg: SmsSubmit): Promise<SmsSubmitResult>;
  /**
   * Opens the connection before the first message (adapters connect lazily otherwise). Workers
   * call it at start so that receipts for messages sent before a restart keep arriving.
   */
  connect?(): Promise<void>;
  /**
   * Registers the one receiver of delivery receipts. It resolves once the receipt is stored and
   * rejects when it could not be: adapters whose network redelivers (SMPP) acknowledge only after
   * it resolves; the others must catch the rejection.
   */
  onReceipt(handler: ReceiptHandler): void;
  /**
   * Registers the receiver of mobile-originated messages, for adapters whose network delivers
   * them (SMPP deliver_sm that is no receipt). Acknowledged to the network once it resolves.
   */
  onInbound?(handler: InboundHandler): void;
  /** What it is and how its link is, for the operators' console (read-only, cheap). */
  state(): ProviderState;
  close(): Promise<void>;
}
