import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests start real servers (FerretDB, Laurel, the LMS emulator), so they get
// generous timeouts and run in forked processes, two at a time on this 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-Moodle suite needs Moodle running: npm run test:moodle (scripts/moodle/e2e.sh).
    exclude: [...configDefaults.exclude, 'test/moodle/**'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Every test process records the shapes of the queries Laurel sends; the run's end checks them.
    setupFiles: ['test/support/queryShapes/recorder.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
