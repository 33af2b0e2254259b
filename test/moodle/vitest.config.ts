import { defineConfig } from 'vitest/config';

// The real-Moodle suite (npm run test:moodle, through scripts/moodle/e2e.sh, which starts Moodle
// and puts its seed back first): the journey (with next term), the emulator's contract and Laurel's
// messages, one file at a time, each in order (they share one Moodle and its fixed ports), each file
// in a process of its own (two files start Laurel, and ltijs defines its mongoose models once a
// process); never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/moodle/**/*.test.ts'],
    globalSetup: ['test/moodle/globalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
