import { domainToUnicode } from 'node:url';
import { isPublicAddress } from '../../lib/public-address.ts';
import { TtlCache } from './cache.ts';
import { type DnsLookup, type DomainMail, MailDns } from './dns-checks.ts';
import { isDisposableDomain, isFreeDomain, isRoleLocalPart } from './lists.ts';
import { type ProbeOutcome, type ProbeSettings, probeMailbox } from './smtp-probe.ts';
import { suggestDomain } from './suggestion.ts';
import { parseAddress } from './syntax.ts';

/**
 * Email verification without money or storage: every check of SPEC §3 and the verdict drawn
 * from them. One instance per process (main.ts builds it), holding the per-domain caches.
 */

export interface EmailVerifySettings {
  /** Run the SMTP probe when a request does not say. */
  smtpByDefault: boolean;
  probe: ProbeSettings;
  /** Let the probe connect to loopback and private addresses (tests, closed networks). */
  allowPrivateHosts: boolean;
  /** How long DNS answers and catch-all findings are kept per domain; 0 keeps nothing. */
  cacheTtlMs: number;
  /** Per-query timeout of the resolver main.ts builds for verification. */
  dnsTimeoutMs: number;
}

export type VerificationResult = 'deliverable' | 'undeliverable' | 'risky' | 'unknown';

/** Each check: true/false, or null when it was not run (or could not be answered). */
export interface VerificationChecks {
  syntax: boolean;
  domain: boolean | null;
  mx: boolean | null;
  disposable: boolean | null;
  role: boolean | null;
  free: boolean | null;
  smtp: boolean | null;
  catch_all: boolean | null;
}

export interface Verification {
  email: string;
  result: VerificationResult;
  reason: string;
  checks: VerificationChecks;
  mx_hosts: string[];
  suggestion: string | null;
}

/** Every reason, with the result it goes with (docs/email-verification.md explains each). */
export const REASONS = {
  invalid_syntax: 'undeliverable',
  domain_not_found: 'undeliverable',
  null_mx: 'undeliverable',
  no_mail_server: 'undeliverable',
  mailbox_not_found: 'undeliverable',
  disposable: 'risky',
  catch_all: 'risky',
  role_account: 'risky',
  mailbox_exists: 'deliverable',
  domain_accepts_mail: 'deliverable',
  address_literal: 'unknown',
  dns_unavailable: 'unknown',
  smtp_timeout: 'unknown',
  smtp_temporary_failure: 'unknown',
  smtp_refused: 'unknown',
  smtp_unreachable: 'unknown',
  smtputf8_unsupported: 'unknown',
} as const satisfies Record<string, VerificationResult>;

export type Reason = keyof typeof REASONS;

const verdict = (reason: Reason) => ({ result: REASONS[reason] as VerificationResult, reason });

// The probe outcomes that say nothing about the mailbox, and how each is reported.
const INCONCLUSIVE: Partial<Record<ProbeOutcome['kind'], Reason>> = {
  timeout: 'smtp_timeout',
  temporary: 'smtp_temporary_failure',
  refused: 'smtp_refused',
  unreachable: 'smtp_unreachable',
  smtputf8_unsupported: 'smtputf8_unsupported',
};

const DNS_VERDICT: Partial<Record<DomainMail['kind'], Reason>> = {
  error: 'dns_unavailable',
  not_found: 'domain_not_found',
  null_mx: 'null_mx',
  no_mail: 'no_mail_server',
};

export class EmailVerifier {
  private readonly mailDns: MailDns;
  private readonly catchAll: TtlCache<boolean>;

  constructor(
    dns: DnsLookup,
    readonly settings: EmailVerifySettings,
  ) {
    this.mailDns = new MailDns(dns, settings.cacheTtlMs);
    this.catchAll = new TtlCache(settings.cacheTtlMs);
  }

  /** Verifies one address; `smtp` says whether to probe the mailbox. Never throws for a bad address. */
  async verify(input: string, opts: { smtp: boolean }): Promise<Verification> {
    const parsed = parseAddress(input);
    const checks: VerificationChecks = {
      syntax: parsed !== null,
      domain: null,
      mx: null,
      disposable: null,
      role: null,
      free: null,
      smtp: null,
      catch_all: null,
    };
    if (!parsed) return { email: input.trim(), ...verdict('invalid_syntax'), checks, mx_hosts: [], suggestion: null };

    const base = { email: parsed.normalized, checks, mx_hosts: [] as string[], suggestion: null as string | null };
    checks.role = isRoleLocalPart(parsed.local);
    // An address literal names a host directly: there is no domain to look up, and probing an
    // address a caller chose would let anyone aim this server at any machine.
    if (parsed.literal) return { ...base, ...verdict('address_literal') };

    const domain = parsed.domainAscii;
    checks.disposable = isDisposableDomain(domain);
    checks.free = isFreeDomain(domain);
    const suggested = suggestDomain(domain);
    base.suggestion = suggested ? `${parsed.local}@${domainToUnicode(suggested) || suggested}` : null;

    const mail = await this.mailDns.domainMail(domain);
    if (mail.kind !== 'error') {
      checks.domain = mail.kind !== 'not_found';
      checks.mx = mail.kind === 'mx' || mail.kind === 'implicit';
    }
    if (mail.kind !== 'mx' && mail.kind !== 'implicit') return { ...base, ...verdict(DNS_VERDICT[mail.kind]!) };
    base.mx_hosts = mail.hosts;

    let probe: ProbeOutcome | null = null;
    if (opts.smtp) {
      probe = await probeMailbox(mail.hosts, (host) => this.usableAddresses(host), {
        local: parsed.local,
        asciiDomain: domain,
        utf8Local: parsed.utf8Local,
        knownCatchAll: this.catchAll.get(domain) ?? null,
      }, this.settings.probe);
      if (probe.kind === 'accepted') {
        checks.smtp = true;
        checks.catch_all = probe.catchAll;
        if (probe.catchAll !== null) this.catchAll.set(domain, probe.catchAll);
      } else if (probe.kind === 'rejected') {
        checks.smtp = false;
        // A server that refuses an address is, by that refusal, not accepting everything.
        checks.catch_all = false;
        this.catchAll.set(domain, false);
      }
    }

    if (probe?.kind === 'rejected') return { ...base, ...verdict('mailbox_not_found') };
    if (checks.disposable) return { ...base, ...verdict('disposable') };
    const inconclusive = probe ? INCONCLUSIVE[probe.kind] : undefined;
    if (inconclusive) return { ...base, ...verdict(inconclusive) };
    if (checks.catch_all) return { ...base, ...verdict('catch_all') };
    if (checks.role) return { ...base, ...verdict('role_account') };
    return { ...base, ...verdict(probe ? 'mailbox_exists' : 'domain_accepts_mail') };
  }

  /** A mail host's addresses the probe may connect to: public ones only, unless private ones are allowed. */
  private async usableAddresses(host: string): Promise<string[]> {
    const found = await this.mailDns.hostAddresses(host);
    if (!Array.isArray(found)) return [];
    return this.settings.allowPrivateHosts ? found : found.filter(isPublicAddress);
  }
}
