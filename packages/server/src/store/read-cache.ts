import type { KeyWithAccount, KeysRepo } from './repos/keys.ts';
import type { PricesRepo } from './repos/prices.ts';
import type { SenderKey, SendersRepo } from './repos/senders.ts';
import type { Executor } from './repos/executor.ts';

// Entries kept at most per map; past it the map starts afresh (a burst of one-off keys cannot grow it).
const MAX_ENTRIES = 10_000;
// Reads through a cache that nobody has refreshed for this long refresh it first: for processes
// that read without the API's refresh-per-request (the worker), staleness stays bounded.
const SELF_REFRESH_MS = 1_000;

type PriceRows = Array<{ prefix: string; price_micros: number }>;

/**
 * What every request reads and almost nothing changes — the API key with its account's settings,
 * an account's approved senders, a channel's prices — kept in memory. Exact, not eventually
 * right: triggers (migration 0010) increase `cache_epoch` with every change to those tables,
 * whatever process or statement makes it, and `refresh()`, which the API calls first in every
 * authenticated request, drops everything when the number moved. A revoked key is therefore
 * refused by the first request that starts after the revocation committed, on every process.
 *
 * A read that began before a change and ends after a refresh saw the change's number must not
 * be kept: entries are stored only if no refresh moved the epoch while they were being read.
 */
export class ReadCache {
  private epoch: number | null = null;
  private refreshedAt = 0;
  private readonly keys = new Map<string, KeyWithAccount>();
  private readonly senders = new Map<string, Set<string>>();
  private readonly prices = new Map<string, PriceRows>();

  constructor(
    private readonly db: Executor,
    private readonly repos: { keys: KeysRepo; senders: SendersRepo; prices: PricesRepo },
    private readonly opts: { passThrough: boolean },
  ) {}

  /**
   * Reads the change counter and drops every entry when it moved since the last refresh. The
   * requests of one turn of the event loop share one read, issued after all of them arrived —
   * so each still sees every change committed before it came in.
   */
  refresh(): Promise<void> {
    if (this.opts.passThrough) return Promise.resolve();
    this.pendingRefresh ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pendingRefresh = null;
        this.readEpoch().then(resolve, reject);
      });
    });
    return this.pendingRefresh;
  }

  private pendingRefresh: Promise<void> | null = null;

  private async readEpoch(): Promise<void> {
    const row = await this.db.selectFrom('cache_epoch').select('version').where('id', '=', 1).executeTakeFirst();
    const epoch = row ? Number(row.version) : null;
    this.refreshedAt = Date.now();
    if (epoch !== null && epoch === this.epoch) return;
    this.keys.clear();
    this.senders.clear();
    this.prices.clear();
    this.epoch = epoch;
  }

  private async through<K, V>(map: Map<K, V>, key: K, read: () => Promise<V>, keep: (v: V) => boolean = () => true): Promise<V> {
    if (this.opts.passThrough) return read();
    if (Date.now() - this.refreshedAt > SELF_REFRESH_MS) await this.refresh();
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const epoch = this.epoch;
    const value = await read();
    if (epoch !== null && epoch === this.epoch && keep(value)) {
      if (map.size >= MAX_ENTRIES) map.clear();
      map.set(key, value);
    }
    return value;
  }

  /**
   * The key with this hash, or undefined. Unknown hashes are not kept (a key imported a moment
   * later must work at once). The row is shared: authenticate() notes last_used_at on it.
   */
  async keyByHash(hash: string): Promise<KeyWithAccount | undefined> {
    return this.through(this.keys, hash, () => this.repos.keys.findByHash(hash), (row) => row !== undefined);
  }

  /** True when any of the candidate approvals exists for the account. */
  async anyApproved(accountId: string, candidates: SenderKey[]): Promise<boolean> {
    const approved = await this.through(this.senders, accountId, async () => new Set((await this.repos.senders.list(accountId)).map((s) => `${s.kind}:${s.value}`)));
    return candidates.some((c) => approved.has(`${c.kind}:${c.value}`));
  }

  async priceRows(channel: string): Promise<PriceRows> {
    return this.through(this.prices, channel, () => this.repos.prices.list(channel));
  }
}
