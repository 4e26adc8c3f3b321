/** The life of a provider's standing connection (SMPP): not opened yet, opening, up, waiting to retry, shut. */
export type LinkState = 'idle' | 'connecting' | 'bound' | 'backoff' | 'closed';

/**
 * What an adapter says about itself, read-only, for the operators' console (GET /admin/providers).
 * It is this process's view: a provider that connects lazily is "idle" in a process that has sent
 * nothing through it.
 */
export interface ProviderState {
  /** What carries the messages. */
  kind: 'simulator' | 'smpp' | 'http' | 'smtp' | 'sip';
  /** The standing connection's state; null for adapters that connect per message (HTTP APIs, SMTP, the simulators). */
  link: LinkState | null;
  /** Parts handed to the network and not yet answered (the SMPP window); 0 where nothing waits. */
  inFlight: number;
  /** Parts waiting for room in the window; 0 where nothing waits. */
  queued: number;
  /** Why the link is down, while it is (never a credential). */
  lastError: string | null;
}

/** The state of an adapter with no standing connection and nothing queued in memory. */
export function connectionless(kind: ProviderState['kind']): ProviderState {
  return { kind, link: null, inFlight: 0, queued: 0, lastError: null };
}
