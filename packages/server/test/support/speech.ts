import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resample } from '../../src/lib/resample.ts';
import { encodeWav } from '../../src/lib/wav.ts';

/**
 * What a listener hears: pocketsphinx (CMU Sphinx, its US English wideband model) restricted by a
 * JSGF grammar to spoken digits, so tests can check that synthesised or received audio says the
 * code it should.
 *
 * Telephone audio (8 kHz) is upsampled to the model's 16 kHz, and the empty band above 4 kHz —
 * unlike anything the model was trained on — is filled. Measured over 30 random codes per flite
 * voice: white noise above 4 kHz (sox `synth whitenoise sinc 4000`) helps a little (kal16 14/30
 * exact) but is heard as fricatives ("six") in pauses; folding the 0–4 kHz spectrum into 4–8 kHz
 * (the image that zero-stuffing makes, left unfiltered) follows the speech's own envelope and
 * gives 24–26/30; with a lower word insertion penalty (`-wip 0.01`: the errors left were inserted
 * digits) 28–29/30.
 */

const run = promisify(execFile);

const MODEL = '/usr/share/pocketsphinx/model/en-us';
/** The digits as the grammar spells them (and the normaliser speaks them: "zero", never "oh"). */
const DIGIT_WORDS: Record<string, string> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};

/** Options of `recogniseDigits`. */
export interface RecogniseOptions {
  /** Sample rate of the PCM (8000 unless told). */
  sampleRate?: number;
  /** A fixed phrase that may precede the digits ("your code is"); its words must be in the CMU dictionary. */
  leadIn?: string;
  /** How the band above 4 kHz is filled for the wideband model: the folded spectrum (default) or white noise. */
  highBand?: 'fold' | 'noise';
}

/** How loud the folded image is against the speech: 1.5 recognised best of 0.1–2. */
const FOLD_GAIN = 1.5;

/** 8 kHz speech at 16 kHz with the folded image of its band above 4 kHz. */
function foldUp(pcm: Int16Array): Int16Array {
  const low = resample(pcm, 8000, 16000);
  const out = new Int16Array(low.length);
  for (let i = 0; i < low.length; i++) {
    // Zero-stuffing (x[0], 0, x[1], 0, …, doubled) holds the baseband and its mirror image;
    // subtracting the clean interpolation leaves the image alone.
    const stuffed = i % 2 === 0 ? 2 * (pcm[i / 2] ?? 0) : 0;
    const y = low[i]! + FOLD_GAIN * (stuffed - low[i]!);
    out[i] = y > 32767 ? 32767 : y < -32768 ? -32768 : Math.round(y);
  }
  return out;
}

/** The words pocketsphinx hears in `pcm` under the digit grammar (lower case, space-separated). */
export async function recogniseWords(pcm: Int16Array, opts: RecogniseOptions = {}): Promise<string> {
  let rate = opts.sampleRate ?? 8000;
  const leadIn = (opts.leadIn ?? '').toLowerCase().replace(/[^a-z' ]/g, ' ').split(/\s+/).filter(Boolean);
  const dir = await mkdtemp(join(tmpdir(), 'hellio-asr-'));
  try {
    if (rate !== 8000) {
      pcm = resample(pcm, rate, 8000); // what a telephone line would carry
      rate = 8000;
    }
    // Silence either side: the recogniser's voice-activity detector needs some to settle.
    const pad = Math.round(rate * 0.3);
    const padded = new Int16Array(pad * 2 + pcm.length);
    padded.set(pcm, pad);
    const audio = join(dir, 'asr.wav');
    if ((opts.highBand ?? 'fold') === 'fold') {
      await writeFile(audio, encodeWav(foldUp(padded), 16000));
    } else {
      const input = join(dir, 'in.wav');
      await writeFile(input, encodeWav(padded, rate));
      await run('sox', ['-q', input, '-r', '16000', join(dir, 'up.wav')]);
      // White noise high-passed at 4 kHz (sox's `sinc` with one frequency), about −50 dBFS.
      const seconds = (padded.length / rate).toFixed(3);
      await run('sox', ['-q', '-n', '-r', '16000', '-c', '1', '-b', '16', join(dir, 'noise.wav'), 'synth', seconds, 'whitenoise', 'sinc', '4000', 'vol', '0.01']);
      // -v 1 on each input: without it `-m` halves both.
      await run('sox', ['-q', '-m', '-v', '1', join(dir, 'up.wav'), '-v', '1', join(dir, 'noise.wav'), audio]);
    }

    const grammar = join(dir, 'digits.gram');
    const lead = leadIn.length ? `[ ${leadIn.join(' ')} ] ` : '';
    await writeFile(grammar, `#JSGF V1.0;\ngrammar digits;\npublic <utterance> = ${lead}<digit>+;\n<digit> = ${Object.keys(DIGIT_WORDS).join(' | ')};\n`);
    // A dictionary of just the grammar's words (with their alternative pronunciations) loads in
    // milliseconds, where the full CMU dictionary takes most of a second.
    const wanted = new Set([...Object.keys(DIGIT_WORDS), ...leadIn]);
    const lines = (await readFile(join(MODEL, 'cmudict-en-us.dict'), 'utf8')).split('\n').filter((l) => wanted.has(l.slice(0, l.indexOf(' ')).replace(/\(\d+\)$/, '')));
    const missing = [...wanted].filter((w) => !lines.some((l) => l.startsWith(`${w} `) || l.startsWith(`${w}(`)));
    if (missing.length) throw new Error(`not in the CMU dictionary: ${missing.join(', ')}`);
    const dict = join(dir, 'digits.dict');
    await writeFile(dict, `${lines.join('\n')}\n`);

    const { stdout } = await run('pocketsphinx_continuous', [
      '-infile', audio, '-hmm', join(MODEL, 'en-us'), '-jsgf', grammar, '-dict', dict, '-wip', '0.01', '-logfn', '/dev/null',
    ]);
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The digits pocketsphinx hears in `pcm` ("3901"), the lead-in and anything else dropped. */
export async function recogniseDigits(pcm: Int16Array, opts: RecogniseOptions = {}): Promise<string> {
  const words = await recogniseWords(pcm, opts);
  return words.split(' ').map((w) => DIGIT_WORDS[w] ?? '').join('');
}
