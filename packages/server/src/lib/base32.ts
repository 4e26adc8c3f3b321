/** Base32 of `bytes`, 5 bits a character, most significant first, no padding, in `alphabet` (32 characters). */
export function encodeBase32(bytes: Uint8Array, alphabet: string): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(acc << (5 - bits)) & 31];
  return out;
}
