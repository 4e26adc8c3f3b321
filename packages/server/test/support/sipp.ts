import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './wait.ts';

/** sipp's binary: $SIPP, or the Debian package's path. */
export const SIPP = process.env.SIPP ?? '/usr/bin/sipp';
/** The sipp scenarios of these tests. */
export const SIPP_SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/sipp');

/** A UDP port free right now on 127.0.0.1 (even, with the next one free too, when asked: RTP/RTCP pairs). */
export async function freeUdpPort(opts: { even?: boolean } = {}): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = createSocket('udp4');
      s.once('error', rej);
      s.bind(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => res(p));
      });
    });
    if (!opts.even) return port;
    if (port % 2 === 0 && port < 65530 && (await udpPortFree(port + 1)) && (await udpPortFree(port + 2)) && (await udpPortFree(port + 3))) return port;
  }
}

/** Whether 127.0.0.1:port can be bound now. */
export function udpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, host, () => s.close(() => res(true)));
  });
}

/** A running sipp (one scenario, one call), and how it ended. */
export interface Sipp {
  /** Its SIP port on 127.0.0.1. */
  port: number;
  /** Resolves when sipp exits: its exit code (0: the call went as the scenario says) and what it printed. */
  exited: Promise<{ code: number | null; output: string; errors: string }>;
  stop(): Promise<void>;
}

/**
 * Starts sipp as a UAS on a free port of 127.0.0.1 with a scenario of test/fixtures/sipp and
 * `-set` variables, for one call; waits until its SIP port is bound. `fill` replaces `{{name}}`
 * in the scenario first, for what sipp reads before any variable exists (a status code).
 */
export async function startSippUas(
  scenario: string,
  vars: Record<string, string | number> = {},
  opts: { timeoutS?: number; fill?: Record<string, string | number>; port?: number } = {},
): Promise<Sipp> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'hellio-sipp-'));
    // A given port is where a trunk of the app under test already points.
    const port = opts.port ?? (await freeUdpPort());
    const mediaPort = await freeUdpPort({ even: true });
    const controlPort = await freeUdpPort();
    const errorFile = join(dir, 'errors.log');
    let file = join(SIPP_SCENARIOS, scenario);
    if (opts.fill) {
      const text = Object.entries(opts.fill).reduce((t, [k, v]) => t.replaceAll(`{{${k}}}`, String(v)), readFileSync(file, 'utf8'));
      file = join(dir, scenario);
      writeFileSync(file, text);
    }
    const args = [
      '-sf', file,
      '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort), '-cp', String(controlPort),
      '-m', '1', '-nostdin', '-timeout', `${opts.timeoutS ?? 20}s`, '-timeout_error',
      '-trace_err', '-error_file', errorFile,
      ...Object.entries(vars).flatMap(([k, v]) => ['-set', k, String(v)]),
    ];
    const child: ChildProcess = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    let exitedNow = false;
    const exited = new Promise<{ code: number | null; output: string; errors: string }>((res) => {
      child.once('error', (err) => {
        exitedNow = true;
        rmSync(dir, { recursive: true, force: true });
        res({ code: null, output: `${output}\n${err.message}`, errors: '' });
      });
      child.once('exit', (code) => {
        exitedNow = true;
        let errors = '';
        try {
          errors = readFileSync(errorFile, 'utf8');
        } catch {
          /* no errors file */
        }
        rmSync(dir, { recursive: true, force: true });
        res({ code, output, errors });
      });
    });
    try {
      await until(`sipp on port ${port}`, async () => exitedNow || !(await udpPortFree(port)), { timeoutMs: 5000 });
    } catch {
      /* treated below */
    }
    if (exitedNow) {
      // Lost a race for a port: try again with others.
      if (attempt < 3 && opts.port === undefined && !/ENOENT/.test((await exited).output)) continue;
      throw new Error(`sipp did not start: ${(await exited).output.slice(-2000)}`);
    }
    return {
      port,
      exited,
      async stop() {
        if (!exitedNow) child.kill('SIGKILL');
        await exited;
      },
    };
  }
}
