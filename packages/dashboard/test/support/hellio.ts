/** A real `hellio start` on a throwaway SQLite database, for the browser to talk to. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const bin = join(repo, 'packages/server/bin/hellio.js');

/** A running Hellio: its base URL, the first-run setup link it printed, and its CLI. */
export interface Hellio {
  url: string;
  setupLink: string;
  env: NodeJS.ProcessEnv;
  /** Runs `hellio ARGS --json` against the same database; resolves with the printed object. */
  cli<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** Calls the API with an API key (or none); answers the status and JSON body. */
  call<T = Record<string, unknown>>(method: string, path: string, opts?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `hellio start` (API, workers, the simulators) and waits for its setup link. */
export async function startHellio(env: Record<string, string> = {}): Promise<Hellio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hellio-dash-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HELLIO_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    HELLIO_PUBLIC_URL: url,
    HELLIO_LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    REDIS_URL: '',
    ...env,
  };
  const child: ChildProcess = spawn(process.execPath, [bin, 'start'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const setupLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hellio start printed no setup link in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /(http\S+\/dashboard\/setup\?token=\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hellio start exited (${code}):\n${output}`)));
  });
  return {
    url,
    setupLink,
    env: fullEnv,
    async cli<T>(...args: string[]) {
      const { stdout } = await run(process.execPath, [bin, ...args, '--json'], { env: fullEnv });
      return JSON.parse(stdout) as T;
    },
    async call<T>(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const res = await fetch(url + path, {
        method,
        headers: {
          ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
