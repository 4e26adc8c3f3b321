// The `smpp` package (0.5.1) ships no types. This covers only what Hellio uses: the client
// session in providers/sms and the server the tests run as an SMSC.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /**
   * A decoded PDU. Mandatory parameters and known TLVs become properties named as in the SMPP
   * 3.4 specification; only the ones Hellio reads or writes are listed.
   */
  export interface PDU {
    command: string;
    command_id: number;
    command_length: number;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    message_id?: string;
    source_addr?: string;
    destination_addr?: string;
    esm_class?: number;
    data_coding?: number | null;
    registered_delivery?: number;
    /**
     * Buffer on the wire; after decoding, an object whose `message` is a string for the data
     * codings the package knows (GSM default, Latin-1, UCS-2) and a Buffer otherwise.
     */
    short_message?: Buffer | string | ShortMessage;
    message_payload?: Buffer | string | ShortMessage;
    receipted_message_id?: string;
    message_state?: number;
    /** SAR TLVs: a concatenated message's reference, part count and part number (1-based). */
    sar_msg_ref_num?: number;
    sar_total_segments?: number;
    sar_segment_seqnum?: number;
    isResponse(): boolean;
    response(options?: PduOptions): PDU;
  }

  export interface ShortMessage {
    udh?: Buffer[];
    message: string | Buffer;
  }

  /** Parameters and TLVs for a PDU being built; unknown names are ignored by the package. */
  export type PduOptions = Record<string, string | number | Buffer | null | undefined>;

  export type ResponseCallback = (pdu: PDU) => void;

  export interface Session extends EventEmitter {
    readonly socket: Socket;
    /** Returns false (and sends nothing) when the socket is no longer writable. */
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    bind_transceiver(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    submit_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    deliver_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    enquire_link(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    unbind(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: string, listener: (pdu: PDU) => void): this;
  }

  export interface Server extends NetServer {
    readonly sessions: Session[];
    on(event: 'session', listener: (session: Session) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export interface ConnectOptions {
    host: string;
    port: number;
  }

  interface Smpp {
    connect(options: ConnectOptions): Session;
    createServer(listener?: (session: Session) => void): Server;
    PDU: {
      new (command: string, options?: PduOptions): PDU;
    };
    /** command_status values by name (ESME_ROK, ESME_RTHROTTLED …). */
    errors: Record<string, number>;
  }

  const smpp: Smpp;
  export default smpp;
}
