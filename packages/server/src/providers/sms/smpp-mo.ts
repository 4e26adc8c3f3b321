import type { PDU } from 'smpp';
import type { InboundSmsPart } from './sms-provider.ts';
import { ESM_CLASS_RECEIPT } from './smpp-receipt.ts';

/** An address as SMPP carries it, in our form: digits (with or without "+") become E.164; anything else stays. */
export function moAddress(addr: string | undefined): string {
  const a = (addr ?? '').trim();
  return /^\+?\d{3,15}$/.test(a) ? `+${a.replace(/^\+/, '')}` : a;
}

/** The concatenation information elements of a UDH (as the `smpp` package splits it: [iei, len, …data]). */
function concatOfUdh(udh: readonly Buffer[] | undefined): InboundSmsPart['concat'] {
  for (const ie of udh ?? []) {
    // IEI 00: 8-bit reference (ref, total, seq); IEI 08: 16-bit reference (refHi, refLo, total, seq).
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
  }
  return null;
}

/**
 * A mobile-originated deliver_sm as an inbound part, or null for a receipt. The `smpp` package
 * has already decoded the text by data_coding (GSM-7 for 0, UCS-2 for 8, Latin-1 for 3) and split
 * off the UDH; concatenation comes from the UDH (8- or 16-bit reference) or from the SAR TLVs.
 * A part count of 0 or 1, or a part number outside 1..count, is read as a whole message.
 */
export function parseMoPdu(pdu: PDU): InboundSmsPart | null {
  if (((pdu.esm_class ?? 0) & ESM_CLASS_RECEIPT) !== 0) return null;
  const body = pdu.message_payload ?? pdu.short_message;
  const decoded = body === undefined ? { message: '' } : typeof body === 'string' || Buffer.isBuffer(body) ? { message: body } : body;
  const text = Buffer.isBuffer(decoded.message) ? decoded.message.toString('latin1') : String(decoded.message ?? '');
  let concat = concatOfUdh((decoded as { udh?: Buffer[] }).udh);
  if (!concat && pdu.sar_msg_ref_num !== undefined && pdu.sar_total_segments !== undefined && pdu.sar_segment_seqnum !== undefined) {
    concat = { ref: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
  }
  if (concat && (concat.total < 2 || concat.seq < 1 || concat.seq > concat.total)) concat = null;
  return { from: moAddress(pdu.source_addr), to: moAddress(pdu.destination_addr), text, concat };
}
