import { describe, it, expect } from 'vitest';
import type { PDU } from 'smpp';
import { parseReceiptPdu, parseReceiptText, receiptStatus } from '../../src/providers/sms/smpp-receipt.ts';
import { smppStatus } from '../../src/providers/sms/smpp-status.ts';

const TEXT = 'id:0A1B2C sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:Hi there';

function pdu(fields: Partial<PDU>): PDU {
  return { command: 'deliver_sm', command_id: 5, command_length: 0, command_status: 0, sequence_number: 1, ...fields } as PDU;
}

describe('receipt text', () => {
  it('reads id, stat and err', () => {
    expect(parseReceiptText(TEXT)).toEqual({ id: '0A1B2C', stat: 'DELIVRD', err: '000' });
  });

  it('is case-insensitive about field names and stat words', () => {
    expect(parseReceiptText('ID:x1 Stat:undeliv')).toEqual({ id: 'x1', stat: 'UNDELIV' });
  });

  it('does not take "submit date:" for an id', () => {
    expect(parseReceiptText('submit date:2501011200 stat:EXPIRED').id).toBeUndefined();
  });
});

describe('receipt status mapping', () => {
  it.each([
    ['DELIVRD', 'delivered'],
    ['UNDELIV', 'undelivered'],
    ['REJECTD', 'undelivered'],
    ['EXPIRED', 'failed'],
    ['DELETED', 'failed'],
    ['UNKNOWN', 'failed'],
    ['ENROUTE', null],
    ['ACCEPTD', null],
    ['WHATEVER', null],
  ])('%s → %s', (stat, status) => {
    expect(receiptStatus(stat)).toBe(status);
  });
});

describe('parseReceiptPdu', () => {
  it('ignores a deliver_sm that is no receipt', () => {
    expect(parseReceiptPdu(pdu({ esm_class: 0, short_message: { message: TEXT } }))).toBeNull();
  });

  it('reads the text of a decoded short_message', () => {
    expect(parseReceiptPdu(pdu({ esm_class: 4, data_coding: 3, short_message: { message: TEXT } }))).toEqual({
      providerMessageId: '0A1B2C',
      stat: 'DELIVRD',
      err: '000',
    });
  });

  it('recovers ASCII the smpp package decoded through its GSM table', () => {
    // "_" (0x5F) decodes as "§" in GSM 03.38.
    expect(parseReceiptPdu(pdu({ esm_class: 4, data_coding: 0, short_message: { message: 'id:ab§12 stat:DELIVRD' } }))?.providerMessageId).toBe('ab_12');
  });

  it('prefers the receipted_message_id and message_state TLVs over the text', () => {
    const r = parseReceiptPdu(pdu({ esm_class: 4, short_message: { message: 'id:12345 stat:DELIVRD' }, receipted_message_id: '3039', message_state: 5 }));
    expect(r).toEqual({ providerMessageId: '3039', stat: 'UNDELIV' });
  });

  it('reads a receipt carried in message_payload', () => {
    const r = parseReceiptPdu(pdu({ esm_class: 4, short_message: { message: '' }, message_payload: { message: Buffer.from('id:p1 stat:EXPIRED') } }));
    expect(r).toEqual({ providerMessageId: 'p1', stat: 'EXPIRED' });
  });

  it('gives up on a receipt without an id', () => {
    expect(parseReceiptPdu(pdu({ esm_class: 4, short_message: { message: 'stat:DELIVRD' } }))).toBeNull();
  });
});

describe('command_status table', () => {
  it.each([
    [0x58, 'ESME_RTHROTTLED', true],
    [0x14, 'ESME_RMSGQFUL', true],
    [0x08, 'ESME_RSYSERR', true],
    [0x64, 'ESME_RX_T_APPN', true],
    [0x0b, 'ESME_RINVDSTADR', false],
    [0x0a, 'ESME_RINVSRCADR', false],
    [0x01, 'ESME_RINVMSGLEN', false],
    [0x43, 'ESME_RINVESMCLASS', false],
    [0x104, 'ESME_RINVDCS', false],
    [0x65, 'ESME_RX_P_APPN', false],
  ])('%i is %s, retryable %s', (code, name, retryable) => {
    expect(smppStatus(code)).toEqual({ name, retryable, known: true });
  });

  it('treats unknown and vendor codes as retryable and says so', () => {
    expect(smppStatus(0x0401)).toEqual({ name: 'SMPP_0x0401', retryable: true, known: false });
  });
});
