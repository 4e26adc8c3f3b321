/** Where build.mjs writes the `hellio` entry, from the package's root (written last: its time is the bundle's). */
export declare const BUNDLE: string;
/** The bundle's entries (dist/bin/<name>.mjs) and the source each is built from. */
export declare const BUNDLE_ENTRIES: Record<string, string>;
/** True when the bundle under `root` (the package's directory) is newer than every source file. */
export declare function bundleIsFresh(root: string): boolean;
