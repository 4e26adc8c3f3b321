import type { Clock } from '../../lib/clock.ts';
import type { AppError } from '../../lib/errors.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import type { Store } from '../../store/store.ts';
import { commitBatch, type PendingAccept } from './commit-batch.ts';
import type { Accepts, ChargePlan, StoredAnswer } from './plan.ts';

/**
 * The group commit of charged requests (lib/group-commit.ts): the plans that arrive while a batch
 * is being written go out together in the next, one transaction and one commit for all of them.
 */
export class AcceptCommitter implements Accepts {
  private readonly group: GroupCommit<PendingAccept, AppError | null>;

  constructor(store: Store, clock: Clock, opts: { concurrency: number; maxMessages: number }) {
    this.group = new GroupCommit((items) => store.transaction((tx) => commitBatch(tx, items, clock.now())), {
      name: 'accept',
      concurrency: opts.concurrency,
      weight: (p) => Math.max(1, p.plan.rows.messages?.length ?? 0),
      maxBatch: opts.maxMessages,
      // Where a batch locks the wallet rows it charges, a second batch of the same account would
      // only queue on the first one's lock; without row locks any batch may take any account.
      ...(store.capabilities.rowLocks ? { key: (p: PendingAccept) => p.plan.principal.accountId } : {}),
    });
  }

  async commit(plan: ChargePlan, answer: StoredAnswer | null): Promise<void> {
    const refused = await this.group.add({ plan, answer });
    if (refused) throw refused;
  }
}
