import type { Selectable } from '../kysely.ts';
import type { IdempotencyKeysTable } from '../schema.ts';
import type { Capabilities } from '../capabilities.ts';
import { type Executor, selectFixed } from './executor.ts';
import { GatheredReads } from './gathered-reads.ts';
import { idIn } from './id-list.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** A key to claim; with `answer`, claimed already answered (the transaction that claims it also commits its request). */
export interface KeyClaim {
  accountId: string;
  key: string;
  requestHash: string;
  createdAt: number;
  expiresAt: number;
  answer?: { status: number; body: string };
}

const keyId = (accountId: string, key: string) => `${accountId}\n${key}`;

export class IdempotencyRepo {
  private readonly lookups: GatheredReads<{ accountId: string; key: string }, IdempotencyRow> | null;

  constructor(
    private readonly db: Executor,
    caps: Capabilities,
    /** Gather the lookups of requests that arrive together into one statement (Capabilities.roundTrips). */
    gather = false,
  ) {
    this.lookups = gather
      ? new GatheredReads(
          (k) => keyId(k.accountId, k.key),
          async (keys) => {
            // Every pair of the accounts and keys asked for; the pairs not asked for are dropped.
            const rows = await this.db
              .selectFrom('idempotency_keys')
              .selectAll()
              .where(idIn(caps, 'account_id', [...new Set(keys.map((k) => k.accountId))]))
              .where(idIn(caps, 'idem_key', [...new Set(keys.map((k) => k.key))]))
              .execute();
            return rows.map((row) => ({ id: keyId(row.account_id, row.idem_key), row }));
          },
        )
      : null;
  }

  /**
   * Claims keys with in_progress rows (completed ones for claims that carry their answer): a key
   * is taken when no row binds it — none exists, or the one there has expired (`expires_at <=
   * now`) or was abandoned in progress (created before `abandonedBefore`). Answers the claims
   * made, as "account\nkey".
   */
  async claimMany(claims: readonly KeyClaim[], abandonedBefore: number, now: number): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const rows = await this.db
      .insertInto('idempotency_keys')
      .values(
        claims.map((c) => ({
          account_id: c.accountId,
          idem_key: c.key,
          request_hash: c.requestHash,
          status: c.answer ? ('completed' as const) : ('in_progress' as const),
          response_status: c.answer?.status ?? null,
          response_body: c.answer?.body ?? null,
          created_at: c.createdAt,
          expires_at: c.expiresAt,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'idem_key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            status: eb.ref('excluded.status'),
            response_status: eb.ref('excluded.response_status'),
            response_body: eb.ref('excluded.response_body'),
            created_at: eb.ref('excluded.created_at'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', now),
              eb.and([eb('idempotency_keys.status', '=', 'in_progress'), eb('idempotency_keys.created_at', '<', abandonedBefore)]),
            ]),
          ),
      )
      .returning(['account_id', 'idem_key'])
      .execute();
    return new Set(rows.map((r) => `${r.account_id}\n${r.idem_key}`));
  }

  /** Drops keys this transaction claimed whose requests it refused after all: they stay free. */
  async releaseMany(claims: ReadonlyArray<{ accountId: string; key: string }>): Promise<void> {
    for (const c of claims) {
      await this.db.deleteFrom('idempotency_keys').where('account_id', '=', c.accountId).where('idem_key', '=', c.key).execute();
    }
  }

  /** Every keyed request looks its key up first: a statement built once, or gathered with others. */
  async get(accountId: string, key: string): Promise<IdempotencyRow | undefined> {
    if (this.lookups) return this.lookups.read({ accountId, key });
    const rows = await selectFixed<IdempotencyRow>(this.db, 'select * from idempotency_keys where account_id = ? and idem_key = ?', [accountId, key]);
    return rows[0];
  }

  async deleteExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
