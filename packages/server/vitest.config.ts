import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Wall-clock spacing is judged with nothing else running: vitest.timing.config.ts, after this run.
    exclude: ['test/timing/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Each file builds its own app and throwaway databases; two cores, so keep files few at a time.
    // Files run one after another in a fork without re-importing the sources for each (isolate:
    // false): importing them again was ~120 s of the run. No test mocks a module; what a file
    // spies on it restores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
