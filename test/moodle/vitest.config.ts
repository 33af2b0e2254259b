import { defineConfig } from 'vitest/config';

// The real-Moodle suite (npm run test:moodle, through scripts/moodle/e2e.sh, which starts Moodle
// and puts its seed back first): one file, one journey, in order; never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/moodle/**/*.test.ts'],
    globalSetup: ['test/moodle/globalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    sequence: { concurrent: false },
  },
});
