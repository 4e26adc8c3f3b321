import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SpeechBusyError } from '../../../src/providers/voice/tts/speech-synthesizer.ts';
import { bcp47Case, DEFAULT_ENGLISH_VOICE } from '../../../src/providers/voice/tts/voice-table.ts';
import { WorkerSpeechSynthesizer } from '../../../src/providers/voice/tts/worker-speech-synthesizer.ts';
import { recogniseDigits } from '../../support/speech.ts';

/**
 * The real engines (flite through node:wasi, espeak-ng through Emscripten) in their worker
 * threads, heard by pocketsphinx: what a caller would hear over a G.711 line at 8 kHz.
 */

const SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tts = new WorkerSpeechSynthesizer();
afterAll(() => tts.close());

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, v) => s + v * v, 0) / Math.max(1, pcm.length));

describe('text to speech (flite and espeak-ng in worker threads)', () => {
  // Fixed codes, read through the default English voice and the whole chain (normalising, flite,
  // resampling to 8 kHz), must be heard exactly — and not as one another.
  const CODES = ['3901', '27548', '604172'];

  it('speaks codes digit by digit so that a recogniser hears each exactly', async () => {
    const heard: string[] = [];
    for (const code of CODES) {
      const pcm = await tts.synthesize({ text: `Your code is ${code}.`, language: null, voice: null });
      heard.push(await recogniseDigits(pcm, { leadIn: 'your code is' }));
    }
    expect(heard).toEqual(CODES);
    for (const [i, h] of heard.entries()) for (const [j, other] of CODES.entries()) if (i !== j) expect(h).not.toBe(other);
  });

  it('returns 8 kHz audio of a plausible length and level', async () => {
    const short = await tts.synthesize({ text: 'Your code is 3901.' });
    const long = await tts.synthesize({ text: 'Your code is 3901. Again, your code is 3901.' });
    // About 2 s at 8000 samples a second; a rate mix-up (16 kHz or 22.05 kHz samples) would be 2–3 times as long.
    expect(short.length / 8000).toBeGreaterThan(1.2);
    expect(short.length / 8000).toBeLessThan(3.5);
    expect(long.length).toBeGreaterThan(short.length * 1.8);
    expect(rms(short)).toBeGreaterThan(500);
    // Every flite voice, whatever its own rate (kal 8 kHz, the others 16 kHz), comes out at 8 kHz.
    for (const voice of ['kal', 'kal16', 'slt', 'rms', 'awb']) {
      const pcm = await tts.synthesize({ text: 'Your code is 3901.', voice });
      expect(pcm.length / 8000, voice).toBeGreaterThan(1.2);
      expect(pcm.length / 8000, voice).toBeLessThan(3.5);
    }
  });

  it('speaks German with espeak-ng', async () => {
    const pcm = await tts.synthesize({ text: 'Ihr Code lautet 3901.', language: 'de' });
    expect(pcm.length / 8000).toBeGreaterThan(1);
    expect(pcm.length / 8000).toBeLessThan(5);
    expect(rms(pcm)).toBeGreaterThan(500);
    expect(tts.voiceFor('de', null)?.engine).toBe('espeak-ng');
  });

  it('lists the voices of both engines, and the table matches what the engines report', async () => {
    const voices = await tts.voices();
    const english = voices.find((v) => v.id === DEFAULT_ENGLISH_VOICE)!;
    expect(english).toMatchObject({ engine: 'flite', languages: expect.arrayContaining(['en', 'en-US']), gender: 'male' });
    expect(voices.find((v) => v.id === 'gmw/de')).toEqual({ id: 'gmw/de', name: 'German', engine: 'espeak-ng', languages: ['de'], sampleRate: 22050 });
    expect(voices.filter((v) => v.engine === 'espeak-ng').length).toBeGreaterThan(100);

    const flite = await tts.engineVoices('flite');
    expect(flite.map((v) => v.id).filter((id) => id !== 'awb_time').sort()).toEqual(voices.filter((v) => v.engine === 'flite').map((v) => v.id).sort());
    const espeak = await tts.engineVoices('espeak-ng');
    const table = voices.filter((v) => v.engine === 'espeak-ng').map(({ id, name, languages }) => ({ id, name, languages }));
    expect(espeak.map(({ id, name, languages }) => ({ id, name, languages: [...new Set(languages.map((l) => bcp47Case(l.split(':')[0]!)))] }))).toEqual(table);
  });

  it('refuses an unknown voice or language with a message for the API', async () => {
    expect(tts.check(null, null)).toBeNull();
    expect(tts.check('de', null)).toBeNull();
    expect(tts.check('en', 'slt')).toBeNull();
    expect(tts.check('tlh', null)).toEqual({ field: 'language', message: 'no voice speaks "tlh"; GET /voice/voices lists the languages' });
    expect(tts.check(null, 'hal9000')).toEqual({ field: 'voice', message: 'voice "hal9000" is not installed; GET /voice/voices lists the voices' });
    expect(tts.check('fr', 'kal16')?.field).toBe('voice');
    await expect(tts.synthesize({ text: 'hello', voice: 'hal9000' })).rejects.toThrow(/not installed/);
  });

  it('does not block the event loop while synthesising', async () => {
    // A paragraph takes espeak-ng most of a second or more of CPU; the loop must keep turning meanwhile.
    const text = 'Dies ist ein längerer Text, damit die Sprachsynthese eine Weile rechnet. '.repeat(20);
    await tts.synthesize({ text: 'warm', language: 'de' }); // the engine is loaded: time synthesis alone
    let last = performance.now();
    let worstGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    const pcm = await tts.synthesize({ text, language: 'de' });
    const took = performance.now() - started;
    clearInterval(timer);
    expect(pcm.length / 8000).toBeGreaterThan(30);
    // Were synthesis on this thread, the worst gap would be the whole synthesis.
    expect(worstGap).toBeLessThan(took / 5);
    expect(ticks).toBeGreaterThan(took / 5 / 4);
  });

  it('survives many flite runs in a row (node:wasi crashed the process here before fast API calls were turned off)', async () => {
    const voices = ['kal', 'kal16', 'slt', 'rms', 'awb'];
    for (let i = 0; i < 40; i++) {
      const pcm = await tts.synthesize({ text: `Your verification code is ${1000 + i}.`, voice: voices[i % voices.length]! });
      expect(pcm.length).toBeGreaterThan(8000);
    }
  });

  it('keeps one thread per engine and reuses it', async () => {
    await tts.synthesize({ text: 'one' });
    const before = tts.threadStats();
    await tts.synthesize({ text: 'two' });
    await tts.synthesize({ text: 'drei', language: 'de' });
    await Promise.all([tts.synthesize({ text: 'three' }), tts.synthesize({ text: 'four' }), tts.synthesize({ text: 'fünf', language: 'de' })]);
    const after = tts.threadStats();
    expect(after).toEqual(before);
    expect(after.flite.threadsStarted).toBe(1);
    expect(after['espeak-ng'].threadsStarted).toBe(1);
  });

  it('replaces a thread that overran its time limit; the request fails with a clear error', async () => {
    const strict = new WorkerSpeechSynthesizer({ timeoutMs: 1000 });
    try {
      // Thousands of characters take espeak-ng several seconds.
      const long = 'Ein sehr langer Satz, der nie rechtzeitig fertig wird. '.repeat(70);
      await expect(strict.synthesize({ text: long, language: 'de' })).rejects.toThrow(
        /text-to-speech \(espeak-ng\) thread took longer than 1000 ms and was stopped; the request was not spoken/,
      );
      const first = strict.threadStats()['espeak-ng'];
      const pcm = await strict.synthesize({ text: 'Hallo.', language: 'de' });
      expect(pcm.length).toBeGreaterThan(0);
      const second = strict.threadStats()['espeak-ng'];
      expect(second.threadsStarted).toBe(2);
      expect(second.threadId).not.toBe(first.threadId);
    } finally {
      await strict.close();
    }
  });

  it('fails a request that waited longer than its maxWaitMs behind another, and speaks the one it waited behind', async () => {
    const own = new WorkerSpeechSynthesizer();
    try {
      await own.synthesize({ text: 'Hallo.', language: 'de' }); // the thread is loaded
      const long = own.synthesize({ text: 'Ein sehr langer Satz, der nie rechtzeitig fertig wird. '.repeat(70), language: 'de' });
      const started = Date.now();
      await expect(own.synthesize({ text: 'Hallo.', language: 'de', maxWaitMs: 200 })).rejects.toBeInstanceOf(SpeechBusyError);
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await long).length).toBeGreaterThan(8000 * 30);
      // Without a bound, the same request waits its turn and is spoken.
      const queued = own.synthesize({ text: 'Ein sehr langer Satz. '.repeat(40), language: 'de' });
      expect((await own.synthesize({ text: 'Hallo.', language: 'de' })).length).toBeGreaterThan(0);
      expect((await queued).length).toBeGreaterThan(0);
      expect(own.threadStats()['espeak-ng'].threadsStarted).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('keeps flite’s files in one scratch directory per thread, removes it when the thread ends, and sweeps those of dead processes', async () => {
    const scratchDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith(`hellio-flite-${process.pid}-`)));
    // What a process killed mid-synthesis leaves behind (a pid no process has: above pid_max).
    const stale = join(tmpdir(), 'hellio-flite-4194304999-test');
    mkdirSync(join(stale, 'run-x'), { recursive: true });
    const before = scratchDirs();
    const own = new WorkerSpeechSynthesizer();
    await own.synthesize({ text: 'Your code is 12.' });
    const during = [...scratchDirs()].filter((d) => !before.has(d));
    expect(during).toHaveLength(1);
    expect(readdirSync(join(tmpdir(), during[0]!))).toEqual([]); // each request's files are gone already
    expect(existsSync(stale)).toBe(false); // swept when the thread started
    await own.close();
    expect(scratchDirs().has(during[0]!)).toBe(false);
  });

  it('loads its worker when the server runs from source through tsx (as bin/hellio.js does), without the WASI warning', async () => {
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { WorkerSpeechSynthesizer } = await import('./src/providers/voice/tts/worker-speech-synthesizer.ts');
      const tts = new WorkerSpeechSynthesizer();
      const en = await tts.synthesize({ text: 'Your code is 42.' });
      const de = await tts.synthesize({ text: 'Hallo 42', language: 'de' });
      console.log(JSON.stringify({ en: en.length, de: de.length }));
      await tts.close();
    `;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: SERVER });
    const lengths = JSON.parse(stdout) as { en: number; de: number };
    expect(lengths.en).toBeGreaterThan(8000);
    expect(lengths.de).toBeGreaterThan(4000);
    expect(stderr).not.toMatch(/ExperimentalWarning|WASI/);
  });
});
