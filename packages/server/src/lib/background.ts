/**
 * Work a request starts and does not wait for (so that its answer takes the same time whatever
 * that work turns out to be). Failures go to `onError`; `settled()` waits for everything started
 * so far — at shutdown, and in tests before they look for the work's effects.
 */
export class Background {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Starts `task`; its failure is reported, never thrown to the caller. */
  run(task: () => Promise<void>): void {
    const p: Promise<void> = task()
      .catch(this.onError)
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves once every task started before the call (and any they start) has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
