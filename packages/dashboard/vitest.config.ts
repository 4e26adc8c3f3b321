import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each file starts its own `hellio start` and one Chromium; two cores, so two files at a time.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    // What the browser and the workers do takes its time on a loaded two-core machine: a poll waits
    // up to 15 s for the state it expects (it returns as soon as it is there).
    expect: { poll: { timeout: 15_000, interval: 100 } },
    hookTimeout: 90_000,
  },
});
