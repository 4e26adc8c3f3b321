// Types of generate.mjs for the suite's test/http/fuzz.test.ts.
export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}
export interface Operation {
  method: string;
  path: string;
  auth: 'key' | 'session' | 'none';
}
export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  label: string;
  authKind: 'valid' | 'none' | 'bad' | 'other-account';
  mutatedPath: boolean;
  expectError: boolean;
}
export interface Verdict {
  /** A 5xx that is a fault (not a 503 overloaded with Retry-After). */
  fiveXX: boolean;
  /** A 503 overloaded with Retry-After: load shedding as designed. */
  shed: boolean;
  nonSpec: boolean;
  why: string | null;
}
export function prng(seed: number): Rng;
export function operations(spec: unknown): Operation[];
export function hostileRequest(
  r: Rng,
  op: Operation,
  auth: { key: Record<string, string>; session: Record<string, string> | null; operator: Record<string, string> | null; otherKey: Record<string, string> | null },
  ids: { accountId: string; otherAccountId: string | null; own: string[]; other: string[] },
): HostileRequest;
export function judge(status: number, headers: Record<string, unknown>, bodyText: string): Verdict;
export function describeRequest(q: HostileRequest, status: number, why: string | null): Record<string, unknown>;
export function safeWithValidAuth(op: Operation): boolean;
