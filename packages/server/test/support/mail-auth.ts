/**
 * mailauth's `authenticate`, typed for what the tests read. mailauth ships no types; loading it
 * through require keeps an ambient `declare module` for a test-only package out of the tree.
 */
import { createRequire } from 'node:module';

export interface DkimResult {
  signingDomain?: string;
  selector?: string;
  status: { result: string; comment?: string; aligned?: string | false };
  info: string;
}

export interface AuthResult {
  dkim: { results: DkimResult[] };
  spf: { status: { result: string; comment?: string }; domain?: string } | false;
  dmarc: { status: { result: string } } | false;
}

export interface AuthOptions {
  resolver: (name: string, type: string) => Promise<unknown[]>;
  /** MAIL FROM, for SPF. */
  sender?: string;
  /** The connecting client's address, for SPF. */
  ip?: string;
  helo?: string;
  mta?: string;
  disableArc?: boolean;
  disableDmarc?: boolean;
  disableBimi?: boolean;
}

const require = createRequire(import.meta.url);
const mailauth = require('mailauth') as { authenticate(message: Buffer | string, opts: AuthOptions): Promise<AuthResult> };

export const authenticate = mailauth.authenticate;
