// dns2 ships no types. This covers the part the tests use: the UDP server and the client.
declare module 'dns2' {
  import type { RemoteInfo } from 'node:dgram';

  namespace DNS {
    interface Question {
      name: string;
      type: number;
      class: number;
    }

    interface Resource {
      name: string;
      type: number;
      class: number;
      ttl: number;
      /** A, AAAA */
      address?: string;
      /** CNAME, NS, PTR */
      domain?: string;
      /** TXT: the character-strings joined on decode; one or several (strings or bytes) on encode. */
      data?: string | Array<string | Buffer>;
      /** MX */
      exchange?: string;
      priority?: number;
    }

    interface Packet {
      header: { id: number; qr: number; opcode: number; aa: number; tc: number; rd: number; ra: number; z: number; rcode: number };
      questions: Question[];
      answers: Resource[];
      authorities: Resource[];
      additionals: Resource[];
    }

    interface PacketStatic {
      TYPE: Record<'A' | 'NS' | 'CNAME' | 'SOA' | 'PTR' | 'MX' | 'TXT' | 'AAAA' | 'SRV' | 'ANY' | 'CAA', number> & Record<string, number>;
      CLASS: Record<'IN' | 'ANY', number> & Record<string, number>;
      createResponseFromRequest(request: Packet): Packet;
    }

    interface ServerOptions {
      udp?: boolean | { type: 'udp4' | 'udp6' };
      tcp?: boolean;
      handle?: (request: Packet, send: (response: Packet) => Promise<unknown>, rinfo: RemoteInfo) => void;
    }

    interface ListenOptions {
      udp?: number | { port?: number; address?: string; type?: 'udp4' | 'udp6' };
      tcp?: number | { port?: number; address?: string };
    }

    interface AddressInfo {
      address: string;
      family: string;
      port: number;
    }

    interface DNSServer extends NodeJS.EventEmitter {
      listen(options?: ListenOptions): Promise<{ udp?: AddressInfo; tcp?: AddressInfo }>;
      addresses(): { udp?: AddressInfo; tcp?: AddressInfo };
      close(): Promise<void>;
    }

    interface ClientOptions {
      nameServers?: string[];
      port?: number;
      retries?: number;
      timeout?: number;
      recursive?: boolean;
      resolverProtocol?: 'UDP' | 'TCP' | 'DOH';
    }
  }

  class DNS {
    constructor(options?: DNS.ClientOptions);
    resolve(name: string, type?: string, cls?: number): Promise<DNS.Packet>;
    resolveA(name: string): Promise<DNS.Packet>;
    resolveMX(name: string): Promise<DNS.Packet>;
    resolveCNAME(name: string): Promise<DNS.Packet>;
    static createServer(options: DNS.ServerOptions): DNS.DNSServer;
    static Packet: DNS.PacketStatic;
  }

  export = DNS;
}
