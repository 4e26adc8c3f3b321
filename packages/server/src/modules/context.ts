import type { Store } from '../store/store.ts';
import type { MailDnsSettings } from './domains.ts';

/** What modules need besides their arguments: the store and deployment-wide settings. */
export interface ModuleContext {
  store: Store;
  currency: string;
  idempotencyTtlMs: number;
  /** DNS for domain verification and the records a domain must publish. */
  mailDns: MailDnsSettings;
}
