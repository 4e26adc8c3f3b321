import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Signals } from '../lib/signals.ts';
import { providerStates, queueDepth } from '../modules/admin/providers.ts';
import { lowWallets } from '../modules/billing/wallet.ts';
import type { Deps } from '../modules/deps.ts';
import type { Channels } from '../providers/channels.ts';

/** Where a scrape reads what is measured from the database and the links, rather than counted as it happens. */
export interface ScrapeSources {
  deps: Deps;
  channels: Channels;
}

// Seconds: the SPEC's answers are milliseconds to a few seconds (a group commit, an SMTP hand-over).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * This process's Prometheus metrics (docs/operations.md): one registry per runtime, so two apps
 * in one test process never share a counter. Counters move as things happen (HTTP requests, and
 * the domain's `Signals`: messages accepted and finished, webhook attempts); the queue, the
 * wallets and the provider links are read when scraped. Counters are this process's; the queue
 * and wallet gauges are the whole installation's (the database is shared).
 */
export class Metrics implements Signals {
  readonly registry = new Registry();
  private sources: ScrapeSources | null = null;

  private readonly requests = new Histogram({
    name: 'hellio_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route pattern and status code, and their duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly accepted = new Counter({
    name: 'hellio_messages_accepted_total',
    help: 'Messages (and voice calls) accepted: charged and queued, by channel',
    labelNames: ['channel'],
    registers: [this.registry],
  });

  private readonly finished = new Counter({
    name: 'hellio_messages_finished_total',
    help: 'Messages (and voice calls) that reached a final status, by channel and status',
    labelNames: ['channel', 'status'],
    registers: [this.registry],
  });

  private readonly webhookAttempts = new Counter({
    name: 'hellio_webhook_attempts_total',
    help: 'Webhook attempts by outcome: succeeded, retrying (failed, tried again later), failed (given up)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly jobsWaiting = this.gauge('hellio_jobs_waiting', 'Jobs waiting to run (due now or later), by kind', ['kind']);
  private readonly jobsDue = this.gauge('hellio_jobs_due', 'Jobs whose time has come and that no worker holds yet, by kind', ['kind']);
  private readonly jobsRunning = this.gauge('hellio_jobs_running', 'Jobs a worker holds, by kind', ['kind']);
  private readonly jobsOldestAge = this.gauge('hellio_jobs_oldest_due_age_seconds', 'How long the oldest due job of each kind has waited past its time (0 when none waits)', ['kind']);
  private readonly walletsBelowAlert = this.gauge('hellio_wallets_below_alert', 'Active accounts whose balance is below their balance.low threshold', []);
  private readonly walletsEmpty = this.gauge('hellio_wallets_empty', 'Active accounts whose balance is zero', []);
  private readonly storeUp = this.gauge('hellio_scrape_store_up', 'Whether this scrape could read the queue and wallets from the database (1) or not (0)', []);
  private readonly linkUp = this.gauge('hellio_provider_link_up', 'A standing provider link (SMPP) this process opened: 1 bound, 0 connecting, retrying or closed; absent where none was opened', ['channel', 'provider', 'kind']);
  private readonly providerInFlight = this.gauge('hellio_provider_in_flight', 'Messages handed to a provider and not yet answered (the SMPP window, the SMTP pool), in this process', ['channel', 'provider', 'kind']);
  private readonly providerQueued = this.gauge('hellio_provider_queued', 'Messages waiting in this process for room at a provider (the SMPP window, an SMTP connection)', ['channel', 'provider', 'kind']);

  constructor() {
    // Process CPU, memory, handles, GC, and the event loop's lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
    for (const channel of ['sms', 'email', 'voice']) this.accepted.inc({ channel }, 0);
    for (const outcome of ['succeeded', 'retrying', 'failed']) this.webhookAttempts.inc({ outcome }, 0);
  }

  /** Connects what a scrape reads (built after the store, which needs this object for its signals). */
  readFrom(sources: ScrapeSources): void {
    this.sources = sources;
  }

  messagesAccepted(channel: string, n: number): void {
    this.accepted.inc({ channel }, n);
  }

  messagesFinished(channel: string, status: string, n: number): void {
    this.finished.inc({ channel, status }, n);
  }

  webhookAttempt(outcome: 'succeeded' | 'retrying' | 'failed'): void {
    this.webhookAttempts.inc({ outcome });
  }

  /** One answered HTTP request; `route` is the route's pattern, never the raw URL (bounded label values). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requests.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The text exposition of every metric, the database's gauges read now. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    await this.refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Reads the queue and wallets (one query each) and the links' state into their gauges. */
  private async refresh(): Promise<void> {
    if (!this.sources) return;
    const { deps, channels } = this.sources;
    this.linkUp.reset();
    this.providerInFlight.reset();
    this.providerQueued.reset();
    for (const p of providerStates(channels)) {
      const labels = { channel: p.channel, provider: p.name, kind: p.kind };
      // An idle link was never opened here: API processes leave SMPP to the workers, and are not "down".
      if (p.link !== null && p.link !== 'idle') this.linkUp.set(labels, p.bound ? 1 : 0);
      this.providerInFlight.set(labels, p.in_flight);
      this.providerQueued.set(labels, p.queued);
    }
    try {
      const [queue, wallets] = await Promise.all([queueDepth(deps), lowWallets(deps)]);
      for (const q of queue) {
        this.jobsWaiting.set({ kind: q.kind }, q.pending);
        this.jobsDue.set({ kind: q.kind }, q.due);
        this.jobsRunning.set({ kind: q.kind }, q.running);
        this.jobsOldestAge.set({ kind: q.kind }, q.oldest_due_age_seconds ?? 0);
      }
      this.walletsBelowAlert.set(wallets.belowAlert);
      this.walletsEmpty.set(wallets.empty);
      this.storeUp.set(1);
    } catch {
      // The process's own metrics still answer; stale database figures are not shown as current.
      for (const g of [this.jobsWaiting, this.jobsDue, this.jobsRunning, this.jobsOldestAge, this.walletsBelowAlert, this.walletsEmpty]) g.reset();
      this.storeUp.set(0);
    }
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
