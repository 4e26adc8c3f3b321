/** Micro-units per currency unit: money is stored and summed as integers of 1e-6. */
export const MICROS = 1_000_000;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** Parses a non-negative decimal string ("10", "10.5", "0.0350") into micro-units, or null. */
export function parseMicros(text: string): number | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? '').padEnd(6, '0'));
  const micros = whole * MICROS + frac;
  // Twelve whole digits fit the pattern but not a double once in micro-units: refuse, never round.
  return Number.isSafeInteger(micros) ? micros : null;
}

/** Formats micro-units as a decimal string with four places ("0.0350"), more only when needed. */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS);
  const six = String(abs % MICROS).padStart(6, '0');
  const frac = six.endsWith('00') ? six.slice(0, 4) : six.replace(/0$/, '');
  return `${sign}${whole}.${frac}`;
}
