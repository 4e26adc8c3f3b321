// Kannel 1.4.5 as a baseline: bearerbox + smsbox + fakesmsc on loopback, each started and stopped
// by bench/accept/run.mjs. A `sendsms` request is accepted by smsbox (202 "0: Accepted for
// delivery"), handed to bearerbox, written to its store (spool: one file per message, no fsync)
// and forwarded to the `fake` SMSC connection, at whose other end fakesmsc reads every message
// (the fake protocol has no acknowledgement to wait for: a message written is a message sent).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild } from '../lib.mjs';

export const BEARERBOX = '/usr/sbin/bearerbox';
export const SMSBOX = '/usr/sbin/smsbox';
// Debian ships fakesmsc in kannel-extras, beside the test tools.
export const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Installs Debian's kannel and kannel-extras when a binary is missing; returns why it could not, or null. */
export function ensureKannel(log) {
  if ([BEARERBOX, SMSBOX, FAKESMSC].every((f) => existsSync(f))) return null;
  if (process.getuid?.() !== 0) return 'kannel is not installed and installing it needs root (apt-get install kannel kannel-extras)';
  log('installing kannel and kannel-extras (apt-get)');
  try {
    // The package's service is not started: the bench runs its own boxes with its own config.
    execFileSync('flock', ['/tmp/hellio-apt.lock', 'apt-get', 'install', '-y', 'kannel', 'kannel-extras'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    return `apt-get install kannel kannel-extras failed: ${err.message}`;
  }
  return [BEARERBOX, SMSBOX, FAKESMSC].every((f) => existsSync(f)) ? null : 'kannel installed but a binary is missing';
}

export function kannelVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'kannel']).toString();
  } catch {
    return null;
  }
}

/**
 * Starts the three processes with a config in `dir`: `store` is 'spool' (a store directory in
 * `dir`) or null (no store). `track` registers each child so it dies with the bench. With `smpp`
 * ({ port, systemId, password, window }) bearerbox binds as a transceiver to that SMSC instead of
 * the fake one, and no fakesmsc is started (bench/e2e: the SMSC counts the submit_sm it answers).
 */
