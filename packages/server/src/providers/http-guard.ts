/**
 * The SSRF guard of every URL Hellio requests on a user's behalf (webhooks, callbacks, files named
 * by a request): the URL's form, its host's addresses vetted, and a lookup that pins the
 * connection to an address that was vetted — so a name that resolves to a public address when
 * checked and to 127.0.0.1 when connected (DNS rebinding) never reaches the inside.
 */
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { isPublicAddress } from '../lib/public-address.ts';

/** Why a target is refused before any connection: shown to the user as is. */
export class TargetBlocked extends Error {
  override name = 'TargetBlocked';
}

/** How hosts are resolved and whether the inside may be reached. */
export interface GuardOptions {
  /** Resolves a host name to its addresses (HELLIO_DNS_SERVERS or the system resolver). */
  resolve(hostname: string): Promise<string[]>;
  /** Let targets on loopback and private networks through (development, tests, closed networks). */
  allowPrivate: boolean;
}

/** An http(s) URL without credentials, or TargetBlocked. */
export function parseTarget(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TargetBlocked('not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TargetBlocked('must be an http or https URL');
  if (u.username || u.password) throw new TargetBlocked('must not carry credentials');
  return u;
}

/** A host's addresses, every one of them public unless the inside is allowed; or TargetBlocked. */
export async function vettedAddresses(hostname: string, opts: GuardOptions): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await opts.resolve(host);
    } catch (err) {
      throw new TargetBlocked(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (addresses.length === 0) throw new TargetBlocked(`${host} does not resolve`);
  }
  if (!opts.allowPrivate) {
    const inner = addresses.find((a) => !isPublicAddress(a));
    if (inner !== undefined) throw new TargetBlocked(`${host} resolves to ${inner}, which is not a public address`);
  }
  return addresses;
}

/** A lookup for node:http(s) that answers the first vetted address instead of asking DNS again. */
export function pinnedLookup(addresses: string[]): LookupFunction {
  return (_host, options, cb) => {
    const address = addresses[0]!;
    const family = isIP(address);
    if ((options as { all?: boolean }).all) (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
}
