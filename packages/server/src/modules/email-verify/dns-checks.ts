import { TtlCache } from './cache.ts';

/** The DNS look-ups verification needs, shaped like node's dns.promises.Resolver (main.ts builds it). */
export interface DnsLookup {
  resolveMx(name: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** What DNS says about mail for a domain. */
export type DomainMail =
  /** MX hosts, best (lowest preference) first. */
  | { kind: 'mx'; hosts: string[] }
  /** No MX but an address record: RFC 5321 §5.1 makes the domain its own mail host. */
  | { kind: 'implicit'; hosts: string[] }
  /** RFC 7505 null MX ("0 ."): the domain says it accepts no mail at all. */
  | { kind: 'null_mx' }
  /** The name exists but has neither MX nor address records. */
  | { kind: 'no_mail' }
  /** NXDOMAIN: no such domain. */
  | { kind: 'not_found' }
  /** The resolver failed (timeout, SERVFAIL, refused): nothing is known. */
  | { kind: 'error'; code: string };

type Answer<T> = { ok: true; value: T } | { ok: false; code: string };

// Node reports NXDOMAIN as ENOTFOUND and "the name exists, no record of this type" as ENODATA.
const NO_SUCH_NAME = 'ENOTFOUND';
const NO_DATA = 'ENODATA';

async function ask<T>(q: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await q() };
  } catch (err) {
    return { ok: false, code: String((err as { code?: unknown }).code ?? 'EUNKNOWN') };
  }
}

const hostName = (h: string) => h.toLowerCase().replace(/\.$/, '');

/** Looks up a domain's mail hosts (MX, else A/AAAA) and the addresses of a mail host, with caching. */
export class MailDns {
  private readonly domains: TtlCache<DomainMail>;
  private readonly addresses: TtlCache<string[] | { error: string }>;

  constructor(
    private readonly dns: DnsLookup,
    cacheTtlMs: number,
  ) {
    this.domains = new TtlCache(cacheTtlMs);
    this.addresses = new TtlCache(cacheTtlMs);
  }

  /** What DNS says about mail for `asciiDomain`; failures are returned, never cached. */
  domainMail(asciiDomain: string): Promise<DomainMail> {
    return this.domains.through(asciiDomain, () => this.lookUpDomain(asciiDomain), (v) => v.kind !== 'error');
  }

  private async lookUpDomain(domain: string): Promise<DomainMail> {
    const mx = await ask(() => this.dns.resolveMx(domain));
    if (mx.ok && mx.value.length > 0) {
      const real = mx.value.filter((r) => hostName(r.exchange) !== '');
      // A null MX is "0 ." alone (RFC 7505 §3); beside real hosts it is a mistake, and the real hosts still work.
      if (real.length === 0) return { kind: 'null_mx' };
      const sorted = [...real].sort((a, b) => a.priority - b.priority).map((r) => hostName(r.exchange));
      return { kind: 'mx', hosts: [...new Set(sorted)] };
    }
    if (!mx.ok && mx.code === NO_SUCH_NAME) return { kind: 'not_found' };
    if (!mx.ok && mx.code !== NO_DATA) return { kind: 'error', code: mx.code };
    // No MX: RFC 5321 §5.1's implicit MX is the domain itself, if it has an address.
    const addrs = await this.hostAddresses(domain);
    if (Array.isArray(addrs)) return addrs.length > 0 ? { kind: 'implicit', hosts: [domain] } : { kind: 'no_mail' };
    return addrs.error === NO_SUCH_NAME ? { kind: 'not_found' } : { kind: 'error', code: addrs.error };
  }

  /** IPv4 addresses first (more often reachable), then IPv6; `{error}` when the resolver failed. */
  hostAddresses(host: string): Promise<string[] | { error: string }> {
    return this.addresses.through(host, () => this.lookUpAddresses(host), (v) => Array.isArray(v));
  }

  private async lookUpAddresses(host: string): Promise<string[] | { error: string }> {
    const [v4, v6] = await Promise.all([ask(() => this.dns.resolve4(host)), ask(() => this.dns.resolve6(host))]);
    const found = [...(v4.ok ? v4.value : []), ...(v6.ok ? v6.value : [])];
    if (found.length > 0) return found;
    const failure = [v4, v6].find((a) => !a.ok && a.code !== NO_DATA && a.code !== NO_SUCH_NAME);
    if (failure && !failure.ok) return { error: failure.code };
    // Both answered "nothing": NXDOMAIN if either said so, otherwise an existing name without addresses.
    return [v4, v6].some((a) => !a.ok && a.code === NO_SUCH_NAME) ? { error: NO_SUCH_NAME } : [];
  }
}
