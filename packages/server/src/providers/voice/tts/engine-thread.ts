import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { EngineCommand, EngineReply, EngineRequest, EngineWorkerData } from './engine-protocol.ts';
import { SpeechBusyError, type TtsEngine } from './speech-synthesizer.ts';

/**
 * One speech engine in its own worker thread, seen from the main thread: started at the first
 * request and kept, requests queued and sent one at a time, and a thread that crashes, exits or
 * overruns its time limit replaced by a fresh one for the next request (the request it was
 * running fails with an error that says so).
 */

const WORKER_URL = new URL('./engine-worker.mjs', import.meta.url);

/** Options of an `EngineThread`. */
export interface EngineThreadOptions {
  /** Longest one request may run before its thread is stopped (default 60 s; loading the engine is not counted). */
  timeoutMs?: number;
}

type Job = {
  request: EngineCommand;
  resolve: (reply: EngineReply & { ok: true }) => void;
  reject: (error: Error) => void;
  /** How long the job may wait behind others once the engine is loaded. */
  maxWaitMs?: number;
  /** Fails the job with SpeechBusyError if it is still queued when it fires. */
  waitTimer?: NodeJS.Timeout;
};

interface Live {
  worker: Worker;
  ready: boolean;
  /** The thread's scratch directory, removed when it ends. */
  scratch: string | null;
  /** The job on the thread, and its deadline timer. */
  running: { id: number; job: Job; timer: NodeJS.Timeout } | null;
}

/** A worker thread running one engine, with a queue in front of it. */
export class EngineThread {
  readonly engine: TtsEngine;
  private readonly timeoutMs: number;
  private live: Live | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private startedThreads = 0;

  constructor(engine: TtsEngine, opts: EngineThreadOptions = {}) {
    this.engine = engine;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /**
   * Queues a request; resolves with the worker's successful reply, rejects with its error or the
   * thread's end — or with SpeechBusyError if `maxWaitMs` passes before the thread takes it
   * (counted from when the engine is loaded: its first start is not a queue).
   */
  request(request: EngineCommand, opts: { maxWaitMs?: number } = {}): Promise<EngineReply & { ok: true }> {
    return new Promise((resolve, reject) => {
      const job: Job = { request, resolve, reject, ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}) };
      this.queue.push(job);
      if (this.live?.ready) this.armWait(job);
      this.pump();
    });
  }

  /** Starts a queued job's wait limit, once. */
  private armWait(job: Job): void {
    if (job.maxWaitMs === undefined || job.waitTimer) return;
    job.waitTimer = setTimeout(() => {
      const at = this.queue.indexOf(job);
      if (at < 0) return;
      this.queue.splice(at, 1);
      job.reject(new SpeechBusyError(this.engine, job.maxWaitMs!));
    }, job.maxWaitMs);
  }

  /** The id of the current thread (undefined before the first request or after a stop), and how many were started. */
  stats(): { threadId: number | undefined; threadsStarted: number } {
    return { threadId: this.live?.worker.threadId, threadsStarted: this.startedThreads };
  }

  /** Stops the thread; queued and running requests fail. */
  async close(): Promise<void> {
    const live = this.live;
    this.live = null;
    const err = new Error(`text-to-speech (${this.engine}) was closed`);
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.waitTimer);
      job.reject(err);
    }
    if (live) {
      if (live.running) {
        clearTimeout(live.running.timer);
        live.running.job.reject(err);
      }
      await live.worker.terminate();
      if (live.scratch) await rm(live.scratch, { recursive: true, force: true });
    }
  }

  private start(): Live {
    const worker = new Worker(WORKER_URL, {
      workerData: { engine: this.engine } satisfies EngineWorkerData,
      // Not the process's flags, which a worker inherits by default: some make a worker fail to
      // start (`--input-type` of `node -e`, V8 options), and the entry loads tsx by itself.
      execArgv: [],
    });
    this.startedThreads++;
    const live: Live = { worker, ready: false, scratch: null, running: null };
    worker.once('exit', () => {
      if (live.scratch) void rm(live.scratch, { recursive: true, force: true });
    });
    worker.on('message', (reply: EngineReply) => this.onReply(live, reply));
    worker.on('error', (e) => this.onEnd(live, `crashed: ${e.message}`));
    worker.on('exit', (code) => this.onEnd(live, `stopped (exit code ${code})`));
    return live;
  }

  private pump(): void {
    if (this.queue.length === 0) {
      // An idle engine thread must not keep the process alive on its own.
      this.live?.worker.unref();
      return;
    }
    this.live ??= this.start();
    const live = this.live;
    live.worker.ref();
    if (!live.ready || live.running) return;
    const job = this.queue.shift()!;
    clearTimeout(job.waitTimer);
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.retire(live, `took longer than ${this.timeoutMs} ms and was stopped`);
    }, this.timeoutMs);
    live.running = { id, job, timer };
    live.worker.postMessage({ ...job.request, id } satisfies EngineRequest);
  }

  private onReply(live: Live, reply: EngineReply): void {
    if (live !== this.live) return;
    if ('op' in reply) {
      live.ready = true;
      live.scratch = reply.scratch;
      for (const job of this.queue) this.armWait(job);
    } else if (live.running && reply.id === live.running.id) {
      const { job, timer } = live.running;
      clearTimeout(timer);
      live.running = null;
      if (reply.ok) job.resolve(reply);
      else {
        job.reject(new Error(`text-to-speech (${this.engine}) failed: ${reply.error}`));
        // An engine that failed may have left its state broken: start afresh next time.
        this.retire(live, null);
        return;
      }
    }
    this.pump();
  }

  /** Stops a thread on our side; its running job fails with `why` (null: it already failed). */
  private retire(live: Live, why: string | null): void {
    if (live !== this.live) return;
    this.onEnd(live, why ?? 'retired');
    void live.worker.terminate();
  }

  private onEnd(live: Live, why: string): void {
    if (live !== this.live) return;
    this.live = null;
    if (live.running) {
      clearTimeout(live.running.timer);
      live.running.job.reject(new Error(`text-to-speech (${this.engine}) thread ${why}; the request was not spoken`));
    } else if (!live.ready && this.queue.length > 0) {
      // It died while loading its engine: a replacement would most likely die the same way, so
      // fail what waits rather than loop.
      const err = new Error(`text-to-speech (${this.engine}) could not start: thread ${why}`);
      for (const job of this.queue.splice(0)) {
        clearTimeout(job.waitTimer);
        job.reject(err);
      }
    }
    this.pump();
  }
}
