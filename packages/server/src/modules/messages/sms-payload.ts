/**
 * What an SMS carries beyond its text, kept in messages.payload (a JSON object; null when there
 * is nothing): 8-bit data with its user data header, and the time its validity ends. An OTP's
 * sealed text lives in the same object under its own field (otp/sealed-message.ts).
 */

/** One part of 8-bit data (Kannel's coding=1): the user data header and the octets after it. */
export interface BinarySms {
  udh: Buffer;
  data: Buffer;
}

/** What a send may ask of an SMS beyond its text. */
export interface SmsExtras {
  /** Send these octets (the message's body then shows them in hex), not a text. */
  binary?: BinarySms;
  /** How long the network may keep trying, from the time the message is due (Kannel's `validity`). */
  validityMs?: number;
}

/** An SMS's extras as the delivery worker reads them. */
export interface StoredSmsExtras {
  binary?: BinarySms;
  /** Epoch ms after which the message must not be handed over, nor kept by the network (SMPP validity_period). */
  validUntil?: number;
}

/** The largest user data of one SMS: 140 octets, the UDH included. */
export const BINARY_SMS_OCTETS = 140;

interface SmsPayloadJson {
  binary?: true;
  /** The UDH in hex ("" for none); the data is the body, in hex. */
  udh?: string;
  valid_until?: number;
}

/** The payload column of an SMS with these extras, or null when it has none. */
export function smsPayloadOf(extras: StoredSmsExtras): string | null {
  const json: SmsPayloadJson = {};
  if (extras.binary) {
    json.binary = true;
    json.udh = extras.binary.udh.toString('hex');
  }
  if (extras.validUntil !== undefined) json.valid_until = extras.validUntil;
  return Object.keys(json).length > 0 ? JSON.stringify(json) : null;
}

/** The extras of a stored SMS: its payload, and for 8-bit data its body (hex). */
export function smsExtrasOf(m: { payload: string | null; body: string | null }): StoredSmsExtras {
  if (m.payload === null) return {};
  const json = JSON.parse(m.payload) as SmsPayloadJson;
  const extras: StoredSmsExtras = {};
  if (json.binary) extras.binary = { udh: Buffer.from(json.udh ?? '', 'hex'), data: Buffer.from(m.body ?? '', 'hex') };
  if (typeof json.valid_until === 'number') extras.validUntil = json.valid_until;
  return extras;
}
