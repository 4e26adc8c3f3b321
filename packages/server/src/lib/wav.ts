/**
 * RIFF/WAVE for 16-bit linear PCM (the canonical "fmt " + "data" layout of the Microsoft
 * multimedia spec): writing mono files for `GET /voice/{id}/audio`, and reading what a speech
 * engine wrote (flite), which may carry extra chunks or a data length left unpatched.
 */

/** A decoded WAV: its sample rate and its samples (mono; several channels are averaged). */
export interface WavAudio {
  sampleRate: number;
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** 16-bit mono PCM to a complete WAV file (44-byte header, little-endian samples). */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`bad sample rate ${sampleRate}`);
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  out.writeUInt16LE(1, 22); // channels
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  return out;
}

/** A 16-bit PCM WAV file to its samples; throws a RangeError for anything else. */
export function parseWav(bytes: Uint8Array): WavAudio {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new RangeError('not a RIFF/WAVE file');
  }
  let format: { channels: number; sampleRate: number; bits: number } | null = null;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new RangeError('short fmt chunk');
      let tag = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40) tag = buf.readUInt16LE(body + 24);
      if (tag !== WAVE_FORMAT_PCM) throw new RangeError(`unsupported WAV format ${tag} (only PCM)`);
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
      if (format.bits !== 16) throw new RangeError(`unsupported ${format.bits}-bit WAV (only 16-bit)`);
      if (format.channels < 1) throw new RangeError('WAV without channels');
    } else if (id === 'data') {
      if (!format) throw new RangeError('data chunk before fmt chunk');
      // Writers that stream (or stop early) may leave the size unpatched: read what is there.
      const end = Math.min(buf.length, body + size);
      const frameBytes = 2 * format.channels;
      const frames = Math.floor((end - body) / frameBytes);
      const samples = new Int16Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < format.channels; c++) sum += buf.readInt16LE(body + f * frameBytes + c * 2);
        samples[f] = Math.round(sum / format.channels);
      }
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new RangeError('WAV without a data chunk');
}
