/**
 * Typo suggestions for the domain: gmial.com → gmail.com. Only the big mailbox providers are
 * targets — most typos are made there, and a company's own domain cannot be told from a typo
 * of another company's. Short names (aol.com, me.com, gmx.de) are deliberately not targets: one
 * keystroke away from them lie too many real domains (ge.com, box.net).
 */

// Roughly by how many people use them, so a tie goes to the likelier one.
const TARGETS = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'googlemail.com',
  'hotmail.co.uk', 'yahoo.co.uk', 'hotmail.fr', 'yahoo.fr', 'orange.fr', 'wanadoo.fr',
  'laposte.net', 'hotmail.de', 'yahoo.de', 'outlook.de', 't-online.de', 'hotmail.it', 'libero.it',
  'yahoo.es', 'hotmail.es', 'outlook.es', 'yandex.ru', 'rambler.ru', 'comcast.net', 'verizon.net',
  'sbcglobal.net', 'bellsouth.net', 'charter.net', 'btinternet.com', 'protonmail.com', 'proton.me',
  'rocketmail.com', 'yahoo.co.jp', 'yahoo.com.br', 'hotmail.com.br', 'uol.com.br', 'rediffmail.com',
  'yahoo.co.in', 'yahoo.com.au', 'bigpond.com', 'optusnet.com.au', 'shaw.ca', 'rogers.com',
  'sympatico.ca', 'naver.com', 'hanmail.net', 'zoho.com', 'fastmail.com', 'tutanota.com',
  'seznam.cz', 'interia.pl', 'virgilio.it', 'telenet.be', 'skynet.be', 'ziggo.nl', 'freenet.de',
];
const TARGET_SET = new Set(TARGETS);

// Real providers one or two keystrokes from a target. (The free-provider list cannot serve here:
// it also holds the typo domains that squatters registered, gmial.com among them.)
const NOT_TYPOS = new Set(['mail.com', 'email.com', 'ymail.com', 'homemail.com', 'gmx.com', 'gmx.net', 'web.de']);

const lastLabel = (d: string) => d.slice(d.lastIndexOf('.') + 1);
const withoutLastLabel = (d: string) => d.slice(0, d.lastIndexOf('.'));

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost one — a swap (gmial) is the commonest typo, and plain
 * Levenshtein would count it twice.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/** How far a typed domain may be from a target: two mistakes only in a long name, one otherwise. */
const allowance = (target: string) => (target.length >= 9 ? 2 : 1);

/** The provider domain the user probably meant, or null (also null for a domain that is fine as it is). */
export function suggestDomain(asciiDomain: string): string | null {
  if (TARGET_SET.has(asciiDomain) || NOT_TYPOS.has(asciiDomain)) return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const target of TARGETS) {
    if (Math.abs(target.length - asciiDomain.length) > 2) continue;
    const distance = editDistance(asciiDomain, target);
    // A second mistake is believed only if the first letter is right: "gmial.con", not "email.com".
    let plausible = distance === 1 || (distance === 2 && asciiDomain[0] === target[0]);
    // The same brand under another top-level domain is mostly the brand's own regional service
    // (hotmail.ca, yahoo.ro); only a slip of one key in the TLD (gmail.co, hotmail.con) is a typo.
    if (withoutLastLabel(asciiDomain) === withoutLastLabel(target)) plausible = editDistance(lastLabel(asciiDomain), lastLabel(target)) === 1;
    if (plausible && distance <= allowance(target) && distance < bestDistance) {
      best = target;
      bestDistance = distance;
    }
  }
  return best;
}
