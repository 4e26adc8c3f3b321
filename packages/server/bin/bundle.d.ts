/** Where build.mjs writes the bundle, from the package's root. */
export declare const BUNDLE: string;
/** True when the bundle under `root` (the package's directory) is newer than every source file. */
export declare function bundleIsFresh(root: string): boolean;
