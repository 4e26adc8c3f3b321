import { CallsRepo } from './repos/calls.ts';
import { InboundEmailsRepo } from './repos/inbound-emails.ts';
import { sql } from './kysely.ts';
import type { Capabilities } from './capabilities.ts';
import type { Db } from './db.ts';
import { AccountsRepo } from './repos/accounts.ts';
import { CampaignsRepo } from './repos/campaigns.ts';
import { DeliveryRepo } from './repos/delivery.ts';
import { DomainsRepo } from './repos/domains.ts';
import { ChargesRepo } from './repos/charges.ts';
import type { Executor } from './repos/executor.ts';
import { IdempotencyRepo } from './repos/idempotency.ts';
import { JobsRepo } from './repos/jobs.ts';
import { KeysRepo } from './repos/keys.ts';
import { MessagesRepo } from './repos/messages.ts';
import { PricesRepo } from './repos/prices.ts';
import { RoutesRepo } from './repos/routes.ts';
import { SendersRepo } from './repos/senders.ts';
import { SpendRepo } from './repos/spend.ts';
import { WalletRepo } from './repos/wallet.ts';
import { EventsRepo } from './repos/events.ts';
import { WebhooksRepo } from './repos/webhooks.ts';
import { ReadCache } from './read-cache.ts';
import { BatchWritesRepo } from './repos/batch-writes.ts';
import { LookupsRepo } from './repos/lookups.ts';
import { OtpRepo } from './repos/otp.ts';
import { SecretsRepo } from './repos/secrets.ts';
import { EmailVerificationsRepo } from './repos/email-verifications.ts';
import { UsersRepo } from './repos/users.ts';
import { SessionsRepo } from './repos/sessions.ts';
import { UserTokensRepo } from './repos/user-tokens.ts';
import { AuditRepo } from './repos/audit.ts';
import { SenderRequestsRepo } from './repos/sender-requests.ts';
import { RetentionRepo } from './repos/retention.ts';
import { migrateToLatest } from './migrations/index.ts';
import { SealedColumnsRepo } from './repos/sealed-columns.ts';
import { MessageCallbacksRepo } from './repos/message-callbacks.ts';
import { SuppressionsRepo } from './repos/suppressions.ts';
import { NumbersRepo } from './repos/numbers.ts';
import { InboundPartsRepo } from './repos/inbound-parts.ts';
import { ConsentRepliesRepo } from './repos/consent-replies.ts';
import type { SecretBox } from '../lib/sealed-secrets.ts';
import { HeldSignals, NO_SIGNALS, type Signals } from '../lib/signals.ts';
import { since, timings, type WriteTurnTiming } from '../lib/timings.ts';

/**
 * The typed repositories over one database handle. `transaction` hands the callback a Store
 * bound to one transaction; everything it writes commits or rolls back together.
 */
export class Store {
  readonly accounts: AccountsRepo;
  readonly keys: KeysRepo;
  readonly wallet: WalletRepo;
  readonly spend: SpendRepo;
  readonly senders: SendersRepo;
  readonly prices: PricesRepo;
  readonly campaigns: CampaignsRepo;
  readonly messages: MessagesRepo;
  readonly jobs: JobsRepo;
  readonly idempotency: IdempotencyRepo;
  readonly charges: ChargesRepo;
  readonly delivery: DeliveryRepo;
  readonly routes: RoutesRepo;
  readonly domains: DomainsRepo;
  readonly events: EventsRepo;
  readonly webhooks: WebhooksRepo;
  /** Status callbacks of messages sent through a compatibility API (Twilio, Kannel). */
  readonly messageCallbacks: MessageCallbacksRepo;
  /** The API's cache of keys, senders and prices (outside transactions; see ReadCache). */
  readonly cache: ReadCache;
  readonly batchWrites: BatchWritesRepo;
  readonly otp: OtpRepo;
  readonly secrets: SecretsRepo;
  readonly lookups: LookupsRepo;
  readonly emailVerifications: EmailVerificationsRepo;
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly userTokens: UserTokensRepo;
  readonly audit: AuditRepo;
  readonly senderRequests: SenderRequestsRepo;
  readonly calls: CallsRepo;
  /** Bounded deletes and redactions of what outlived its retention period. */
  readonly retention: RetentionRepo;
  /** The passes over every sealed column (sealing plaintext, rotating keys). */
  readonly sealedColumns: SealedColumnsRepo;
  /** Recipients each account never sends to, per channel. */
  readonly suppressions: SuppressionsRepo;
  /** The numbers accounts receive SMS on. */
  readonly numbers: NumbersRepo;
  /** Parts of concatenated MO SMS waiting for the rest. */
  readonly inboundParts: InboundPartsRepo;
  /** Accounts' replies to STOP, START and HELP. */
  readonly consentReplies: ConsentRepliesRepo;
  /** Mail received for accounts' verified domains. */
  readonly inboundEmails: InboundEmailsRepo;

