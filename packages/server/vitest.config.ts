import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Wall-clock spacing is judged with nothing else running: vitest.timing.config.ts, after this run.
    exclude: ['test/timing/**', '**/node_modules/**'],
    // Each file builds its own app and throwaway databases; two cores, so keep files few at a time.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
