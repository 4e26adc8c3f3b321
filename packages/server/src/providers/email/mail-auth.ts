import { createRequire } from 'node:module';

/** The SPF, DKIM and DMARC verdicts on one received message (RFC 8601's words: pass, fail, none…). */
export interface MailAuthVerdicts {
  spf: string;
  dkim: string;
  dmarc: string;
}

/** Checks a received message's SPF, DKIM and DMARC. */
export interface MailAuthenticator {
  check(raw: Buffer, envelope: { ip: string; helo: string; sender: string | null }): Promise<MailAuthVerdicts>;
}

/** A DNS lookup shaped like node's `dns.promises.resolve` (what mailauth asks). */
export type MailAuthResolver = (name: string, type: string) => Promise<unknown[]>;

interface MailauthResult {
  dkim?: { results?: Array<{ status?: { result?: string } }> };
  spf?: { status?: { result?: string } } | false;
  dmarc?: { status?: { result?: string } } | false;
}

// mailauth ships no types; required rather than imported so no ambient module declaration is needed.
const require = createRequire(import.meta.url);
const mailauth = require('mailauth') as { authenticate(message: Buffer, opts: object): Promise<MailauthResult> };

/** The verdict that counts among several DKIM signatures: a pass if any passed, else the first one's. */
function dkimVerdict(results: Array<{ status?: { result?: string } }>): string {
  if (results.length === 0) return 'none';
  if (results.some((r) => r.status?.result === 'pass')) return 'pass';
  return results[0]!.status?.result ?? 'none';
}

/** mailauth's checks (version 4: the last that runs on Node 20), with the DNS it is given. */
export class MailauthAuthenticator implements MailAuthenticator {
  constructor(
    private readonly resolver: MailAuthResolver,
    /** Our own host name, written into the results as the checking MTA. */
    private readonly mta: string,
  ) {}

  async check(raw: Buffer, envelope: { ip: string; helo: string; sender: string | null }): Promise<MailAuthVerdicts> {
    const r = await mailauth.authenticate(raw, {
      ip: envelope.ip,
      helo: envelope.helo,
      // SPF of the null sender is checked against the HELO name (RFC 7208 §2.4).
      sender: envelope.sender ?? `postmaster@${envelope.helo}`,
      mta: this.mta,
      resolver: this.resolver,
      disableArc: true,
      disableBimi: true,
    });
    return {
      spf: r.spf ? (r.spf.status?.result ?? 'none') : 'none',
      dkim: dkimVerdict(r.dkim?.results ?? []),
      dmarc: r.dmarc ? (r.dmarc.status?.result ?? 'none') : 'none',
    };
  }
}