  private constructor(
    private readonly db: Executor,
    /** What this backend can do (store/capabilities.ts): callers plan around abilities, not names. */
    readonly capabilities: Capabilities,
    /** The deployment's currency: stored money is rendered with it wherever a resource is shown. */
    readonly currency: string,
    private readonly inTransaction: boolean,
    /** Seals and opens the secret columns (lib/sealed-secrets.ts). */
    private readonly box: SecretBox,
    private readonly handle: Pick<Db, 'backupTo' | 'writeLock'>,
    /** Where modules report committed facts (lib/signals.ts); inside a transaction, held until it commits. */
    readonly signals: Signals,
  ) {
    this.accounts = new AccountsRepo(db);
    this.keys = new KeysRepo(db);
    this.wallet = new WalletRepo(db);
    this.spend = new SpendRepo(db);
    this.senders = new SendersRepo(db);
    this.prices = new PricesRepo(db);
    this.campaigns = new CampaignsRepo(db);
    this.messages = new MessagesRepo(db);
    this.jobs = new JobsRepo(db, capabilities);
    // Outside a transaction, where a statement is a round trip, the lookups every request makes
    // are gathered (store/repos/gathered-reads.ts); a transaction's reads stay its own.
    const gather = capabilities.roundTrips && !inTransaction;
    this.idempotency = new IdempotencyRepo(db, capabilities, gather);
    this.charges = new ChargesRepo(db, capabilities);
    this.delivery = new DeliveryRepo(db, capabilities);
    this.routes = new RoutesRepo(db);
    this.domains = new DomainsRepo(db, box);
    this.events = new EventsRepo(db);
    this.webhooks = new WebhooksRepo(db, box);
    this.messageCallbacks = new MessageCallbacksRepo(db, box);
    this.otp = new OtpRepo(db);
    this.secrets = new SecretsRepo(db, box);
    this.lookups = new LookupsRepo(db);
    this.emailVerifications = new EmailVerificationsRepo(db);
    this.users = new UsersRepo(db, capabilities, box);
    this.sessions = new SessionsRepo(db);
    this.userTokens = new UserTokensRepo(db);
    this.audit = new AuditRepo(db);
    this.senderRequests = new SenderRequestsRepo(db);
    this.calls = new CallsRepo(db);
    this.inboundEmails = new InboundEmailsRepo(db);
    this.retention = new RetentionRepo(db, capabilities);
    this.sealedColumns = new SealedColumnsRepo(db, box);
    this.suppressions = new SuppressionsRepo(db, capabilities, gather);
    this.numbers = new NumbersRepo(db);
    this.inboundParts = new InboundPartsRepo(db);
    this.consentReplies = new ConsentRepliesRepo(db);
    // Inside a transaction reads go to it: a cache on the pool would wait for the connection
    // the transaction holds (SQLite has one), and the transaction must see its own writes.
    this.cache = new ReadCache(db, this, { passThrough: inTransaction });
    this.batchWrites = new BatchWritesRepo(db, capabilities);
  }

  /** The store over an open database; `secrets` seals the secret columns (every process of an installation has the same key). */
  static open(handle: Db, settings: { currency: string; secrets: SecretBox; signals?: Signals }): Store {
    return new Store(handle.db, handle.capabilities, settings.currency, false, settings.secrets, handle, settings.signals ?? NO_SIGNALS);
  }

  /** A consistent copy of the database into `file` while it is in use; only when `capabilities.onlineBackup`. */
  async backupTo(file: string): Promise<void> {
    if (!this.handle.backupTo) throw new Error('this store has no online backup (capabilities.onlineBackup)');
    await this.handle.backupTo(file);
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    // The transaction's signals count once it has committed: a rollback leaves them unsaid.
    const held = new HeldSignals();
    const result = await this.run((executor) => fn(new Store(executor, this.capabilities, this.currency, true, this.box, this.handle, held)));
    held.flushTo(this.signals);
    return result;
  }

  /**
   * `fn`'s statements where they cannot meet another writer mid-way. With one writer per
   * database (SQLite) that is one transaction, which takes this process's write turn: a write
   * left to autocommit takes SQLite's lock without the turn, and a thread whose BEGIN meets it
   * sleeps in SQLite's busy handler (measured: the worker's job claim, docs/performance.md).
   * Where writers run side by side (PostgreSQL) `fn` runs as it is, each statement on its own.
   */
  async exclusively<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    return this.capabilities.concurrentWriters ? fn(this) : this.transaction(fn);
  }

  /** `fn` in a transaction of this backend's kind (BEGIN IMMEDIATE where `lockOnBegin`). */
  private async run<T>(fn: (executor: Executor) => Promise<T>): Promise<T> {
    if (!this.capabilities.lockOnBegin) return this.db.transaction().execute(fn);
    // BEGIN IMMEDIATE takes the write lock up front. A deferred BEGIN that reads first fails
    // (SQLITE_BUSY) without waiting when another process (the CLI) wrote meanwhile.
    const lock = this.handle.writeLock;
    if (!lock) return this.immediate(fn, () => undefined);
    const asked = performance.now();
    await lock.acquire();
    const got = performance.now();
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      lock.release();
      if (timings.writeTurn.hasSubscribers) timings.writeTurn.publish({ waitMs: got - asked, holdMs: since(got) } satisfies WriteTurnTiming);
    };
    try {
      return await this.immediate(fn, release);
    } finally {
      release();
    }
  }

  /**
   * `fn` between BEGIN IMMEDIATE and COMMIT on the one connection. `committed` runs right after
   * COMMIT, before the commit's WAL sync (store/wal-sync.ts): the write turn goes to the next
   * thread then, whose transaction runs while the disk works — this one's answer still waits for it.
   */
  private async immediate<T>(fn: (executor: Executor) => Promise<T>, committed: () => void): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        committed();
        return result;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }

  async migrate(): Promise<string[]> {
    return migrateToLatest(this.db);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
