import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'collectors/**/*.test.ts',
            'src/**/*.test.{ts,tsx}',
            'components/**/*.test.{ts,tsx}',
            'test/unit/**/*.test.{ts,tsx}',
          ],
          environment: 'node',
          // A unit test's result never rests on a wall clock: on a busy machine (a CPU hog beside the suite) a test
          // only takes longer. Real-time waits inside tests are scaled the same way (test/support/until.ts).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/lab/global-setup.ts'],
          fileParallelism: false,
          // Waits inside a test scale with the lab's measured pace (up to 10x): the timeout leaves room for that.
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
