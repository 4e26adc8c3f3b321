// SMPP 3.4 command_status values (§5.1.3) and whether a submit refused with one may succeed if
// sent again. "Permanent" means the same PDU will be refused again: a bad address, a bad
// parameter, a policy refusal. "Retryable" means the SMSC or its network is the problem for now.

export interface SmppStatus {
  name: string;
  retryable: boolean;
}

const T = true;
const P = false;

const TABLE: Record<number, SmppStatus> = {
  0x0001: { name: 'ESME_RINVMSGLEN', retryable: P },
  0x0002: { name: 'ESME_RINVCMDLEN', retryable: P },
  0x0003: { name: 'ESME_RINVCMDID', retryable: P },
  // Our session is not bound as far as the SMSC knows; a rebind fixes it.
  0x0004: { name: 'ESME_RINVBNDSTS', retryable: T },
  0x0005: { name: 'ESME_RALYBND', retryable: T },
  0x0006: { name: 'ESME_RINVPRTFLG', retryable: P },
  0x0007: { name: 'ESME_RINVREGDLVFLG', retryable: P },
  0x0008: { name: 'ESME_RSYSERR', retryable: T },
  0x000a: { name: 'ESME_RINVSRCADR', retryable: P },
  0x000b: { name: 'ESME_RINVDSTADR', retryable: P },
  0x000c: { name: 'ESME_RINVMSGID', retryable: P },
  0x000d: { name: 'ESME_RBINDFAIL', retryable: T },
  0x000e: { name: 'ESME_RINVPASWD', retryable: T },
  0x000f: { name: 'ESME_RINVSYSID', retryable: T },
  0x0011: { name: 'ESME_RCANCELFAIL', retryable: T },
  0x0013: { name: 'ESME_RREPLACEFAIL', retryable: T },
  0x0014: { name: 'ESME_RMSGQFUL', retryable: T },
  0x0015: { name: 'ESME_RINVSERTYP', retryable: P },
  0x0033: { name: 'ESME_RINVNUMDESTS', retryable: P },
  0x0034: { name: 'ESME_RINVDLNAME', retryable: P },
  0x0040: { name: 'ESME_RINVDESTFLAG', retryable: P },
  0x0042: { name: 'ESME_RINVSUBREP', retryable: P },
  0x0043: { name: 'ESME_RINVESMCLASS', retryable: P },
  0x0044: { name: 'ESME_RCNTSUBDL', retryable: P },
  // A generic "submit failed" says nothing about the message itself.
  0x0045: { name: 'ESME_RSUBMITFAIL', retryable: T },
  0x0048: { name: 'ESME_RINVSRCTON', retryable: P },
  0x0049: { name: 'ESME_RINVSRCNPI', retryable: P },
  0x0050: { name: 'ESME_RINVDSTTON', retryable: P },
  0x0051: { name: 'ESME_RINVDSTNPI', retryable: P },
  0x0053: { name: 'ESME_RINVSYSTYP', retryable: P },
  0x0054: { name: 'ESME_RINVREPFLAG', retryable: P },
  0x0055: { name: 'ESME_RINVNUMMSGS', retryable: P },
  0x0058: { name: 'ESME_RTHROTTLED', retryable: T },
  0x0061: { name: 'ESME_RINVSCHED', retryable: P },
  0x0062: { name: 'ESME_RINVEXPIRY', retryable: P },
  0x0063: { name: 'ESME_RINVDFTMSGID', retryable: P },
  0x0064: { name: 'ESME_RX_T_APPN', retryable: T },
  0x0065: { name: 'ESME_RX_P_APPN', retryable: P },
  0x0066: { name: 'ESME_RX_R_APPN', retryable: P },
  0x0067: { name: 'ESME_RQUERYFAIL', retryable: T },
  0x00c0: { name: 'ESME_RINVTLVSTREAM', retryable: P },
  0x00c1: { name: 'ESME_RTLVNOTALLWD', retryable: P },
  0x00c2: { name: 'ESME_RINVTLVLEN', retryable: P },
  0x00c3: { name: 'ESME_RMISSINGTLV', retryable: P },
  0x00c4: { name: 'ESME_RINVTLVVAL', retryable: P },
  0x00fe: { name: 'ESME_RDELIVERYFAILURE', retryable: T },
  0x00ff: { name: 'ESME_RUNKNOWNERR', retryable: T },
  0x0100: { name: 'ESME_RSERTYPUNAUTH', retryable: P },
  0x0101: { name: 'ESME_RPROHIBITED', retryable: P },
  // "Unavailable" is a state of the service, unlike "unauthorised" or "denied".
  0x0102: { name: 'ESME_RSERTYPUNAVAIL', retryable: T },
  0x0103: { name: 'ESME_RSERTYPDENIED', retryable: P },
  0x0104: { name: 'ESME_RINVDCS', retryable: P },
  0x0105: { name: 'ESME_RINVSRCADDRSUBUNIT', retryable: P },
  0x0106: { name: 'ESME_RINVDSTADDRSUBUNIT', retryable: P },
};

export const ESME_ROK = 0x0000;
export const ESME_RTHROTTLED = 0x0058;
export const ESME_RX_T_APPN = 0x0064;

/**
 * Classifies a command_status. Codes outside the table (vendor codes 0x400–0x4FF, reserved
 * ranges) count as retryable: wrongly dropping a deliverable message costs more than a few
 * retries, which the delivery queue's retry budget bounds anyway. `known` lets the caller log them.
 */
export function smppStatus(code: number): SmppStatus & { known: boolean } {
  const entry = TABLE[code];
  if (entry) return { ...entry, known: true };
  return { name: `SMPP_0x${code.toString(16).padStart(4, '0').toUpperCase()}`, retryable: true, known: false };
}
