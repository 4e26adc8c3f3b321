/**
 * Sample-rate conversion by band-limited interpolation: every output sample is a windowed-sinc
 * (Kaiser window) weighted sum of the input around its position, with the cutoff below the lower
 * of the two Nyquist frequencies, so going down to 8 kHz removes what would otherwise fold back
 * as aliasing. Works for any pair of rates (16 000 or 22 050 → 8 000 for telephony).
 */

/** Zero crossings of the sinc kept on each side: the length of the filter, and its steepness. */
const ZEROS = 32;
/** Table points per zero crossing; the kernel between them is interpolated linearly. */
const OVERSAMPLE = 256;
/** Kaiser β: about 80 dB of stop-band attenuation. */
const BETA = 8;
/** Cutoff as a share of the lower Nyquist frequency (3.68 kHz for 8 kHz output, above the 3.4 kHz telephone band). */
const CUTOFF = 0.92;

function besselI0(x: number): number {
  // Power series; converges fast for the β used here.
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** sinc(z) · kaiser(z / ZEROS) for z = 0 … ZEROS, in steps of 1/OVERSAMPLE. */
const KERNEL = (() => {
  const n = ZEROS * OVERSAMPLE + 2;
  const table = new Float64Array(n);
  const i0Beta = besselI0(BETA);
  for (let i = 0; i < n; i++) {
    const z = i / OVERSAMPLE;
    const sinc = z === 0 ? 1 : Math.sin(Math.PI * z) / (Math.PI * z);
    const r = z / ZEROS;
    table[i] = r >= 1 ? 0 : (sinc * besselI0(BETA * Math.sqrt(1 - r * r))) / i0Beta;
  }
  return table;
})();

function kernelAt(z: number): number {
  const pos = Math.abs(z) * OVERSAMPLE;
  const i = Math.floor(pos);
  if (i >= KERNEL.length - 1) return 0;
  const frac = pos - i;
  return KERNEL[i]! + (KERNEL[i + 1]! - KERNEL[i]!) * frac;
}

/** Samples at `fromRate` to samples at `toRate` (16-bit, mono), low-passed against aliasing. */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} → ${toRate}`);
  if (fromRate === toRate) return input.slice();
  const step = fromRate / toRate; // input samples per output sample
  const outLength = Math.floor((input.length * toRate) / fromRate);
  // Cutoff in cycles per input sample; z = 2·fc·distance counts sinc zero crossings.
  const fc = (CUTOFF * Math.min(fromRate, toRate)) / 2 / fromRate;
  const scale = 2 * fc;
  const reach = ZEROS / scale; // half-width in input samples
  const out = new Int16Array(outLength);
  for (let n = 0; n < outLength; n++) {
    const t = n * step;
    const first = Math.max(0, Math.ceil(t - reach));
    const last = Math.min(input.length - 1, Math.floor(t + reach));
    let acc = 0;
    let weight = 0;
    for (let k = first; k <= last; k++) {
      const h = kernelAt((k - t) * scale);
      acc += input[k]! * h;
      weight += h;
    }
    // Dividing by the taps' own sum keeps unity gain at DC whatever the fractional position (and
    // at the edges, where the window is cut short).
    const y = weight !== 0 ? acc / weight : 0;
    out[n] = y > 32767 ? 32767 : y < -32768 ? -32768 : Math.round(y);
  }
  return out;
}
