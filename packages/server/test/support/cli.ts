import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where `npx hellio` is documented to work) and the CLI entry point. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const HELLIO_BIN = join(REPO_ROOT, 'packages/server/bin/hellio.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The parent's environment without anything that would point a child at another database,
 * Redis or port: each test states exactly the settings it means.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(HELLIO_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion, collecting its output; kills it after `timeoutMs`. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** `node packages/server/bin/hellio.js ARGS` with the given settings. */
export function hellio(args: string[], env: Record<string, string>): Promise<CliResult> {
  return run(process.execPath, [HELLIO_BIN, ...args], cleanEnv(env));
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  srv.close();
  await once(srv, 'close');
  return address.port;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `hellio start` (or `hellio api`) as a child process and waits until /healthz answers. */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000, role: 'start' | 'api' = 'start'): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [HELLIO_BIN, role], {
    cwd: REPO_ROOT,
    env: cleanEnv({ HELLIO_LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited || child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`hellio ${role} exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return { url, child, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`hellio ${role} did not answer /healthz in time:\n${output}`);
}

export interface WorkerChild {
  child: ChildProcess;
  output: () => string;
}

/** `hellio worker` as a child process with exactly these settings (crash tests kill it). */
export function startWorker(env: Record<string, string>): WorkerChild {
  const child = spawn(process.execPath, [HELLIO_BIN, 'worker'], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  return { child, output: () => output };
}

/** Sends `signal` and resolves once the child has exited (at once if it already had). */
export async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill(signal);
  await exit;
}
