/** Every scope a key can hold (SPEC §1). */
export const SCOPES = [
  'email:send',
  'sms:send',
  'otp',
  'voice',
  'lookup',
  'email:verify',
  'reports',
  'balance',
  'webhooks',
] as const;

export type Scope = (typeof SCOPES)[number];

const KNOWN = new Set<string>(SCOPES);

/** Parses a comma- or space-separated scope list; returns the unknown names as errors. */
export function parseScopes(text: string): { scopes: Scope[]; unknown: string[] } {
  const names = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  return {
    scopes: names.filter((n): n is Scope => KNOWN.has(n)),
    unknown: names.filter((n) => !KNOWN.has(n)),
  };
}
