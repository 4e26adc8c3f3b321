/** The dashboard package's folder. */
export declare const root: string;
/** Where `vite build` writes the app (served at /dashboard/). */
export declare const distDir: string;
/** Why the build must be made again (a sentence), or null when it is up to date. */
export declare function staleReason(): string | null;
/** Builds the app with Vite into dist/. */
export declare function build(): Promise<void>;
