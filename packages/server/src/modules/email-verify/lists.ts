import { createRequire } from 'node:module';

/**
 * The domain and local-part lists behind the disposable, free and role checks. The disposable
 * and free-provider lists come from maintained packages (mailchecker; email-providers), so an
 * `npm update` refreshes them; they are loaded on first use, not at start, because together
 * they are a few megabytes of data that most processes (the CLI, workers) never need.
 */

const require = createRequire(import.meta.url);

let disposable: ReadonlySet<string> | null = null;
let free: ReadonlySet<string> | null = null;

function disposableDomains(): ReadonlySet<string> {
  disposable ??= (require('mailchecker') as { blacklist(): Set<string> }).blacklist();
  return disposable;
}

function freeDomains(): ReadonlySet<string> {
  free ??= new Set((require('email-providers/all.json') as string[]).map((d) => d.toLowerCase()));
  return free;
}

/** The domain and each parent above it, down to the registrable part: a.b.example.com → b.example.com → example.com. */
function withParents(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** A throwaway-mailbox service, or a subdomain of one (they hand out random subdomains too). */
export function isDisposableDomain(asciiDomain: string): boolean {
  const set = disposableDomains();
  return withParents(asciiDomain).some((d) => set.has(d));
}

/** A free mailbox provider (gmail.com, yahoo.co.jp, …): the address belongs to a person, not a company's domain. */
export function isFreeDomain(asciiDomain: string): boolean {
  return freeDomains().has(asciiDomain);
}

// Mailboxes that name a function rather than a person: several people or nobody read them, and
// they complain more. RFC 2142 names the ones a domain should have; the rest are common practice.
const ROLE_LOCAL_PARTS = new Set([
  'abuse', 'accounting', 'accounts', 'admin', 'administrator', 'billing', 'careers',
  'compliance', 'contact', 'contactus', 'customercare', 'customerservice', 'customersupport',
  'devnull', 'dns', 'enquiries', 'enquiry', 'everyone', 'feedback', 'finance', 'ftp', 'hello',
  'help', 'helpdesk', 'hostmaster', 'hr', 'info', 'information', 'inquiries', 'inquiry', 'investors',
  'it', 'jobs', 'legal', 'mail', 'mailer-daemon', 'marketing', 'media', 'news', 'newsletter',
  'no-reply', 'noc', 'noreply', 'no_reply', 'donotreply', 'do-not-reply', 'notifications', 'office',
  'operations', 'orders', 'partners', 'payments', 'postmaster', 'press', 'privacy', 'recruiting',
  'recruitment', 'reservations', 'root', 'sales', 'security', 'service', 'services', 'staff',
  'subscribe', 'support', 'sysadmin', 'team', 'tech', 'unsubscribe', 'usenet', 'uucp',
  'webmaster', 'www',
]);

/** Whether the local part names a role (info@, postmaster@ …); case and a "+tag" are ignored. */
export function isRoleLocalPart(local: string): boolean {
  const base = local.toLowerCase().replace(/^"|"$/g, '').split('+')[0]!;
  return ROLE_LOCAL_PARTS.has(base);
}
