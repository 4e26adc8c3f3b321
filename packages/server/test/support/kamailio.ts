import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort, udpPortFree } from './sipp.ts';
import { until } from './wait.ts';

/** kamailio's binary: $KAMAILIO, or the Debian package's path. */
export const KAMAILIO = process.env.KAMAILIO ?? '/usr/sbin/kamailio';

/** Where the Debian package (or $KAMAILIO_MODULES) keeps kamailio's modules. */
export function kamailioModules(): string {
  const candidates = [process.env.KAMAILIO_MODULES, '/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules'];
  const found = candidates.find((d) => d && existsSync(join(d, 'tm.so')));
  if (!found) throw new Error('kamailio modules not found; set KAMAILIO_MODULES');
  return found;
}

/** A running kamailio proxy. */
export interface Kamailio {
  port: number;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts kamailio in the foreground (-DD -E, its own -Y runtime dir) with
 * test/fixtures/kamailio/kamailio.cfg: an authenticating (407) record-routing proxy to `uasPort`.
 */
export async function startKamailioProxy(opts: { uasPort: number; password: string }): Promise<Kamailio> {
  const template = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/kamailio/kamailio.cfg'), 'utf8');
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'hellio-kamailio-'));
    const port = await freeUdpPort();
    const cfg = template
      .replaceAll('{{listen_port}}', String(port))
      .replaceAll('{{uas_port}}', String(opts.uasPort))
      .replaceAll('{{password}}', opts.password)
      .replaceAll('{{mpath}}', kamailioModules());
    writeFileSync(join(dir, 'kamailio.cfg'), cfg);
    const child: ChildProcess = spawn(KAMAILIO, ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-m', '32', '-M', '8'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    let exited = false;
    const gone = new Promise<void>((res) => {
      child.once('error', (err) => {
        output += err.message;
        exited = true;
        res();
      });
      child.once('exit', () => {
        exited = true;
        res();
      });
    });
    await until(`kamailio on port ${port}`, async () => exited || !(await udpPortFree(port)), { timeoutMs: 10_000 }).catch(() => {});
    if (exited || (await udpPortFree(port))) {
      if (!exited) child.kill('SIGKILL');
      await gone;
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 2 && !/ENOENT/.test(output)) continue;
      throw new Error(`kamailio did not start: ${output.slice(-3000)}`);
    }
    return {
      port,
      log: () => output,
      async stop() {
        if (!exited) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(killer);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
