/**
 * Point lookups that many requests make at once, answered together: each `read` waits until the
 * event loop has run the requests that arrived with it (`setImmediate`), then one statement
 * answers all of them. For a backend where every statement is a round trip to a server
 * (`Capabilities.roundTrips`): per request, the lookup's socket write and the server's parse and
 * execute were a third of the API thread's time on PostgreSQL (docs/performance.md).
 * A read sees what was committed when its statement ran, as a lookup of its own would: it runs
 * after the request asked, never before.
 */
export class GatheredReads<K, R> {
  private waiting: Array<{ key: K; done: (row: R | undefined) => void; fail: (err: unknown) => void }> = [];

  constructor(
    /** A key's identity, the same for the key as asked and for the row that answers it. */
    private readonly idOf: (key: K) => string,
    /** One statement for all the keys; may answer rows not asked for (they are dropped). */
    private readonly readAll: (keys: K[]) => Promise<Array<{ id: string; row: R }>>,
  ) {}

  /** The row for `key`, or undefined when there is none. */
  read(key: K): Promise<R | undefined> {
    return new Promise((done, fail) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ key, done, fail });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const found = new Map<string, R>();
      for (const { id, row } of await this.readAll(batch.map((w) => w.key))) found.set(id, row);
      for (const w of batch) w.done(found.get(this.idOf(w.key)));
    } catch (err) {
      for (const w of batch) w.fail(err);
    }
  }
}
