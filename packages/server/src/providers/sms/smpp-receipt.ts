import type { PDU } from 'smpp';
import type { SmsReceipt } from './sms-provider.ts';
import { encodeGsm7 } from './smpp-gsm.ts';

/** esm_class bits 2–5 = 0001: "SMSC delivery receipt" (SMPP 3.4 §5.2.12). */
export const ESM_CLASS_RECEIPT = 0x04;

export interface ParsedReceipt {
  providerMessageId: string;
  /** The network's status word, upper case (DELIVRD, UNDELIV …). */
  stat: string;
  /** The receipt's err: field (network-specific), when present. */
  err?: string;
}

/**
 * Final receipt states → our statuses. EXPIRED (validity ran out), DELETED (removed at the SMSC)
 * and UNKNOWN are "failed": the network gave up on the message without the handset refusing it.
 * ENROUTE, ACCEPTD and other intermediate or vendor words map to nothing, so no receipt is
 * reported: a later final receipt still can be, and guessing a final status would be a lie.
 */
const STAT_STATUS: Record<string, SmsReceipt['status']> = {
  DELIVRD: 'delivered',
  UNDELIV: 'undelivered',
  REJECTD: 'undelivered',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
};

// message_state TLV values (SMPP 3.4 §5.2.28) as the words receipts' text uses.
const STATE_WORD: Record<number, string> = {
  0: 'SCHEDULED',
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
  9: 'SKIPPED',
};

/** The final status a receipt's stat word stands for, or null if it is not a final one we know. */
export function receiptStatus(stat: string): SmsReceipt['status'] | null {
  return STAT_STATUS[stat.toUpperCase()] ?? null;
}

/** Reads the de-facto receipt text format: "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…". */
export function parseReceiptText(text: string): { id?: string; stat?: string; err?: string } {
  const id = /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const stat = /(?:^|\s)stat:(\S+)/i.exec(text)?.[1];
  const err = /(?:^|\s)err:(\S+)/i.exec(text)?.[1];
  return {
    ...(id !== undefined && { id }),
    ...(stat !== undefined && { stat: stat.toUpperCase() }),
    ...(err !== undefined && { err }),
  };
}

/**
 * A deliver_sm receipt's id and status. The receipted_message_id and message_state TLVs win over
 * the text when present: they are structured, while some SMSCs truncate or reformat the text.
 * Null when the PDU is no receipt or names no message.
 */
export function parseReceiptPdu(pdu: PDU): ParsedReceipt | null {
  if (((pdu.esm_class ?? 0) & ESM_CLASS_RECEIPT) === 0) return null;
  const text = receiptBodyText(pdu);
  const fromText = parseReceiptText(text);
  const id = pdu.receipted_message_id || fromText.id;
  const stat = (pdu.message_state !== undefined ? STATE_WORD[pdu.message_state] : undefined) ?? fromText.stat;
  if (!id || !stat) return null;
  return { providerMessageId: id, stat, ...(fromText.err !== undefined && { err: fromText.err }) };
}

/**
 * The receipt text as the SMSC sent it. Receipts are ASCII, but the `smpp` package decodes
 * data_coding 0 and 1 through its GSM table (so "_" arrives as "§"); for ASCII bytes that
 * mapping is one-to-one, and encoding back to GSM septets recovers the original bytes.
 */
function receiptBodyText(pdu: PDU): string {
  const body = pdu.message_payload ?? pdu.short_message;
  if (body === undefined) return '';
  const message = typeof body === 'string' || Buffer.isBuffer(body) ? body : body.message;
  if (Buffer.isBuffer(message)) return message.toString('latin1');
  const coding = (pdu.data_coding ?? 0) & 0x0f;
  if (coding === 0 || coding === 1) {
    const bytes = encodeGsm7(message);
    if (bytes) return bytes.toString('latin1');
  }
  return message;
}
