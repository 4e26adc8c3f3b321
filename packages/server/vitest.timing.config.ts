import { defineConfig } from 'vitest/config';

/** The tests that judge wall-clock spacing (test/timing/): run alone, after the rest, one file at a time. */
export default defineConfig({
  test: {
    include: ['test/timing/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    testTimeout: 30_000,
  },
});
