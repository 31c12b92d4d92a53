import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Fixture servers and the real Postfix share two cores: keep files from
    // starving each other's deadlines.
    maxWorkers: 2,
  },
});
