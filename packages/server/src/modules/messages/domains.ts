import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { dkimRecords, type DnsRecord, generateDkimKey } from '../../lib/dkim.ts';
import { normaliseDomain } from '../../lib/email-address.ts';
import { newId } from '../../lib/ids.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { DkimKey } from '../../providers/email/email-provider.ts';
import type { DomainRow } from '../../store/repos/domains.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from '../people/actor.ts';
import { auditBy } from '../people/audit.ts';

/** Looks up TXT records, as node's dns.resolveTxt does (each record is a list of strings). */
export type TxtResolver = (name: string) => Promise<string[][]>;

export interface MailDnsSettings {
  resolveTxt: TxtResolver;
  spfInclude: string | null;
  returnPathHost: string | null;
}

// One selector for every key this installation generates; rotation would add "hellio2".
const SELECTOR = 'hellio1';

function recordsOf(d: DomainRow, dns: MailDnsSettings): DnsRecord[] {
  return dkimRecords(d.domain, d.selector, d.public_key, {
    ...(dns.spfInclude ? { spfInclude: dns.spfInclude } : {}),
    ...(dns.returnPathHost ? { returnPathHost: dns.returnPathHost } : {}),
  });
}

/** A domain as the API and the CLI show it: never the private key. */
export function domainView(d: DomainRow, dns: MailDnsSettings) {
  return {
    id: d.id,
    domain: d.domain,
    status: d.status,
    dkim_selector: d.selector,
    records: recordsOf(d, dns),
    verified_at: rfc3339(d.verified_at),
    created_at: rfc3339(d.created_at),
  };
}

/** What the domain functions use: the store, the clock and the DNS of verification. */
export type DomainDeps = Deps & { mailDns: MailDnsSettings };

/** Adds a sending domain with a fresh DKIM key; the answer lists the DNS records to publish. */
export async function addDomain({ store, clock, mailDns: dns }: DomainDeps, accountId: string, name: string, actor?: AuditActor) {
  const domain = normaliseDomain(name);
  if (!domain) throw validationError([{ field: 'domain', message: 'must be a domain name such as example.com' }]);
  await getAccount(store, accountId);
  const { privateKeyPem, publicKeyBase64 } = generateDkimKey();
  const row: DomainRow = {
    id: newId('dom'),
    account_id: accountId,
    domain,
    selector: SELECTOR,
    private_key: privateKeyPem,
    public_key: publicKeyBase64,
    status: 'pending',
    verified_at: null,
    created_at: clock.now(),
  };
  await store.transaction(async (tx) => {
    if (!(await tx.domains.insert(row))) throw new AppError('conflict', `${domain} was already added`);
    await auditBy(tx, actor, { accountId, action: 'domain.add', target: row.id, after: { domain, selector: row.selector } }, row.created_at);
  });
  return domainView(row, dns);
}

async function txt(dns: MailDnsSettings, name: string): Promise<string[] | null> {
  try {
    return (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch {
    return null;
  }
}

/**
 * Checks the published DKIM record against the domain's key. A match verifies the domain and
 * approves it as an email sender, in one transaction. SPF is reported but not required (the
 * domain may send through other services that own its SPF record).
 */
export async function verifyDomain({ store, clock, mailDns: dns }: DomainDeps, accountId: string, id: string, actor?: AuditActor) {
  const d = await store.domains.get(accountId, id);
  if (!d) throw notFound('Domain');
  const dkimTxt = await txt(dns, `${d.selector}._domainkey.${d.domain}`);
  const dkim = (dkimTxt ?? []).some((record) => {
    const p = /(?:^|;)\s*p=([^;]*)/.exec(record)?.[1]?.replace(/\s+/g, '');
    return p === d.public_key;
  });
  const spfTxt = await txt(dns, d.domain);
  const spf = spfTxt === null ? null : spfTxt.some((r) => r.startsWith('v=spf1'));
  if (dkim && d.status !== 'verified') {
    const now = clock.now();
    await store.transaction(async (tx) => {
      await tx.domains.markVerified(d.id, now);
      await tx.senders.add({ id: newId('snd'), account_id: accountId, kind: 'email_domain', value: d.domain, created_at: now });
      await auditBy(tx, actor, { accountId, action: 'domain.verify', target: d.id, before: { status: d.status }, after: { status: 'verified', domain: d.domain } }, now);
    });
  }
  const fresh = (await store.domains.get(accountId, id))!;
  return { ...domainView(fresh, dns), checks: { dkim, spf } };
}

export async function listDomains({ store, mailDns: dns }: DomainDeps, accountId: string) {
  return { data: (await store.domains.list(accountId)).map((d) => domainView(d, dns)), next_cursor: null };
}

export async function getDomain({ store, mailDns: dns }: DomainDeps, accountId: string, id: string) {
  const d = await store.domains.get(accountId, id);
  if (!d) throw notFound('Domain');
  return domainView(d, dns);
}

/** The key to sign a sender's mail with: the account's verified domain of the From address. */
export async function dkimKeyFor(store: Store, accountId: string, fromAddress: string): Promise<DkimKey | null> {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase();
  const d = await store.domains.byName(accountId, domain);
  if (!d || d.status !== 'verified') return null;
  return { domainName: d.domain, keySelector: d.selector, privateKey: d.private_key };
}
