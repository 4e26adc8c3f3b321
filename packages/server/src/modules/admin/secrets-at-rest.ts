import { SealedSecretError } from '../../lib/sealed-secrets.ts';
import { SEALED_COLUMNS } from '../../store/repos/sealed-columns.ts';
import type { Deps } from '../deps.ts';

/**
 * The server secret holding a known value sealed under the installation's key: a process started
 * with another key finds out at start, before it seals anything under a key the others cannot read.
 */
export const KEY_CHECK = 'secret_key_check';
/** What the key check opens to. */
export const KEY_CHECK_TEXT = 'hellio';
// Rows sealed per transaction: each batch is short, so requests never wait long behind a pass.
const BATCH = 100;

/** A process whose key cannot read this database's secrets (it must not start: it would seal under the wrong key). */
export class SecretKeyMismatchError extends Error {
  override name = 'SecretKeyMismatchError';
}

/**
 * Checks at start that this process's key opens the database's secrets (the first process to
 * start records a value sealed under its key). Throws SecretKeyMismatchError otherwise.
 */
export async function checkSecretKey({ store, clock }: Deps): Promise<void> {
  try {
    const text = await store.secrets.getOrCreate(KEY_CHECK, KEY_CHECK_TEXT, clock.now());
    if (text !== KEY_CHECK_TEXT) throw new SealedSecretError('the key check holds another value');
  } catch (err) {
    if (!(err instanceof SealedSecretError)) throw err;
    throw new SecretKeyMismatchError(
      `This process's secret key does not open the secrets in the database (${err.message}). ` +
        'Every process of an installation needs the same HELLIO_SECRET_KEY (or key file); after a rotation, ' +
        'the old key goes in HELLIO_SECRET_KEY_PREVIOUS until `hellio secrets rotate` has run. See docs/reliability.md.',
    );
  }
}

/**
 * Seals the secrets still stored in clear (written before encryption at rest), in batches;
 * answers how many. Idempotent: a second pass finds nothing. Values are readable throughout,
 * since a value without the envelope's prefix reads as plaintext.
 */
export async function sealPlaintextSecrets({ store }: Deps): Promise<number> {
  return pass(store, 'plaintext');
}

/** What `hellio secrets rotate` did. */
export interface RotationResult {
  /** The id of the key everything is now sealed under. */
  key_id: string;
  /** Values sealed again (or for the first time) under it. */
  resealed: number;
  /** Values left that are not under it (0 unless rows changed meanwhile). */
  remaining: number;
}

/**
 * Seals every secret under the current key (HELLIO_SECRET_KEY), opening those sealed under a
 * previous one with the keyring (HELLIO_SECRET_KEY_PREVIOUS). After it, the previous keys can be
 * dropped from every process's configuration.
 */
export async function rotateSecrets({ store }: Deps, keyId: string): Promise<RotationResult> {
  const resealed = await pass(store, 'stale');
  let remaining = 0;
  for (const col of SEALED_COLUMNS) remaining += await store.sealedColumns.count(col, 'stale');
  return { key_id: keyId, resealed, remaining };
}

async function pass(store: Deps['store'], which: 'plaintext' | 'stale'): Promise<number> {
  let total = 0;
  for (const col of SEALED_COLUMNS) {
    let after: string | null = '';
    while (after !== null) {
      const from: string = after;
      const batch = await store.transaction((tx) => tx.sealedColumns.resealBatch(col, which, from, BATCH));
      total += batch.sealed;
      after = batch.last;
    }
  }
  return total;
}