export async function startKannel({ dir, store, track, smpp = null }) {
  mkdirSync(dir, { recursive: true });
  const [admin, smsboxPort, smscPort, sendsms] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const password = 'bench';
  const conf = join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    `group = core
admin-port = ${admin}
admin-interface = 127.0.0.1
admin-password = ${password}
status-password = ${password}
admin-allow-ip = "127.0.0.1"
smsbox-port = ${smsboxPort}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-level = 2
log-file = "${join(dir, 'bearerbox.log')}"
${store ? `store-type = ${store}\nstore-location = "${join(dir, 'store')}"\n` : ''}
${smpp ? `group = smsc
smsc = smpp
smsc-id = smpp
host = 127.0.0.1
port = ${smpp.port}
transceiver-mode = true
smsc-username = "${smpp.systemId}"
smsc-password = "${smpp.password}"
system-type = ""
max-pending-submits = ${smpp.window}
` : `group = smsc
smsc = fake
smsc-id = fake
our-host = 127.0.0.1
host = 127.0.0.1
port = ${smscPort}
connect-allow-ip = "127.0.0.1"
`}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${smsboxPort}
sendsms-port = ${sendsms}
sendsms-interface = 127.0.0.1
log-level = 2
log-file = "${join(dir, 'smsbox.log')}"

group = sendsms-user
username = bench
password = ${password}

group = sms-service
keyword = default
text = "nop"
max-messages = 0
`,
  );
  if (store) mkdirSync(join(dir, 'store'), { recursive: true });
  const logs = {};
  const start = (name, bin, args) => {
    const child = track(spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    logs[name] = '';
    const keep = (b) => {
      logs[name] = (logs[name] + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    return child;
  };
  const statusUrl = `http://127.0.0.1:${admin}/status.txt?password=${password}`;
  const status = async () => (await fetch(statusUrl)).text();
  const until = async (what, ok, ms = 15_000) => {
    const end = Date.now() + ms;
    for (;;) {
      try {
        if (ok(await status())) return;
      } catch {}
      if (Date.now() > end) throw new Error(`kannel: ${what} not within ${ms} ms\n${Object.entries(logs).map(([k, v]) => `--- ${k}\n${v.slice(-2000)}`).join('\n')}`);
      await sleep(100);
    }
  };

  const bearerbox = start('bearerbox', BEARERBOX, ['-v', '2', conf]);
  let fakesmsc = null;
  if (smpp) {
    await until('the SMPP connection', (s) => /smpp\[smpp\][^\n]*\(online/.test(s));
  } else {
    // "connecting": the fake SMSC's port is listening for fakesmsc.
    await until('bearerbox', (s) => /fake\[fake\]/.test(s));
    // -m 0: send no mobile-originated messages, only read what bearerbox forwards; -v 1: no line
    // per message, the count comes in the summary it prints on SIGINT.
    fakesmsc = start('fakesmsc', FAKESMSC, ['-H', '127.0.0.1', '-r', String(smscPort), '-m', '0', '-v', '1', '1 2 text nop']);
    await until('the fake SMSC connection', (s) => /fake\[fake\][^\n]*\(online/.test(s));
  }
  const smsbox = start('smsbox', SMSBOX, ['-v', '2', conf]);
  await until('smsbox', (s) => /smsbox:/.test(s));

  const url = `http://127.0.0.1:${sendsms}/cgi-bin/sendsms`;
  // The first request that smsbox accepts shows that the whole chain is up.
  let probes = 0;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}?username=bench&password=${password}&from=HELLIO&to=14155552671&text=probe`);
      await r.text();
      if (r.status === 202) {
        probes++;
        break;
      }
    } catch {}
    if (i > 150) throw new Error('kannel: sendsms never accepted a message');
    await sleep(100);
  }

  /** Bearerbox's counts: SMS sent (to the SMSC), queued, and the store's size. */
  const counts = async () => {
    const s = await status();
    const m = /SMS: received (\d+) \((\d+) queued\), sent (\d+) \((\d+) queued\), store size (-?\d+)/.exec(s);
    if (!m) throw new Error(`kannel: unexpected status page\n${s}`);
    return { sent: Number(m[3]), queued: Number(m[4]), store_size: Number(m[5]) };
  };

  return {
    url,
    query: `username=bench&password=${password}&from=HELLIO&to=14155552671&text=Your+code+is+123456`,
    probes,
    counts,
    /** The processes that do the work: bearerbox and smsbox (for their CPU time). */
    pids: [bearerbox.pid, smsbox.pid],
    /**
     * Waits until bearerbox has sent at least `n` messages and holds none (queue and store empty,
     * the count steady for 300 ms: requests still in flight when a load stopped may add a few
     * beyond `n`); returns the ms it took, or null on timeout.
     */
    async drained(n, ms = 60_000) {
      const t0 = performance.now();
      let last = -1;
      let steadySince = 0;
      while (performance.now() - t0 < ms) {
        const c = await counts();
        if (c.sent >= n && c.queued === 0 && c.store_size <= 0) {
          if (c.sent !== last) {
            last = c.sent;
            steadySince = performance.now();
          } else if (performance.now() - steadySince >= 300) {
            return Math.round(steadySince - t0);
          }
        }
        await sleep(50);
      }
      return null;
    },
    /** Stops all three; returns what fakesmsc says it received. */
    async stop() {
      await stopChild(smsbox, 'SIGTERM');
      if (fakesmsc) await stopChild(fakesmsc, 'SIGINT');
      await stopChild(bearerbox, 'SIGTERM');
      const m = /(\d+) messages sent and (\d+) received/.exec(logs.fakesmsc ?? '');
      return { fakesmsc_received: m ? Number(m[2]) : null };
    },
  };
}

