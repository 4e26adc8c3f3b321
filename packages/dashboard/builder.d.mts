/** The dashboard package's folder. */
export declare const root: string;
/** Where `vite build` writes the app (served at /dashboard/). */
export declare const distDir: string;
/** Why the build must be made again (a sentence), or null when it is up to date; `at` points it at another folder. */
export declare function staleReason(at?: { root: string; distDir: string }): string | null;
/** Builds the app with Vite into dist/. */
export declare function build(): Promise<void>;
